"""Every staff page at 320, 375, 768 and 1280 px: no horizontal scrolling and zero axe (WCAG 2.1 A/AA) violations.

The Django admin is responsive by design; these pages check that our additions (review panel, status blocks, wide
tables, dashboard charts and filters, letters and informal reviews) follow it. One browser context per width.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from exemptions.models import InformalReview, OutboundEmail, PrintBatch
from exemptions.services.dashboard import dashboard_refresh
from tests.browser.conftest import OVERFLOW, WIDTHS, assert_accessible, screenshot, session_cookie
from tests.factories import UserFactory
from tests.review_fixtures import approve, start_review, submit
from tests.test_groups_support import complete_group, generate
from tests.test_informal_reviews import complete_review

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_pages(settings):
    """A superuser and the URL of every staff page, with realistic data behind each."""
    settings.PORTAL_REQUIRE_STAFF_MFA = False  # the second factor is tested elsewhere; the layout is tested here
    staff = UserFactory(email="rita.reviewer@example.org", full_name="Rita Reviewer", is_staff=True, is_superuser=True)
    ep = UserFactory(email="pat.physician@example.org", full_name="Pat Physician")
    waiting = submit(ep, npis=("1234567893", "1558598797"))
    in_review = submit(ep, npis=("1528060837",))
    start_review(in_review, staff)
    decided = submit(ep)
    start_review(decided, staff)
    approve(decided, staff)
    group = complete_group(owner=ep, eps=12)
    generate(group, ep)
    PrintBatch.objects.create(created_by=staff)
    review = complete_review(ep)
    decided_review = complete_review(ep)
    InformalReview.objects.filter(pk=decided_review.pk).update(status="submitted", reference="IR-2014-000009")
    dashboard_refresh(at=timezone.now())
    email = OutboundEmail.objects.order_by("pk").first()
    change = "admin:exemptions_exemptionrequest_change"
    pages = [
        reverse("admin:index"),
        reverse("admin:exemptions_exemptionrequest_changelist"),
        reverse("admin:exemptions_exemptionrequest_changelist") + "?all=1",
        reverse(change, args=[waiting.pk]),
        reverse(change, args=[in_review.pk]),
        reverse(change, args=[decided.pk]),
        reverse(change, args=[group.pk]),
        reverse("admin:exemptions_review_decide", args=[in_review.pk, "approve"]),
        reverse("admin:exemptions_review_decide", args=[in_review.pk, "deny"]),
        reverse("admin:exemptions_review_decide", args=[in_review.pk, "request_info"]),
        reverse("admin:exemptions_review_reopen", args=[decided.pk]),
        reverse("admin:exemptions_review_extension", args=[in_review.pk]),
        reverse("admin:program_dashboard"),
        reverse("admin:exemptions_groupmailing_changelist"),
        reverse("admin:exemptions_groupmailing_receive"),
        reverse("admin:exemptions_printbatch_changelist"),
        reverse("admin:exemptions_outboundemail_changelist"),
        reverse("admin:exemptions_informalreview_changelist"),
        reverse("admin:exemptions_informalreview_change", args=[review.pk]),
        reverse("admin:exemptions_informalreview_change", args=[decided_review.pk]),
        reverse("admin:exemptions_informal_review_decide", args=[decided_review.pk, "uphold"]),
    ]
    if email:
        pages.append(reverse("admin:exemptions_outboundemail_change", args=[email.pk]))
    return pages, staff, in_review, group


@pytest.mark.parametrize("width", WIDTHS)
def test_every_staff_page_fits_the_width_and_passes_axe(browser, live_server, staff_pages, width):
    pages, staff, in_review, group = staff_pages
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.add_cookies([session_cookie(staff, live_server.url)])
    page = context.new_page()
    problems = []
    try:
        for url in pages:
            response = page.goto(url)
            assert response.status == 200, f"{url} answered {response.status}"
            fit = page.evaluate(OVERFLOW)
            if fit["scroll"] > fit["client"] + 1:
                problems.append(f"{url} scrolls sideways at {width} px: {fit}")
            try:
                assert_accessible(page, f"{url} at {width} px")
            except AssertionError as error:
                problems.append(str(error))
        page.goto(reverse("admin:exemptions_exemptionrequest_change", args=[group.pk]))
        assert page.get_by_role("button", name="Record letter received").is_visible()  # the group's review screen
        if width in (375, 1280):
            page.goto(reverse("admin:exemptions_exemptionrequest_change", args=[in_review.pk]))
            page.locator(".decision-preview:not([hidden])").wait_for()  # the panel's email preview, drawn by script
            screenshot(page, f"admin-review-{width}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
