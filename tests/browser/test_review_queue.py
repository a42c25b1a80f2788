"""A reviewer works the queue in a real browser: two-factor sign-in, the staff home, the queue, three decisions with
"Decide and open next" (page loads counted), one email per EP, a reopen that emails once, and axe on each screen."""
# ruff: noqa: F811  (the reviewer fixture is imported from the staff journey)

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from exemptions.models import AdjustmentYear, ExemptionRequest, OutboundEmail
from exemptions.services.requests import request_submit
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_staff_journey import PASSWORD, reviewer, totp_code  # noqa: F401
from tests.factories import UserFactory, complete_draft

pytestmark = pytest.mark.django_db(transaction=True)
EPS = ["ada@example.org", "ben@example.org", "cy@example.org"]


def submitted_requests() -> list[ExemptionRequest]:
    year = AdjustmentYear.objects.get(year=2013)
    made = []
    for day, email in enumerate(EPS, start=1):
        ep = UserFactory(email=email, full_name=email.split("@")[0].title())
        draft = complete_draft(owner=ep, year=year, npis=("1558598797",))
        submitted, _ = request_submit(exemption=draft, actor=ep, at=dt.datetime(2012, 12, day, 15, tzinfo=dt.UTC))
        made.append(submitted)
    return made


class Navigations:
    """Page loads of the main frame (a redirect and the page it leads to count once, as a person sees them)."""

    def __init__(self, page):
        self.count = 0
        page.on("framenavigated", lambda frame: self._seen(page, frame))

    def _seen(self, page, frame):
        if frame == page.main_frame:
            self.count += 1

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def sign_in(page, user):
    page.goto("/admin/")
    page.get_by_label(re.compile(r"^\s*Email\W*$")).fill(user.email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label(re.compile("Code")).fill(totp_code(user))
    page.get_by_role("button", name=re.compile("Sign in|Verify|Confirm")).click()


def wait_for_preview(page, text):
    expect(page.locator(".decision-preview [data-preview='body']")).to_contain_text(text)


def test_a_reviewer_clears_the_queue_in_three_page_loads_a_decision(page, live_server, reviewer):
    requests = submitted_requests()
    mail.outbox.clear()  # the submission confirmations
    sign_in(page, reviewer)

    # The staff home is the reviewer's queue.
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    unassigned = page.get_by_role("link", name=re.compile(r"^3\s+Unassigned"))
    expect(unassigned).to_be_visible()
    housekeeping = page.locator("#section-housekeeping")  # apart, last, and only what a reviewer may use
    expect(housekeeping.locator("tbody th, tr.model-outboundemail th")).to_have_text(["Outbound emails"])
    assert page.locator(".staff-section caption").all_inner_texts()[0].lower() == "review"
    assert_accessible(page, "the staff home")
    screenshot(page, "admin-home-queue")

    unassigned.click()
    expect(page.get_by_role("link", name=requests[0].reference)).to_be_visible()
    references = page.locator("#result_list th.field-reference_or_draft a").all_inner_texts()
    assert [text.split()[0] for text in references] == [r.reference for r in requests]  # oldest submission first
    # Every column visible at 1280 px with both sidebars open: no horizontal scrolling, nothing under the filters.
    assert page.evaluate(
        "() => { const r = document.querySelector('.results'); return r.scrollWidth <= r.clientWidth; }"
    )
    last_header = page.locator("#result_list thead th").last.bounding_box()
    assert last_header["x"] + last_header["width"] <= page.locator("#changelist-filter").bounding_box()["x"]
    expect(page.locator("#nav-sidebar")).to_be_visible()
    assert_accessible(page, "the unassigned queue")
    screenshot(page, "admin-queue")

    navigations = Navigations(page)
    page.get_by_role("link", name=requests[0].reference).click()
    wait_for_preview(page, "CMS reviewed your request")  # approve preselected, its default text, the email shown
    assert_accessible(page, "the review screen with the decision panel")
    screenshot(page, "admin-review-panel")
    page.get_by_role("button", name="Decide and open next").click()
    expect(page.get_by_text(f"{requests[0].reference}: approved")).to_be_visible()
    assert navigations.take() <= 3

    # The second: denied with the keyboard (access keys) and a message of the reviewer's own.
    expect(page.locator("#content h2").first).to_contain_text(requests[1].reference)
    page.keyboard.press("Alt+d")
    expect(page.get_by_role("radio", name=re.compile("^Deny"))).to_be_checked()
    deny = page.locator("#decision-deny")
    deny.get_by_label("Reason").select_option(label="TIN/NPI does not match claims")
    wait_for_preview(page, "do not match the Medicare Part B claims")
    deny.get_by_label("Message to the EP").fill("Your TIN is not the one on your claims.")
    wait_for_preview(page, "Your TIN is not the one on your claims.")
    page.keyboard.press("Alt+n")
    expect(page.get_by_text(f"{requests[1].reference}: denied")).to_be_visible()
    assert navigations.take() <= 3

    expect(page.locator("#content h2").first).to_contain_text(requests[2].reference)
    wait_for_preview(page, "CMS reviewed your request")
    page.get_by_role("button", name="Decide and open next").click()
    expect(page.get_by_text("No other request is waiting in “Unassigned”")).to_be_visible()
    assert navigations.take() <= 3

    statuses = [ExemptionRequest.objects.get(pk=r.pk).status for r in requests]
    assert statuses == ["approved", "denied", "approved"]
    for email, verdict in zip(EPS, ["APPROVED", "DENIED", "APPROVED"], strict=True):
        received = [m for m in mail.outbox if email in m.to]
        assert len(received) == 1 and f"Decision: {verdict}" in received[0].subject

    # A decided request shows who decided; reopening it tells the EP, once.
    page.goto(f"/admin/exemptions/exemptionrequest/{requests[0].pk}/change/")
    expect(page.locator("#decided-by")).to_contain_text("by Rita Reviewer")
    expect(page.get_by_role("button", name="Decide and open next")).to_have_count(0)
    page.get_by_role("link", name="Reopen this decision…").click()
    page.get_by_label("Why reopen this decided request?").fill("Approved the wrong request.")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_text(f"{requests[0].reference} reopened")).to_be_visible()
    reopened = [m for m in mail.outbox if m.subject.startswith("Decision reopened")]
    assert len(reopened) == 1 and reopened[0].to[0] == EPS[0]  # the account first, then each affected EP
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.DECISION_REOPENED).count() == 1
