"""Staff in the admin, in a real browser: two-factor sign-in, find by NPI, review, ask, approve; the EP sees it."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from exemptions.models import AdjustmentYear
from exemptions.services.requests import request_submit
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_keyboard_and_layout import session_cookie
from tests.factories import UserFactory, complete_draft

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long passphrase for the reviewer"


def totp_code(user) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
    from allauth.mfa.utils import decrypt

    secret = decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def reviewer(settings):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    settings.PORTAL_REQUIRE_STAFF_MFA = True
    from django.core.management import call_command

    call_command("setup_roles", verbosity=0)
    user = UserFactory(email="rita@cms.example.gov", full_name="Rita Reviewer", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="Reviewer"))
    TOTP.activate(user, generate_totp_secret())
    return user


def test_reviewer_finds_reviews_asks_and_approves_and_the_ep_sees_it(page, browser, live_server, reviewer):
    ep = UserFactory(email="eve@example.org", full_name="Eve Example")
    draft = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013), npis=("1558598797", "1234567893"))
    submitted, _ = request_submit(exemption=draft, actor=ep, at=dt.datetime(2012, 12, 3, 15, tzinfo=dt.UTC))

    page.goto("/admin/")
    page.get_by_label(re.compile(r"^\s*Email\W*$")).fill(reviewer.email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_label(re.compile("Code")).fill(totp_code(reviewer))
    assert_accessible(page, "the two-factor code page")
    page.get_by_role("button", name=re.compile("Sign in|Verify|Confirm")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Requests, years and windows")

    page.goto("/admin/exemptions/exemptionrequest/")
    page.get_by_role("searchbox").fill("1558598797")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=submitted.reference)).to_be_visible()
    assert_accessible(page, "the staff request list")
    page.get_by_role("link", name=submitted.reference).click()

    page.get_by_role("button", name="Start review (assign to me)").click()
    expect(page.get_by_text("Assigned reviewer: Rita Reviewer")).to_be_visible()
    assert_accessible(page, "the review screen")
    screenshot(page, "admin-review")

    page.get_by_role("radio", name=re.compile("^Ask for more information")).check()  # the review screen's panel
    ask = page.locator("#decision-request_info")
    ask.get_by_label("Reason").select_option(label="Justification incomplete: ask for details")
    ask.get_by_label("Message to the EP").fill("Please send the state board's letter.")
    ask.get_by_label("Reply by").fill("2030-01-15")
    expect(page.locator(".decision-preview pre")).to_contain_text("Please send the state board's letter.")
    page.get_by_role("button", name="Decide and stay").click()

    ep_context = browser.new_context(base_url=live_server.url)
    ep_context.add_cookies([session_cookie(ep, live_server.url)])
    ep_page = ep_context.new_page()
    ep_page.goto(f"/requests/{submitted.public_id}/")
    expect(ep_page.get_by_text("We need more information").first).to_be_visible()
    ep_page.get_by_role("link", name="Answer the question").click()
    ep_page.get_by_label("Your answer").fill("The board's letter is attached.")
    ep_page.get_by_role("button", name="Send the answer").click()
    expect(ep_page.get_by_role("status").first).to_contain_text("your answer was sent")

    page.reload()
    approve = page.locator("#decision-approve")  # preselected: the EP answered, so "after supporting documents"
    expect(approve.get_by_label("Reason")).to_have_value("approved_after_documents")
    expect(page.locator(".decision-preview pre")).to_contain_text("With it, CMS was able to verify")
    assert_accessible(page, "the decision preview")
    page.get_by_role("button", name="Decide and stay").click()

    ep_page.goto("/requests/")
    expect(ep_page.get_by_text("Approved", exact=True)).to_be_visible()
    expect(ep_page.get_by_text(re.compile("With it, CMS was able to verify"))).to_be_visible()
    assert_accessible(ep_page, "the dashboard after a decision")
    decision = [m for m in mail.outbox if "eve@example.org" in m.to and "approved" in m.subject.lower()]
    assert len(decision) == 1 and submitted.reference in decision[0].subject
    assert "With it, CMS was able to verify" in decision[0].body
    assert decision[0].to == ["eve@example.org", "ep1@example.org", "ep2@example.org"]  # the account and each EP, once
    ep_context.close()
