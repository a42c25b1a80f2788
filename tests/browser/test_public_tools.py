"""The public tools in a browser: the estimator and the pre-check at a phone's and a desktop's width, without
JavaScript-dependent behavior, and axe (WCAG 2.1 A/AA) on every state: empty, errors, answers."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page, what: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_estimator_answers_errors_and_the_490_example(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Estimate the payment impact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Estimate the payment impact")
    assert_accessible(page, f"the empty estimator at {width}px")
    page.get_by_label("Year", exact=True).select_option("2013")
    page.get_by_label("Medicare Part B Physician Fee Schedule allowed charges").fill("$5k")
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator("#error-summary")).to_contain_text("shorthand such as “5k” is not accepted")
    assert page.title().startswith("Error:")
    assert_accessible(page, f"the estimator's error at {width}px")
    page.get_by_role("link", name="shorthand", exact=False).click()  # the summary link moves to the field
    page.get_by_label("Medicare Part B Physician Fee Schedule allowed charges").fill("100,000")
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator('[data-amount="incentive-paid"]')).to_have_text("$490.00")
    no_sideways_scroll(page, f"the estimator at {width}px")
    assert_accessible(page, f"the estimate at {width}px")
    screenshot(page, f"estimator-{width}")
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_precheck_names_missing_answers_then_answers(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/tools/do-i-need-to-file/?year=2014")
    expect(page.get_by_role("heading", level=1)).to_have_text("Do I need to file?")
    assert_accessible(page, f"the empty pre-check at {width}px")
    page.get_by_label("MD or DO").check()
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#error-summary li")).to_have_count(5)
    assert_accessible(page, f"the pre-check's errors at {width}px")
    screenshot(page, f"precheck-errors-{width}")
    page.get_by_role("group", name="Did you have prescribing privileges?").get_by_label("Yes").check()
    page.get_by_role("group", name="How many denominator-eligible").get_by_label("100 or more").check()
    page.get_by_role("group", name="What share of your Part B").get_by_label("10% or more").check()
    page.get_by_label("G8642: rural area without sufficient high-speed internet").check()
    page.get_by_role("group", name="What was your certified EHR status?").get_by_label("Neither").check()
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#result-heading")).to_have_text("You may not need to file because:")
    no_sideways_scroll(page, f"the pre-check at {width}px")
    assert_accessible(page, f"the pre-check's answer at {width}px")
    screenshot(page, f"precheck-{width}")
    context.close()


def test_both_tools_work_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/tools/estimate/")
    page.get_by_label("Year", exact=True).select_option("2013")
    page.get_by_label("Medicare Part B Physician Fee Schedule allowed charges").fill("100000")
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator('[data-amount="incentive-paid"]')).to_have_text("$490.00")
    page.goto("/tools/do-i-need-to-file/?year=2013")
    page.get_by_label("Another profession").check()
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#error-summary li")).to_have_count(5)
    context.close()
