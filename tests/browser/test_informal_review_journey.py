"""An EP in a real browser asks for an informal review: sign in, start, save, submit, see the reference and get the
confirmation email; every page passes axe (WCAG 2.1 A/AA)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from exemptions.models import InformalReview
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_ep_journeys import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long passphrase for the browser"


def test_ep_starts_and_submits_an_informal_review(page):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)  # the practice year's informal review window is open now
    UserFactory(email="ivy@example.org", full_name="Ivy Informal", password=PASSWORD)

    page.goto("/informal-review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for an informal review of a payment adjustment")
    expect(page.get_by_role("note").first).to_contain_text("A hardship decision is final.")
    assert_accessible(page, "the public informal review page")
    screenshot(page, "informal-review-start")

    log_in(page, "ivy@example.org", PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="ask for an informal review").click()
    page.get_by_role("button", name="Start an informal review of the 2099 adjustment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Informal review of the 2099 eRx payment adjustment")
    assert_accessible(page, "the empty informal review form")

    page.get_by_label("TIN", exact=True).fill("12-3456789")
    page.get_by_label("NPIs", exact=True).fill("1234567893\n1558598797")
    page.get_by_role("button", name="Submit informal review").click()
    expect(page.get_by_role("status")).to_contain_text("Your draft is saved, but it was not submitted.")
    expect(page.get_by_role("status")).to_contain_text("Explain why you believe the payment adjustment is wrong.")
    assert_accessible(page, "the informal review form after a refused submit")

    page.get_by_label("Why do you believe the payment adjustment is wrong?").fill(
        "I reported the eRx measure on 30 claims in the reporting period."
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Submit informal review").click()

    review = InformalReview.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Informal review {review.reference}")
    assert re.fullmatch(r"IR-2099-\d{6}", review.reference)
    expect(page.get_by_role("status")).to_contain_text(f"Informal review {review.reference} submitted")
    assert_accessible(page, "the submitted informal review")
    screenshot(page, "informal-review-submitted")

    (email,) = [m for m in mail.outbox if m.subject.startswith("Received: your informal review")]
    assert email.to == ["ivy@example.org"]
    assert review.reference in email.subject and "hardship decisions are final" in email.body

    page.get_by_role("link", name="Back to my requests").click()
    expect(page.get_by_role("heading", name="My informal reviews")).to_be_visible()
    expect(page.get_by_role("link", name=review.reference)).to_be_visible()
    assert_accessible(page, "the dashboard with an informal review")
