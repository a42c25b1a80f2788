"""The request in steps and the group's task list in a real browser, on a phone (375 px) and a desktop (1280 px):
each step saves and passes axe, "Add another EP" adds a row without a round trip and loses nothing typed, the
summary's Change link comes back to the summary, autosave says when it saved, and the submit goes through.

Screenshots of each step at 375 px land in screenshots/; with PORTAL_DOC_SCREENSHOTS=1 they are also written to
docs/screenshots/steps-*.png (the README shows them).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from playwright.sync_api import expect

from exemptions.models import AdjustmentYear, ExemptionRequest
from tests.browser.conftest import ROOT, assert_accessible, screenshot, session_cookie
from tests.browser.test_ep_journeys import fill_ep
from tests.factories import UserFactory
from tests.test_groups_support import complete_group

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def shot(page, name: str) -> None:
    path = screenshot(page, name)
    if os.environ.get("PORTAL_DOC_SCREENSHOTS"):
        shutil.copy(path, ROOT / "docs" / "screenshots" / f"{name}.png")


def no_sideways_scroll(page, what: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px"


def signed_in(browser, live_server, user, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(15000)
    context.add_cookies([session_cookie(user, live_server.url)])
    return context, context.new_page()


def expect_step(page, number: int, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Step {number} of 4")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    current = page.locator("[aria-current='step']")
    expect(current).to_have_count(1)
    expect(current).to_contain_text(f"{number}.")


def test_a_request_in_steps_on_a_phone(browser, live_server):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    erin = UserFactory(email="erin@example.org", full_name="Erin Example")
    context, page = signed_in(browser, live_server, erin, PHONE)
    page.clock.install()
    page.goto("/requests/new/")
    page.get_by_role("button", name="Start a 2099 request").click()

    # Step 1: the EPs. "Add another EP" adds a row here, without posting: what was typed stays.
    expect_step(page, 1, "Affected EPs")
    fill_ep(page, 1, npi="1234567893", name="Erin Example", email="erin@example.org")
    requests = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST" else None)
    page.get_by_role("button", name="Add another EP").click()
    expect(page.get_by_role("group", name="Affected EP 2")).to_be_visible()
    assert requests == []  # no round trip
    expect(page.get_by_role("group", name="Affected EP 2").get_by_label("NPI")).to_be_focused()
    expect(page.get_by_role("group", name="Affected EP 1").get_by_label("Full name")).to_have_value("Erin Example")
    fill_ep(page, 2, npi="1558598797", name="Zoë Ørsted", email="zoe@example.org")
    no_sideways_scroll(page, "step 1 at 375 px")
    assert_accessible(page, "step 1 (affected EPs) on a phone")
    shot(page, "steps-1-eps")
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: the practice.
    expect_step(page, 2, "Practice details")
    draft = ExemptionRequest.objects.get(owner=erin)
    assert list(draft.affected_eps.order_by("position").values_list("name", flat=True)) == [
        "Erin Example",
        "Zoë Ørsted",
    ]
    page.get_by_label("TIN", exact=True).fill("12-3456789")
    page.get_by_label("Phone", exact=True).fill("410-555-0100")
    no_sideways_scroll(page, "step 2 at 375 px")
    assert_accessible(page, "step 2 (practice) on a phone")
    shot(page, "steps-2-practice")
    page.get_by_role("button", name="Save and continue").click()

    # Step 3: the hardship; autosave after a minute, said in words (and nothing is sent while nothing changed).
    expect_step(page, 3, "Hardship")
    posts = len(requests)
    page.clock.fast_forward("01:01")
    assert len(requests) == posts
    page.get_by_label(re.compile("Unable to e-prescribe because of local")).check()
    page.get_by_label("Justification").fill("Our state board did not allow electronic prescriptions.")
    page.clock.fast_forward("01:01")
    expect(page.locator("#autosave-status")).to_have_text(
        re.compile(r"^All changes saved at \d{1,2}:\d\d [ap]\.m\. ET\.$")
    )
    draft.refresh_from_db()
    assert draft.justification == "Our state board did not allow electronic prescriptions."
    no_sideways_scroll(page, "step 3 at 375 px")
    assert_accessible(page, "step 3 (hardship) on a phone")
    shot(page, "steps-3-hardship")
    page.get_by_role("button", name="Save and continue").click()

    # Step 4: check your answers; a Change link goes to the step and comes back here.
    expect_step(page, 4, "Check your answers")
    expect(page.get_by_text("Zoë Ørsted")).to_be_visible()
    expect(page.get_by_text("12-3456789")).to_be_visible()
    no_sideways_scroll(page, "step 4 at 375 px")
    assert_accessible(page, "step 4 (check your answers) on a phone")
    shot(page, "steps-4-check")
    page.get_by_role("link", name="Change the practice details").click()
    expect_step(page, 2, "Practice details")
    page.get_by_label("Phone", exact=True).fill("410-555-0199")
    page.get_by_role("button", name="Save and return to the summary").click()
    expect_step(page, 4, "Check your answers")
    expect(page.get_by_text("410-555-0199")).to_be_visible()

    page.get_by_label(re.compile("I attest that the information")).check()
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request was submitted")
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.contact_phone == "410-555-0199"
    context.close()


def test_a_request_in_steps_without_javascript_from_start_to_submit(browser, live_server):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    erin = UserFactory(email="nojs@example.org", full_name="No Script")
    draft = ExemptionRequest.objects.create(owner=erin, year=AdjustmentYear.objects.get(is_practice=True))
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False)
    context.add_cookies([session_cookie(erin, live_server.url)])
    page = context.new_page()
    page.goto(f"/requests/{draft.public_id}/edit/")
    expect_step(page, 1, "Affected EPs")
    fill_ep(page, 1, npi="1234567893", name="Nora Script", email="nora@example.org")
    page.get_by_role("button", name="Add another EP").click()
    expect(page.get_by_role("group", name="Affected EP 2")).to_be_visible()
    expect(page.get_by_role("group", name="Affected EP 1").get_by_label("Full name")).to_have_value("Nora Script")
    page.get_by_role("group", name="Affected EP 2").get_by_label("Full name").fill("Second Row")
    page.get_by_role("button", name="Save and continue").click()
    expect_step(page, 2, "Practice details")
    assert list(draft.affected_eps.order_by("position").values_list("name", flat=True)) == [
        "Nora Script",
        "Second Row",
    ]
    page.get_by_role("button", name="Back to step 1").click()
    page.get_by_role("group", name="Affected EP 2").get_by_label("Remove this EP").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("TIN", exact=True).fill("12-3456789")
    page.get_by_label("Phone", exact=True).fill("410-555-0100")
    page.get_by_role("button", name="Save and continue").click()
    expect_step(page, 3, "Hardship")
    page.get_by_label(re.compile("Unable to e-prescribe because of local")).check()
    page.get_by_label("Justification").fill("State rules.")
    page.get_by_role("button", name="Save and continue").click()
    expect_step(page, 4, "Check your answers")
    page.get_by_label(re.compile("I attest that the information")).check()
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your request was submitted")
    draft.refresh_from_db()
    assert draft.status == "submitted" and list(draft.affected_eps.values_list("name", flat=True)) == ["Nora Script"]
    context.close()


# The beacon sent on leaving may be saved before the reloaded page is drawn (it then shows the saved values), or
# after (the page puts the tab's copy back and saves it): either way the page ends up saying it is saved.
SAVED = re.compile(r"^(All changes saved at|Draft last saved at) \d{1,2}:\d\d [ap]\.m\. ET\.$")


def test_nothing_typed_is_lost_to_a_reload(browser, live_server):
    erin = UserFactory(email="reload@example.org", full_name="Rita Reload")
    draft = ExemptionRequest.objects.create(owner=erin, year=AdjustmentYear.objects.get(year=2013))
    context, page = signed_in(browser, live_server, erin, DESKTOP)
    # First without the beacon (as if it were lost): the tab's copy alone brings the typing back and saves it.
    page.add_init_script("navigator.sendBeacon = function () { return true; };")
    page.goto(f"/requests/{draft.public_id}/step/eps/")
    fill_ep(page, 1, npi="1234567893", name="Rita Reload", email="rita@example.org")
    page.get_by_role("button", name="Add another EP").click()
    page.get_by_role("group", name="Affected EP 2").get_by_label("Full name").fill("Typed Then Reloaded")
    page.reload()
    expect(page.get_by_role("group", name="Affected EP 2").get_by_label("Full name")).to_have_value(
        "Typed Then Reloaded"
    )
    expect(page.get_by_role("group", name="Affected EP 1").get_by_label("NPI")).to_have_value("1234567893")
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^All changes saved at"))
    assert sorted(draft.affected_eps.values_list("name", flat=True)) == ["Rita Reload", "Typed Then Reloaded"]

    context.close()

    # Then as it is: the beacon and the copy together.
    context, page = signed_in(browser, live_server, erin, DESKTOP)
    page.goto(f"/requests/{draft.public_id}/step/hardship/")
    page.get_by_label("Justification").fill("Typed a second before the reload.")
    page.reload()
    expect(page.get_by_label("Justification")).to_have_value("Typed a second before the reload.")
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)  # a busy server: one retry
    draft.refresh_from_db()
    assert draft.justification == "Typed a second before the reload."
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_the_group_task_list(browser, live_server, viewport):
    manager = UserFactory(email=f"office{viewport['width']}@example.org", full_name="Olive Office")
    group = complete_group(owner=manager, eps=1)
    context, page = signed_in(browser, live_server, manager, viewport)
    page.goto(f"/groups/{group.public_id}/")
    tasks = page.get_by_role("heading", name="Prepare the letter")
    expect(tasks).to_be_visible()
    expect(page.get_by_text("2 of 5 tasks completed.")).to_be_visible()
    expect(page.locator("#task-eps")).to_have_text("In progress")
    expect(page.locator("#task-letter")).to_have_text("Cannot start yet")
    no_sideways_scroll(page, f"the group page at {viewport['width']} px")
    assert_accessible(page, f"the group task list at {viewport['width']} px")
    if viewport == PHONE:
        shot(page, "steps-group-tasks")

    # The EPs task: the list comes first, and one more EP typed in completes it.
    page.get_by_role("link", name=re.compile(r"^Affected EPs \(1\)")).click()
    assert page.locator("#list-heading").bounding_box()["y"] < page.locator("#import-heading").bounding_box()["y"]
    confirm = page.get_by_label("Yes, remove every EP listed now and keep only the EPs in the file")
    expect(page.get_by_label("Add the file's EPs to the list")).to_be_checked()  # the import adds by default
    expect(confirm).to_be_hidden()
    page.get_by_label("Replace the whole list with the file").check()
    expect(confirm).to_be_visible()
    page.get_by_label("Add the file's EPs to the list").check()
    page.get_by_role("button", name="Add another EP").click()
    row = page.get_by_role("group", name="Affected EP 1")
    row.get_by_label("NPI").fill("1558598797")
    row.get_by_label("Full name").fill("Second Doctor")
    row.get_by_label("Street address").fill("2 Oak Ave")
    row.get_by_label("City").fill("Towson")
    row.get_by_label("State").select_option("MD")
    row.get_by_label("ZIP code").fill("21204")
    row.get_by_label("Email").fill("second@example.org")
    assert_accessible(page, f"the group's EP page at {viewport['width']} px")
    screenshot(page, f"group-eps-{viewport['width']}")
    page.get_by_role("button", name="Save these EPs to the list").click()
    # Below 576 px the stacked table names each cell with its column label too.
    expect(page.get_by_role("cell", name=re.compile(r"^(Name )?Second Doctor$"))).to_be_visible()
    page.get_by_role("link", name="Back to the group letter").click()
    expect(page.locator("#task-eps")).to_have_text("Completed")
    expect(page.locator("#task-letter")).to_have_text("Not started")
    context.close()
