"""The NPI registry on the EP's pages: the lookup while typing, the findings after a save without JavaScript, and
the CSV import's line-by-line report that is noted before the file is imported. Warnings never block."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exemptions import csv_import
from exemptions.models import RegistryEntry
from tests.factories import complete_draft
from tests.helpers import ep_row, form_data
from tests.test_groups_support import complete_group, npi
from tests.test_registry_findings import ACME, GONE, JONES, UNKNOWN, registry  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

HEADER = "npi,name,address_line1,address_line2,city,state,zip_code,email"
JONES_SAYS = "NPI registry: JONES, MARGARET A, MD - Internal Medicine"
GONE_SAYS = (
    "NPI 1003000126 (SMITH, JOHN) is deactivated since May 1, 2024 in the NPI registry of June 8, 2025; "
    "its replacement is NPI 1234567893."
)


def lookup(client, number: str, name: str = ""):
    return client.get(reverse("exemptions:registry_npi", args=[number]), {"name": name})


# --- the lookup behind the note shown while typing ---


@pytest.mark.parametrize(
    ("number", "name", "finding", "warning", "said"),
    [
        (JONES, "Margaret Jones", "match", False, "NPI 1234567893 is JONES, MARGARET A, MD - Internal Medicine."),
        (UNKNOWN, "Anyone", "not_found", True, "NPI 1558598797 is not in the NPI registry of June 8, 2025"),
        (GONE, "John Smith", "deactivated", True, GONE_SAYS),
        (ACME, "Acme", "organization", True, "belongs to an organization (ACME FAMILY CLINIC LLC), not to a person"),
        (JONES, "Robert Brown", "name_differs", True, "the name typed differs. Check it is the right NPI."),
    ],
)
def test_lookup_says_whose_the_npi_is_or_warns(client, ep, registry, number, name, finding, warning, said):  # noqa: F811
    client.force_login(ep)
    answer = lookup(client, number, name).json()
    assert answer["finding"] == finding and answer["warning"] is warning
    assert said in answer["message"]


def test_lookup_of_a_match_names_the_professional(client, ep, registry):  # noqa: F811
    client.force_login(ep)
    assert lookup(client, JONES, "Dr. Margaret A. Jones").json() == {
        "finding": "match",
        "message": "NPI 1234567893 is JONES, MARGARET A, MD - Internal Medicine.",
        "who": "JONES, MARGARET A, MD - Internal Medicine",
        "warning": False,
    }


def test_lookup_of_an_npi_failing_its_check_digit_asks_no_registry(client, ep, registry):  # noqa: F811
    client.force_login(ep)
    with CaptureQueriesContext(connection) as queries:
        answer = lookup(client, "1234567890", "Anyone").json()
    assert answer["finding"] == "invalid" and answer["warning"] is True
    assert "check digit" in answer["message"]
    assert not [q for q in queries.captured_queries if "registryentry" in q["sql"]]


def test_lookup_without_a_registry_says_nothing(client, ep):
    client.force_login(ep)
    assert lookup(client, JONES, "Anyone").json() == {
        "finding": "no_registry",
        "message": "",
        "who": "",
        "warning": False,
    }


def test_lookup_for_an_anonymous_visitor_answers_401_and_looks_nothing_up(client, registry):  # noqa: F811
    response = lookup(client, JONES)
    assert response.status_code == 401
    assert "finding" not in response.json()


def test_lookup_answers_only_get(client, ep, registry):  # noqa: F811
    client.force_login(ep)
    assert client.post(reverse("exemptions:registry_npi", args=[JONES])).status_code == 405


def test_lookups_are_limited_per_account_with_a_json_429(client, ep, other_ep, registry, settings):  # noqa: F811
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "registry_lookup": "3/m/user"}
    client.force_login(ep)
    assert [lookup(client, JONES).status_code for _ in range(3)] == [200, 200, 200]
    limited = lookup(client, JONES)
    assert limited.status_code == 429
    assert limited.json() == {
        "message": "Too many NPI checks in a minute: the check pauses briefly. Saving is not affected."
    }
    client.force_login(other_ep)
    assert lookup(client, JONES).json()["finding"] == "match"  # another account has its own count


@pytest.mark.parametrize(
    ("number", "finding"),
    [
        ("abc", "invalid"),
        ("\x00", "invalid"),
        ("9" * 300, "invalid"),
        ("-1", "invalid"),
        ("１２３４５６７８９３", "name_differs"),
    ],
)
def test_lookup_of_odd_input_answers_a_finding_never_a_500(client, ep, registry, number, finding):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(ep)
    response = lookup(client, number, "x" * 5000)
    assert response.status_code == 200
    assert response.json()["finding"] == finding  # fullwidth digits are the NPI they look like


def test_a_nul_in_the_typed_name_is_refused_not_a_500(client, ep, registry):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(ep)
    assert lookup(client, JONES, "Jo\x00nes").status_code == 400


# --- the same findings after a save, without JavaScript ---


def test_the_draft_shows_the_registry_findings_of_its_eps_after_a_save(client, ep, registry):  # noqa: F811
    draft = complete_draft(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:request_step", args=[draft.public_id, "eps"])
    eps = [ep_row(npi=JONES, name="Margaret Jones"), ep_row(npi=GONE, name="John Smith")]
    response = client.post(url, form_data(eps=eps), follow=True)
    page = response.content.decode()
    assert "Draft saved" in page  # a warning never blocks the save
    assert sorted(draft.affected_eps.values_list("npi", flat=True)) == sorted([JONES, GONE])
    assert JONES_SAYS in page
    assert f"Registry warning:</strong> {GONE_SAYS}" in page
    assert 'id="ep-1-registry" aria-live="polite"' in page


def test_a_refused_save_shows_the_findings_of_the_rows_as_typed(client, ep, registry):  # noqa: F811
    draft = complete_draft(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:request_edit", args=[draft.public_id])
    response = client.post(url, form_data(eps=[ep_row(npi=UNKNOWN, name="Zoe")], tin="07-1234567"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "NPI 1558598797 is not in the NPI registry of June 8, 2025: check for a typo." in page


def test_without_a_registry_the_pages_say_nothing_about_it(client, ep):
    draft = complete_draft(owner=ep)
    client.force_login(ep)
    page = client.get(reverse("exemptions:request_edit", args=[draft.public_id]), follow=True).content.decode()
    assert "NPI registry" not in page and "Registry warning" not in page


def test_the_request_page_lists_the_registry_warnings(client, ep, registry):  # noqa: F811
    draft = complete_draft(owner=ep, npis=(JONES, ACME))
    client.force_login(ep)
    page = client.get(reverse("exemptions:request_detail", args=[draft.public_id])).content.decode()
    assert "belongs to an organization (ACME FAMILY CLINIC LLC)" in page
    assert "the name typed differs" in page  # "EP 1" is not JONES, MARGARET


def test_the_group_ep_list_shows_findings_after_eps_are_added_by_hand(client, ep, registry):  # noqa: F811
    group = complete_group(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:group_eps", args=[group.public_id])
    data = {
        "ep-TOTAL_FORMS": "1",
        "ep-INITIAL_FORMS": "0",
        **{f"ep-0-{k}": v for k, v in ep_row(npi=GONE, name="John Smith").items()},
    }
    page = client.post(url, data, follow=True).content.decode()
    assert "1 EP(s) added" in page
    assert GONE_SAYS in page
    assert "is not in the NPI registry" in page  # the group's first two EPs were never enumerated
    detail = client.get(reverse("exemptions:group_detail", args=[group.public_id])).content.decode()
    assert "3 with a warning from the NPI registry" in detail


# --- the CSV import: the registry's findings by line, noted before anything is imported ---


def csv_file(rows: list[tuple[str, str]]) -> SimpleUploadedFile:
    lines = [HEADER] + [f"{n},{name},1 Main St,,Towson,MD,21204,ep{i}@example.org" for i, (n, name) in enumerate(rows)]
    return SimpleUploadedFile("eps.csv", ("\r\n".join(lines) + "\r\n").encode())


def known_doctors(count: int) -> list[tuple[str, str]]:
    """`count` EPs whose NPIs the registry knows by the names typed."""
    RegistryEntry.objects.bulk_create(
        [RegistryEntry(npi=npi(n), entity_type=1, last_name="DOC", first_name=f"N{n}") for n in range(count)]
    )
    return [(npi(n), f"N{n} Doc") for n in range(count)]


def test_import_findings_are_reported_by_line_number(registry):  # noqa: F811
    rows = known_doctors(1100)
    rows[1035] = (GONE, "John Smith")  # line 1,037 of the file: the header is line 1
    result = csv_import.parse_eps(csv_file(rows).read())
    csv_import.add_registry_findings(result)
    assert result.ok
    assert result.warnings == [f"Line 1,037: {GONE_SAYS}"]


def test_a_file_with_warnings_is_imported_only_once_they_are_noted(client, ep, registry):  # noqa: F811
    group = complete_group(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:group_eps_import", args=[group.public_id])
    rows = [(JONES, "Margaret Jones"), (GONE, "John Smith"), (UNKNOWN, "Zoe Example")]
    report = client.post(url, {"mode": "replace", "replace_confirmed": "on", "file": csv_file(rows)})
    page = report.content.decode()
    assert report.status_code == 200
    assert "Nothing is imported yet: the NPI registry warns about 2 lines" in page
    assert f"<li>Line 3: {GONE_SAYS}</li>" in page
    assert "<li>Line 4: NPI 1558598797 is not in the NPI registry of June 8, 2025: check for a typo.</li>" in page
    assert "Import anyway; the warnings above are noted" in page
    assert group.affected_eps.count() == 2 and not group.affected_eps.filter(npi=JONES).exists()

    upload = report.context["confirm_form"]["upload"].value()
    unticked = client.post(url, {"upload": upload})
    assert unticked.status_code == 400
    assert "Check the box to import the file with these warnings" in unticked.content.decode()
    assert group.affected_eps.count() == 2 and not group.affected_eps.filter(npi=JONES).exists()

    done = client.post(url, {"upload": upload, "confirm": "on"}, follow=True)
    assert "Imported 3 EP(s). 2 registry warning(s) noted." in done.content.decode()
    assert list(group.affected_eps.order_by("position").values_list("npi", flat=True)) == [JONES, GONE, UNKNOWN]


def test_a_file_without_warnings_imports_at_once(client, ep, registry):  # noqa: F811
    group = complete_group(owner=ep)
    client.force_login(ep)
    rows = known_doctors(5)
    response = client.post(
        reverse("exemptions:group_eps_import", args=[group.public_id]),
        {"mode": "replace", "replace_confirmed": "on", "file": csv_file(rows)},
    )
    assert response.status_code == 302
    assert sorted(group.affected_eps.values_list("npi", flat=True)) == sorted(n for n, _ in rows)


def test_errors_still_refuse_the_file_and_its_warnings_are_listed_with_them(client, ep, registry):  # noqa: F811
    group = complete_group(owner=ep)
    client.force_login(ep)
    rows = [(GONE, "John Smith"), ("1234567890", "Bad Number")]
    response = client.post(
        reverse("exemptions:group_eps_import", args=[group.public_id]),
        {"mode": "replace", "replace_confirmed": "on", "file": csv_file(rows)},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in page and "Line 3, NPI “1234567890”" in page
    assert f"Line 2: {GONE_SAYS}" in page
    assert "Import anyway" not in page


def test_a_confirmation_is_bound_to_its_group_and_expires(client, ep, registry):  # noqa: F811
    group, other_group = complete_group(owner=ep), complete_group(owner=ep, tin="234567890")
    client.force_login(ep)
    report = client.post(
        reverse("exemptions:group_eps_import", args=[group.public_id]),
        {"mode": "add", "file": csv_file([(GONE, "John Smith")])},
    )
    upload = report.context["confirm_form"]["upload"].value()
    elsewhere = client.post(
        reverse("exemptions:group_eps_import", args=[other_group.public_id]), {"upload": upload, "confirm": "on"}
    )
    assert elsewhere.status_code == 400
    assert "This confirmation has expired or cannot be read" in elsewhere.content.decode()
    url = reverse("exemptions:group_eps_import", args=[group.public_id])
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=2)):
        client.force_login(ep)  # signed in again: the session's idle limit is shorter
        late = client.post(url, {"upload": upload, "confirm": "on"})
    assert late.status_code == 400
    assert client.post(url, {"upload": upload[:-3] + "abc", "confirm": "on"}).status_code == 400
    assert not group.affected_eps.filter(npi=GONE).exists() and not other_group.affected_eps.filter(npi=GONE).exists()
    client.post(url, {"upload": upload, "confirm": "on"})
    assert group.affected_eps.filter(npi=GONE).exists()  # add mode, as chosen with the file


def test_another_account_cannot_confirm_an_import_of_a_group_it_does_not_own(client, ep, other_ep, registry):  # noqa: F811
    group = complete_group(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:group_eps_import", args=[group.public_id])
    upload = client.post(
        url, {"mode": "replace", "replace_confirmed": "on", "file": csv_file([(GONE, "John Smith")])}
    ).context["confirm_form"]
    client.force_login(other_ep)
    assert client.post(url, {"upload": upload["upload"].value(), "confirm": "on"}).status_code == 404
    assert not group.affected_eps.filter(npi=GONE).exists()
