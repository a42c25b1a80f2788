"""Keyboard-only use with a visible focus indicator; phone width and 200% zoom without horizontal scrolling."""

import re

import pytest
from playwright.sync_api import expect

from exemptions.models import AdjustmentYear, ExemptionRequest
from tests.browser.conftest import assert_accessible, screenshot, session_cookie
from tests.factories import RequestFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a long passphrase for the browser"

FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el) return "";
  const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
  return (label || el.getAttribute("aria-label") || el.textContent || "").replace(/\\s+/g, " ").trim();
}"""
FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def tab_to(page, pattern: str, *, limit: int = 120) -> None:
    """Press Tab until the focused element's accessible name matches; assert the focus is visible there."""
    wanted = re.compile(pattern)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if wanted.search(page.evaluate(FOCUSED_NAME)):
            ring = page.evaluate(FOCUS_RING)
            assert ring["style"] != "none" and ring["width"] >= 2, f"no visible focus on {pattern}: {ring}"
            return
    pytest.fail(f"Tab never reached {pattern!r}")


def follow(page, key: str = "Enter") -> None:
    """Press a key that navigates (a link or a submit button) and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


@pytest.fixture
def logged_in(page):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    user = UserFactory(email="kim@example.org", full_name="Kim Keys")
    user.set_password(PASSWORD)
    user.save()
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")  # skip link first: it must be the first stop
    assert page.evaluate(FOCUSED_NAME) == "Skip to main content"
    page.keyboard.press("Enter")
    tab_to(page, r"^Email")
    page.keyboard.type("kim@example.org")
    tab_to(page, r"^Password")
    page.keyboard.type(PASSWORD)
    tab_to(page, r"^Sign in$")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My requests")
    return user


def test_the_request_form_can_be_completed_and_submitted_with_the_keyboard_alone(page, logged_in):
    tab_to(page, r"^Start a request$")
    follow(page)
    tab_to(page, r"^Start a 2099 request$")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 1 of 4: Affected EPs")
    steps = [
        [
            (r"^NPI", "1234567893"),
            (r"^Full name", "Kim Keys"),
            (r"^Street address", "9 Elm St"),
            (r"^City", "Baltimore"),
            (r"^State", "Maryland"),  # a list: typing the name picks it
            (r"^ZIP code", "21201"),
            (r"^Email", "kim@example.org"),
        ],
        [(r"^TIN", "12-3456789"), (r"^Phone", "410-555-0199")],
    ]
    for number, fields in enumerate(steps, start=1):
        for label, text in fields:
            tab_to(page, label)
            page.keyboard.press("Control+A")
            page.keyboard.type(text)
        page.keyboard.press("Enter")  # Enter in a box continues (and saves)
        page.wait_for_url(re.compile("/step/practice/" if number == 1 else "/step/hardship/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Step 3 of 4: Hardship")
    tab_to(page, r"^Unable to e-prescribe because of local")
    page.keyboard.press("Space")
    tab_to(page, r"^Justification")
    page.keyboard.type("No e-prescribing allowed by state rule.")
    tab_to(page, r"^Save and continue$")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 4 of 4")
    assert_accessible(page, "the summary reached by keyboard")
    tab_to(page, r"^Change the practice details$")
    follow(page)
    tab_to(page, r"^Phone")
    page.keyboard.press("Control+A")
    page.keyboard.type("410-555-0100")
    tab_to(page, r"^Save and return to the summary$")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Step 4 of 4")
    tab_to(page, r"^I attest")
    page.keyboard.press("Space")
    screenshot(page, "keyboard-focus")
    tab_to(page, r"^Submit request$")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request was submitted")
    submitted = ExemptionRequest.objects.get(owner=logged_in)
    assert submitted.status == "submitted" and submitted.affected_eps.get().name == "Kim Keys"
    assert submitted.contact_phone == "410-555-0100"


@pytest.mark.parametrize("width", [375, 640])  # a phone, and 1280 px at 200% zoom
def test_ep_pages_fit_narrow_screens_without_horizontal_scrolling(browser, live_server, width):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    user = UserFactory(email=f"narrow{width}@example.org")
    draft = RequestFactory(owner=user, year=AdjustmentYear.objects.get(is_practice=True))
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
    context.add_cookies([session_cookie(user, live_server.url)])
    page = context.new_page()
    for path in ["/", "/help/", "/requests/", "/requests/new/", f"/requests/{draft.public_id}/edit/"]:
        response = page.goto(path)
        assert response.ok, f"{path} answered {response.status}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    if width == 375:
        screenshot(page, "request-form-phone")
        assert_accessible(page, "the request form on a phone")
    context.close()
