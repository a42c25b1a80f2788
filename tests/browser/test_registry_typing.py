"""Typing an NPI in a real browser: the registry's word appears under the row, politely announced, and the
page stays accessible; a typo is said at once and the note follows what is typed now, never an older answer."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from exemptions.models import RegistryEntry, RegistryFile
from tests.browser.conftest import assert_accessible, screenshot, session_cookie
from tests.factories import UserFactory, complete_draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_typing_an_npi_shows_whose_it_is_and_warns_of_a_deactivated_one(page, live_server):
    RegistryFile.objects.create(
        kind="monthly", name="npidata_pfile_20250602-20250608.csv", file_date=dt.date(2025, 6, 8), status="loaded"
    )
    RegistryEntry.objects.create(
        npi="1234567893", entity_type=1, last_name="JONES", first_name="MARGARET", middle_name="ANN",
        credential="MD", taxonomy_code="207R00000X",
    )  # fmt: skip
    RegistryEntry.objects.create(
        npi="1003000126", entity_type=1, last_name="SMITH", first_name="JOHN",
        deactivated_on=dt.date(2024, 5, 1), replacement_npi="1234567893",
    )  # fmt: skip
    erin = UserFactory(email="erin@example.org", full_name="Erin Example")
    draft = complete_draft(owner=erin, npis=("1558598797",))
    page.context.add_cookies([session_cookie(erin, live_server.url)])
    page.goto(f"/requests/{draft.public_id}/step/eps/")

    row = page.get_by_role("group", name="Affected EP 1")
    note = row.locator("[aria-live='polite']")
    npi = row.get_by_label("NPI")
    row.get_by_label("Full name").fill("Margaret Jones")
    npi.fill("")
    npi.press_sequentially("1234567893")
    expect(note).to_have_text("NPI registry: JONES, MARGARET A, MD - Internal Medicine")
    expect(npi).to_have_attribute("aria-describedby", re.compile(r"\bep-0-registry\b"))  # after its hint
    assert_accessible(page, "the request form with a registry note")
    screenshot(page, "registry-typing-match")

    npi.fill("100300012")
    expect(note).to_have_text("")  # incomplete: the old note goes at once
    npi.press_sequentially("6")
    expect(note).to_contain_text("Registry warning: NPI 1003000126 (SMITH, JOHN) is deactivated since May 1, 2024")
    expect(note).to_contain_text("its replacement is NPI 1234567893.")
    npi.fill("1234567890")
    expect(note).to_contain_text("is not a valid NPI")
    assert_accessible(page, "the request form with a registry warning")
    screenshot(page, "registry-typing-warning")

    npi.fill("1003000126")
    page.get_by_role("button", name="Save and come back later").click()  # the warning never blocks a save
    expect(page.get_by_role("status").first).to_contain_text("Draft saved")
    expect(page.get_by_role("group", name="Affected EP 1").locator("[aria-live='polite']")).to_contain_text(
        "is deactivated since May 1, 2024"
    )
    assert list(draft.affected_eps.values_list("npi", flat=True)) == ["1003000126"]
