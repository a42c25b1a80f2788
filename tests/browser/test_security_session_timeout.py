"""The session-timeout warning in a real browser (WCAG 2.2.1): it appears two minutes before the 30-minute idle
limit as a modal alertdialog with the focus on its one action; "Stay signed in" extends the session; if nobody
answers, the draft being typed is saved before the portal signs out.

The server's clock (time_machine, shared with the live server's thread) and the browser's (Playwright's clock)
are moved forward together, so nothing waits for real minutes to pass.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from exemptions.models import ExemptionRequest
from tests.browser.conftest import assert_accessible
from tests.browser.test_keyboard_and_layout import FOCUSED_NAME, session_cookie
from tests.factories import UserFactory, complete_draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_warning_extends_the_session_and_expiry_saves_the_draft(browser, live_server):
    user = UserFactory(email="tess@example.org", full_name="Tess Timer")
    draft = complete_draft(owner=user)
    with time_machine.travel(timezone.now(), tick=True) as server_clock:
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies([session_cookie(user, live_server.url)])
        page = context.new_page()
        page.clock.install()
        page.goto(f"/requests/{draft.public_id}/step/hardship/")
        page.fill("#id_justification", "Typed after the last save: must not be lost.")
        page.get_by_role("button", name="Save and come back later").focus()
        # Autosave takes what was typed within a minute (a save counts as activity: the idle time starts here).
        page.clock.fast_forward("01:01")
        expect(page.locator("#autosave-status")).to_contain_text("All changes saved at")

        # 28.5 minutes later, on both clocks: the warning, with the focus on its single action.
        server_clock.shift(dt.timedelta(minutes=28, seconds=30))
        page.clock.fast_forward("28:30")
        dialog = page.get_by_role("alertdialog", name="Are you still there?")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("signed out in")
        expect(dialog).to_contain_text("Your draft will be saved first")
        assert page.evaluate(FOCUSED_NAME) == "Stay signed in"
        assert_accessible(page, "the session-timeout dialog")

        # One key press extends the session; the focus goes back where it was.
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        assert page.evaluate(FOCUSED_NAME) == "Save and come back later"

        # Walk away: the warning comes back 28.5 minutes later, and at the deadline the draft is saved.
        server_clock.shift(dt.timedelta(minutes=28, seconds=30))
        page.clock.fast_forward("28:30")
        expect(dialog).to_be_visible()
        server_clock.shift(dt.timedelta(seconds=80))
        with page.expect_navigation(url="**/session/expired/**"):
            page.clock.fast_forward("01:30")
        expect(page.get_by_role("heading", level=1)).to_have_text("You were signed out")
        expect(page.get_by_text("Your draft was saved")).to_be_visible()
        context.close()

    draft.refresh_from_db()
    assert draft.justification == "Typed after the last save: must not be lost."
    assert draft.status == ExemptionRequest.Status.DRAFT
