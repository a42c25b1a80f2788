"""An EP in a real browser: sign up, verify, file, save, come back, submit, receipt; and a closed window."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from exemptions.models import AdjustmentYear, ExemptionRequest
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import UserFactory, complete_draft
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long passphrase for the browser"


def fill_ep(page, number: int, *, npi: str, name: str, email: str) -> None:
    group = page.get_by_role("group", name=f"Affected EP {number}")
    group.get_by_label("NPI").fill(npi)
    group.get_by_label("Full name").fill(name)
    group.get_by_label("Street address").fill("1 Main St")
    group.get_by_label("City").fill("Towson")
    group.get_by_label("State").select_option("MD")
    group.get_by_label("ZIP code").fill("21204")
    group.get_by_label("Email").fill(email)


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^\s*Email\W*$")).fill(email)
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_ep_signs_up_verifies_files_saves_and_submits(page, settings):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("exemption from the eRx payment adjustment"))
    assert_accessible(page, "the home page")
    screenshot(page, "home")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label(re.compile(r"^\s*Email\W*$")).fill("erin@example.org")
    page.get_by_label(re.compile(r"^\s*Password\W*$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    assert_accessible(page, "the sign-up form")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Verify Your Email Address", re.I))

    (verification,) = [m for m in mail.outbox if m.to == ["erin@example.org"]]
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+", verification.body).group(0)
    page.goto("/" + link.split("/", 3)[3])  # the path of the emailed link, on the live server
    page.get_by_role("button", name="Confirm").click()

    page.goto("/requests/new/")
    page.get_by_role("button", name="Start a 2099 request").click()
    expect(page.get_by_text("Request for the 2099 eRx payment adjustment")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 1 of 4: Affected EPs")
    assert_accessible(page, "the first step of an empty request")
    fill_ep(page, 1, npi="1234567893", name="Erin Example", email="erin@example.org")
    page.get_by_role("button", name="Add another EP").click()
    fill_ep(page, 2, npi="1558598797", name="Zoë Ørsted", email="zoe@example.org")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("TIN", exact=True).fill("12-3456789")
    page.get_by_label("Phone", exact=True).fill("410-555-0100")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label(re.compile("Unable to e-prescribe because of local")).check()
    page.get_by_label("Justification").fill("Our state board did not allow electronic prescriptions.")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("status").first).to_contain_text("Draft saved")

    page.locator("summary", has_text="Account").click()  # the signed-in menu is one "Account" button
    page.get_by_role("button", name="Sign out").click()
    log_in(page, "erin@example.org", PASSWORD)
    page.get_by_role("link", name="Draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")  # where the draft stops
    expect(page.get_by_text("Zoë Ørsted, NPI 1558598797")).to_be_visible()

    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("alert")).to_contain_text("Check the attestation box to submit")
    assert_accessible(page, "the summary with errors")
    screenshot(page, "request-form-errors")
    page.get_by_label(re.compile("I attest that the information")).check()
    page.get_by_role("button", name="Submit request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your request was submitted")
    request = ExemptionRequest.objects.get(owner__email="erin@example.org")
    expect(page.get_by_role("status")).to_contain_text(request.reference)
    assert_accessible(page, "the confirmation page")
    screenshot(page, "confirmation")
    assert any(m.subject.startswith("Received:") and request.reference in m.subject for m in mail.outbox)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF receipt").click()
    text = pdf_text(open(download.value.path(), "rb").read())
    assert request.reference in text and "Zoë Ørsted" in text

    page.get_by_role("link", name="My requests").first.click()
    expect(page.get_by_role("cell", name=re.compile(request.reference))).to_be_visible()
    expect(page.get_by_text("Received", exact=True)).to_be_visible()
    assert_accessible(page, "the dashboard")
    screenshot(page, "dashboard")


def test_submitting_in_a_closed_window_explains_and_keeps_the_draft(page):
    user = UserFactory(email="late@example.org")
    user.set_password(PASSWORD)
    user.save()
    draft = complete_draft(owner=user, year=AdjustmentYear.objects.get(year=2013))
    log_in(page, "late@example.org", PASSWORD)
    page.goto(f"/requests/{draft.public_id}/step/hardship/")
    expect(page.get_by_role("note").first).to_contain_text("Closed at 11:59:59 p.m. ET on Thursday, January 31, 2013")
    page.get_by_label("Justification").fill("Edited after the close")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("status").first).to_contain_text("Your draft is saved, but it was not submitted")
    expect(page.get_by_text("Edited after the close")).to_be_visible()
    assert_accessible(page, "the closed-window message")
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.justification == "Edited after the close"
