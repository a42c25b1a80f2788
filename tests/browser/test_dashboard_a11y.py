"""The program dashboard in a real browser at 1280 px: no WCAG violations, tables and CSV reachable, empty year."""

import pytest
from playwright.sync_api import expect

from exemptions.services.dashboard import dashboard_refresh
from tests.browser.conftest import assert_accessible, screenshot, session_cookie
from tests.factories import YearFactory
from tests.review_fixtures import staff_member
from tests.test_dashboard import REFRESHED, build_program

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reviewer_page(page, live_server):
    build_program()
    YearFactory(year=3031)  # no requests
    dashboard_refresh(at=REFRESHED)
    reviewer = staff_member("rita@cms.example.gov", "Rita Reviewer")
    page.context.add_cookies([session_cookie(reviewer, live_server.url)])
    return page


def test_the_dashboard_has_no_accessibility_violations_and_its_tables_open(reviewer_page):
    page = reviewer_page
    page.goto("/admin/dashboard/?year=3030")

    expect(page.get_by_role("heading", level=1)).to_have_text("Program dashboard")
    expect(page.get_by_text("Figures as of")).to_be_visible()
    assert page.get_by_role("img").count() >= 5  # each chart is one image with a label
    assert_accessible(page, "the program dashboard")
    screenshot(page, "admin-dashboard")

    for summary in page.locator("details summary").all():
        summary.click()
    expect(page.get_by_role("table", name="Open requests by age (3030, all windows)")).to_be_visible()
    assert_accessible(page, "the program dashboard with every table open")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Open requests by age” (CSV)").click()
    assert download.value.suggested_filename == "dashboard-backlog-3030.csv"


def test_a_year_without_requests_says_so_and_stays_accessible(reviewer_page):
    page = reviewer_page
    page.goto("/admin/dashboard/?year=3030")
    page.get_by_label("Adjustment year").select_option("3031")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_role("heading", name="No requests for 3031 yet")).to_be_visible()
    assert_accessible(page, "the dashboard of a year without requests")
