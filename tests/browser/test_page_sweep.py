"""Every page of the portal at 320, 375, 768 and 1280 px: no horizontal scrolling and zero axe (WCAG 2.1 A/AA)
violations. EP, group, help, account and staff review pages, with realistic data (a group of 32 EPs)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from exemptions.identifiers import npi_check_digit
from exemptions.models import AffectedEP, ExemptionRequest, InformalReview
from exemptions.services.requests import refresh_summary, request_submit
from tests.browser.conftest import OVERFLOW, WIDTHS, assert_accessible, session_cookie
from tests.factories import UserFactory, complete_draft
from tests.test_groups_support import complete_group, generate
from tests.test_informal_reviews import complete_review

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal_pages(settings):
    """(who, url) for every page: 'public', 'ep' (the filer) or 'staff'."""
    settings.PORTAL_REQUIRE_STAFF_MFA = False  # the admin pages are swept here; the second factor is tested elsewhere
    ep = UserFactory(email="pat.physician@example.org", full_name="Pat Physician")
    draft = complete_draft(owner=ep, npis=("1234567893", "1558598797"))
    submitted = complete_draft(owner=ep, npis=("1528060837",))
    request_submit(exemption=submitted, actor=ep, at=timezone.now())
    group = complete_draft(owner=ep, kind=ExemptionRequest.Kind.GROUP, contact_name="Olive Office")
    for i in range(32):
        AffectedEP.objects.create(
            request=group,
            position=i + 1,
            npi=f"19{i:07d}" + npi_check_digit(f"19{i:07d}"),
            name=f"Dr. Example Longname-Hyphenated {i}",
            address_line1="1000 Very Long Avenue Northwest, Suite 1200",
            city="Annapolis",
            state="MD",
            zip_code="21401-1234",
            email=f"ep{i}@example-practice-group.org",
        )
    refresh_summary(group)  # the list's count and name, as a save would leave them
    review = complete_review(ep)
    decided_review = complete_review(ep)
    InformalReview.objects.filter(pk=decided_review.pk).update(status="submitted", reference="IR-2014-000009")
    mailed = complete_group(owner=ep)
    generate(mailed, ep)  # a generated letter: the page that records the mailing date
    staff = UserFactory(email="rita.reviewer@example.org", full_name="Rita Reviewer", is_staff=True, is_superuser=True)
    pages = [
        ("public", reverse("exemptions:home")),
        ("public", reverse("account_login")),
        ("public", reverse("account_signup")),
        ("public", reverse("account_reset_password")),
        *[
            ("public", reverse("exemptions:help_page", args=[slug]))
            for slug in ("guide", "gpro", "categories", "deadlines", "faq", "contact")
        ],
        ("ep", reverse("exemptions:dashboard")),
        ("ep", reverse("exemptions:request_start")),
        ("ep", reverse("exemptions:request_edit", args=[draft.public_id])),  # redirects to the check page
        *[
            ("ep", reverse("exemptions:request_step", args=[draft.public_id, step]))
            for step in ("eps", "practice", "hardship")
        ],
        ("ep", reverse("exemptions:request_check", args=[draft.public_id])),
        ("ep", reverse("exemptions:request_detail", args=[submitted.public_id])),
        ("ep", reverse("exemptions:request_submitted", args=[submitted.public_id])),
        ("ep", reverse("exemptions:group_start")),
        ("ep", reverse("exemptions:group_detail", args=[group.public_id])),
        ("ep", reverse("exemptions:group_edit", args=[group.public_id])),
        ("ep", reverse("exemptions:group_eps", args=[group.public_id])),
        ("ep", reverse("exemptions:group_mark_mailed", args=[mailed.public_id])),
        ("public", reverse("exemptions:help")),
        ("public", reverse("exemptions:precheck")),
        ("public", reverse("exemptions:estimator")),
        ("public", reverse("exemptions:informal_review_start")),
        ("ep", reverse("exemptions:informal_review_start")),
        ("ep", reverse("exemptions:informal_review_edit", args=[review.public_id])),
        ("ep", reverse("exemptions:informal_review_detail", args=[review.public_id])),
        ("ep", reverse("exemptions:informal_review_detail", args=[decided_review.public_id])),
        ("ep", reverse("exemptions:reminder_preferences")),
        ("ep", reverse("account_email")),
        ("staff", reverse("admin:index")),
        ("staff", reverse("admin:exemptions_exemptionrequest_changelist")),
        ("staff", reverse("admin:exemptions_exemptionrequest_change", args=[submitted.pk])),
        ("staff", reverse("admin:program_dashboard")),
        ("staff", reverse("admin:exemptions_informalreview_changelist")),
        ("staff", reverse("admin:exemptions_informalreview_change", args=[decided_review.pk])),
    ]
    return [p for p in pages if p[1]], {"ep": ep, "staff": staff}


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_width_and_passes_axe(browser, live_server, portal_pages, width):
    pages, users = portal_pages
    contexts = {}
    problems = []
    try:
        for who, url in pages:
            if who not in contexts:
                context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
                if who in users:
                    context.add_cookies([session_cookie(users[who], live_server.url)])
                contexts[who] = context.new_page()
            page = contexts[who]
            response = page.goto(url)
            assert response.status == 200, f"{url} answered {response.status} for {who}"
            fit = page.evaluate(OVERFLOW)
            if fit["scroll"] > fit["client"] + 1:
                problems.append(f"{url} ({who}) scrolls sideways at {width} px: {fit}")
            try:
                assert_accessible(page, f"{url} at {width} px")
            except AssertionError as error:
                problems.append(str(error))
    finally:
        for page in contexts.values():
            page.context.close()
    assert not problems, "\n".join(problems)
