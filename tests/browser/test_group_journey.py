"""A group practice in a real browser: details, EPs from a CSV file, the letter, its download, mailed."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exemptions.documents.letters import CMS_ADDRESS
from exemptions.models import ExemptionRequest
from tests.browser.conftest import assert_accessible, screenshot, session_cookie
from tests.factories import UserFactory
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "npi,name,address_line1,address_line2,city,state,zip_code,email\r\n"
    "1234567893,José Núñez,1 Main St,,Towson,MD,21204,jose@example.org\r\n"
    "1558598797,王小明,2 Oak Ave,Suite 4,Baltimore,MD,21201,wang@example.org\r\n"
    "1528060837,Zoë Ørsted,3 Elm Rd,,Columbia,MD,21044,zoe@example.org\r\n"
)


def test_group_fills_imports_generates_downloads_and_marks_mailed(page, live_server, tmp_path):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    manager = UserFactory(email="office@example.org", full_name="Olive Office")
    page.context.add_cookies([session_cookie(manager, live_server.url)])

    page.goto("/groups/new/")
    assert_accessible(page, "the group start page")
    page.get_by_role("button", name="Start a 2099 group letter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Group details for the 2099 letter")
    page.get_by_role("textbox", name="Group legal name").fill("Chesapeake Family Medicine, P.A.")
    page.get_by_role("textbox", name="Group TIN").fill("12-3456789")
    page.get_by_label("GPRO I", exact=True).check()
    page.get_by_label("GPRO program year").select_option("2011")
    page.get_by_role("textbox", name="Contact person").fill("Olive Office")
    page.get_by_role("textbox", name="Contact's title").fill("Practice manager")
    page.get_by_role("textbox", name="Contact's phone").fill("410-555-0123")
    page.get_by_role("textbox", name="Contact's email").fill("office@example.org")
    page.get_by_role("textbox", name="Street address").fill("100 Harbor Dr")
    page.get_by_role("textbox", name="City").fill("Annapolis")
    page.get_by_role("combobox", name="State").select_option("MD")
    page.get_by_role("textbox", name="ZIP code").fill("21401")
    page.get_by_label(re.compile("Unable to e-prescribe because of local")).check()
    page.get_by_role("textbox", name="Justification").fill("Maryland rules barred e-prescribing for our group in 2011.")
    page.get_by_label(re.compile("I attest that the information")).check()
    assert_accessible(page, "the group details form")
    page.get_by_role("button", name="Save group details").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GPRO group letter")

    page.get_by_role("link", name=re.compile(r"^Affected EPs \(0\)")).click()
    csv_path = tmp_path / "eps.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + CSV.encode())
    page.get_by_label("CSV file of affected EPs").set_input_files(str(csv_path))
    page.get_by_role("button", name="Import the file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(3)")
    expect(page.get_by_role("cell", name="王小明", exact=True)).to_be_visible()
    assert_accessible(page, "the EP list after a CSV import")

    page.get_by_role("link", name="Back to the group letter").click()
    page.get_by_role("button", name="Generate the letter").click()
    group = ExemptionRequest.objects.get(owner=manager)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Group letter {group.reference}")
    expect(page.get_by_role("link", name=re.compile("Download the letter"))).to_be_visible()
    assert_accessible(page, "the letter page")
    screenshot(page, "group-letter")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the letter")).click()
    text = pdf_text(open(download.value.path(), "rb").read())
    for line in CMS_ADDRESS:
        assert line in text
    assert group.reference in text and "12-3456789" in text
    for npi in ("1234567893", "1558598797", "1528060837"):
        assert npi in text

    page.get_by_role("link", name="mark it as mailed").click()
    page.get_by_label("Date you mailed the letter").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the mailing date").click()
    expect(page.get_by_role("status").last).to_contain_text("Mailed on")
    group.refresh_from_db()
    assert group.status == "mailed" and group.mailed_on == timezone.localdate()
