"""Loading the published NPPES file: monthly replacement swapped in at the end, weekly upserts, bad rows reported by
line and never fatal, files that cannot be a registry refused with nothing changed. Files are generated here."""

from __future__ import annotations

import datetime as dt
import io

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from exemptions.models import RegistryEntry, RegistryFile
from exemptions.nppes import PUBLISHED_HEADER
from exemptions.registry_sample import published_row, sample_rows, write_published_file
from exemptions.selectors.registry import Finding, registry_check
from exemptions.services import registry as service
from exemptions.services.registry import RegistryFileRefused, registry_load

pytestmark = pytest.mark.django_db

MONTHLY = "npidata_pfile_20050523-20250608.csv"
WEEKLY = "npidata_pfile_20250609-20250615.csv"
JONES, ACME, GONE, NEW = "1234567893", "1245319599", "1003000126", "1558598797"


def jones(**changes):
    fields = {"npi": JONES, "entity_type": "1", "last_name": "JONES", "first_name": "MARGARET", "credential": "MD"}
    return published_row(**(fields | changes))


def registry_bytes(rows, header=PUBLISHED_HEADER) -> bytes:
    text = io.StringIO(newline="")
    write_published_file(text, rows, header)
    return text.getvalue().encode()


def load(data: bytes, name: str = MONTHLY, **options) -> RegistryFile:
    return registry_load(stream=io.BytesIO(data), name=name, **options)


def monthly(*rows) -> RegistryFile:
    return load(registry_bytes(rows or [jones(), published_row(npi=ACME, entity_type="2", organization_name="ACME")]))


def test_a_monthly_file_loads_what_the_portal_needs_and_records_its_date():
    row = jones(middle_name="ANN", mailing_city="TOWSON", practice_postal_code="212041234")
    row |= published_row(enumerated_on=dt.date(2005, 5, 23), replacement_npi="", other_last_name="SMITH")
    row |= {"Healthcare Provider Taxonomy Code_1": "208D00000X", "Healthcare Provider Primary Taxonomy Switch_1": "N"}
    row |= {"Healthcare Provider Taxonomy Code_2": "207R00000X", "Healthcare Provider Primary Taxonomy Switch_2": "Y"}
    row |= {"Provider Gender Code": "F", "Other Provider Identifier_7": "X123"}  # not kept
    loaded = load(registry_bytes([row, published_row(npi=ACME, entity_type="2", organization_name="ACME, LLC")]))

    assert (loaded.status, loaded.kind, loaded.rows, loaded.bad_rows) == ("loaded", "monthly", 2, 0)
    assert loaded.file_date == dt.date(2025, 6, 8) and loaded.finished_at is not None
    entry = RegistryEntry.objects.get(npi=JONES)
    assert (entry.last_name, entry.middle_name, entry.other_last_name) == ("JONES", "ANN", "SMITH")
    assert (entry.mailing_city, entry.practice_postal_code) == ("TOWSON", "212041234")
    assert entry.taxonomy_code == "207R00000X"  # the one switched primary, not the first
    assert entry.enumerated_on == dt.date(2005, 5, 23) and entry.entity_type == 1
    assert registry_check(JONES, "Margaret Jones").who == "JONES, MARGARET A, MD - Internal Medicine"
    assert registry_check(ACME).finding is Finding.ORGANIZATION


def test_columns_are_found_by_name_whatever_their_order():
    load(registry_bytes([jones(taxonomy_code="207Q00000X")], header=list(reversed(PUBLISHED_HEADER))))
    assert RegistryEntry.objects.get(npi=JONES).taxonomy_code == "207Q00000X"


def test_a_monthly_file_replaces_the_registry():
    monthly()
    load(registry_bytes([jones()]), name="npidata_pfile_20050523-20250713.csv")
    assert list(RegistryEntry.objects.values_list("npi", flat=True)) == [JONES]
    assert registry_check(ACME).finding is Finding.NOT_FOUND


def test_a_weekly_file_updates_names_adds_npis_and_deactivates():
    monthly(jones(), published_row(npi=GONE, entity_type="1", last_name="SMITH"))
    changes = [
        jones(last_name="JONES-BAKER"),
        published_row(npi=NEW, entity_type="1", last_name="EXAMPLE", first_name="BEN"),
        published_row(npi=GONE, deactivated_on=dt.date(2025, 6, 10)),
    ]
    weekly = load(registry_bytes(changes), name=WEEKLY, weekly=True)

    assert (weekly.kind, weekly.rows, weekly.file_date) == ("weekly", 3, dt.date(2025, 6, 15))
    assert RegistryEntry.objects.get(npi=JONES).last_name == "JONES-BAKER"
    assert registry_check(NEW, "Ben Example").finding is Finding.MATCH
    assert registry_check(GONE).finding is Finding.DEACTIVATED
    assert registry_check(GONE).file_date == dt.date(2025, 6, 15)  # the newest file is the one quoted
    assert RegistryEntry.objects.count() == 3


def test_a_weekly_file_before_any_monthly_one_is_refused():
    with pytest.raises(RegistryFileRefused, match="no monthly file has been loaded yet"):
        load(registry_bytes([jones()]), name=WEEKLY, weekly=True)
    assert not RegistryEntry.objects.exists() and not RegistryFile.objects.exists()


def test_a_weekly_file_older_than_the_monthly_one_and_a_weekly_file_loaded_as_monthly_are_refused():
    monthly()
    with pytest.raises(RegistryFileRefused, match="older than the monthly file of 2025-06-08"):
        load(registry_bytes([jones(last_name="OLD")]), name="npidata_pfile_20250526-20250601.csv", weekly=True)
    with pytest.raises(RegistryFileRefused, match="looks like a weekly update"):
        load(registry_bytes([jones(last_name="OLD")]), name=WEEKLY)
    assert RegistryEntry.objects.get(npi=JONES).last_name == "JONES" and RegistryFile.objects.count() == 1


def test_a_file_without_a_date_needs_one():
    with pytest.raises(RegistryFileRefused, match="--file-date"):
        load(registry_bytes([jones()]), name="registry.csv")
    assert load(registry_bytes([jones()]), name="registry.csv", file_date=dt.date(2025, 7, 1)).rows == 1


def test_a_wrong_header_is_refused_and_nothing_changes():
    monthly()
    header = [c for c in PUBLISHED_HEADER if c != "NPI"]
    with pytest.raises(RegistryFileRefused, match='header lacks "NPI"'):
        load(registry_bytes([jones()], header=header))
    with pytest.raises(RegistryFileRefused, match="not a published NPPES file"):
        load(b"npi,name\n1234567893,Jones\n")
    assert RegistryEntry.objects.count() == 2 and RegistryFile.objects.count() == 1


def test_an_empty_file_is_refused_and_a_header_only_file_fails_without_changing_anything():
    monthly()
    with pytest.raises(RegistryFileRefused, match="empty"):
        load(b"")
    with pytest.raises(RegistryFileRefused, match="no valid rows"):
        load(registry_bytes([]))
    assert RegistryEntry.objects.count() == 2
    assert RegistryFile.objects.get(rows=0).status == "failed"
    assert registry_check(JONES).file_date == dt.date(2025, 6, 8)


def test_bad_rows_are_reported_by_the_line_they_start_on_and_the_rest_loads():
    rows = [
        published_row(npi=ACME, entity_type="2", organization_name='ACME, "THE CLINIC",\nSUITE 2'),  # lines 2-3
        jones(npi="1234567890"),  # line 4: check digit
        jones(),  # line 5
        jones(last_name="COPY"),  # line 6: the same NPI again
        published_row(npi=GONE, enumerated_on="13/45/2005"),  # line 7
    ]
    data = registry_bytes(rows)
    data += b'"1558598797","1","","","",' + b'"BAKER\nBEN"\r\n'  # lines 8-9: too few columns
    data += registry_bytes([published_row(npi=NEW, last_name="EXAMPLE")]).split(b"\r\n", 1)[1][:120]  # cut off

    loaded = load(data)

    assert loaded.rows == 2 and loaded.bad_rows == 5
    assert loaded.bad_lines == [
        [4, 'NPI "1234567890" is not a valid NPI'],
        [6, "NPI 1234567893 appears again (the first row with it is kept)"],
        [7, 'date "13/45/2005" is not a date (MM/DD/YYYY)'],
        [8, "has 6 columns; the header has 330"],
        [10, "has 35 columns; the header has 330"],
    ]
    assert RegistryEntry.objects.get(npi=ACME).organization_name == 'ACME, "THE CLINIC",\nSUITE 2'
    assert RegistryEntry.objects.get(npi=JONES).last_name == "JONES"


def test_bytes_that_are_not_utf8_are_replaced_and_the_row_kept():
    data = registry_bytes([jones(last_name="MULLERX")]).replace(b"MULLERX", b"M\xfcLLER")
    loaded = load(data)
    assert loaded.rows == 1 and loaded.bad_rows == 0
    assert RegistryEntry.objects.get(npi=JONES).last_name == "M\ufffdLLER"


def test_only_the_first_hundred_bad_lines_are_kept_but_all_are_counted():
    loaded = load(registry_bytes([jones(), *(jones(npi="1234567890") for _ in range(150))]))
    assert loaded.bad_rows == 150 and len(loaded.bad_lines) == 100 and loaded.bad_lines[-1][0] == 102


def test_a_failure_mid_load_leaves_the_previous_registry_answering(monkeypatch):
    monthly()
    monkeypatch.setattr(service, "PROGRESS_EVERY", 1)

    def interrupted(rows, bytes_read):
        raise KeyboardInterrupt  # Ctrl-C after the first row

    with pytest.raises(KeyboardInterrupt):
        load(registry_bytes([jones(npi=NEW), jones(npi=GONE)]), name="npidata_pfile_20050523-20250713.csv",
             progress=interrupted)  # fmt: skip

    assert sorted(RegistryEntry.objects.values_list("npi", flat=True)) == [JONES, ACME]
    failed = RegistryFile.objects.get(file_date=dt.date(2025, 7, 13))
    assert failed.status == "failed" and failed.error == "Interrupted (Ctrl-C)."
    assert registry_check(JONES).file_date == dt.date(2025, 6, 8)
    assert service.LOAD_TABLE not in connection.introspection.table_names()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_another_connection_reads_the_old_rows_until_the_swap(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY and swap are PostgreSQL's")
    monthly()
    monkeypatch.setattr(service, "PROGRESS_EVERY", 1)
    settings = connection.settings_dict
    seen = []
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None, autocommit=True,
    ) as other:  # fmt: skip

        def during_the_load(rows, bytes_read):
            seen.append(sorted(r[0] for r in other.execute("SELECT npi FROM exemptions_registryentry")))

        load(registry_bytes([jones(npi=NEW)]), name="npidata_pfile_20050523-20250713.csv", progress=during_the_load)
        after = sorted(r[0] for r in other.execute("SELECT npi FROM exemptions_registryentry"))

    assert seen and all(npis == [JONES, ACME] for npis in seen)
    assert after == [NEW]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'exemptions_registryentry'")
        names = {row[0] for row in cursor.fetchall()}
    assert "exemptions_registryentry_pkey" in names and not any(n.endswith("_load") for n in names)


def test_the_command_prints_a_summary_and_refuses_in_plain_words(tmp_path):
    path = tmp_path / MONTHLY
    path.write_bytes(registry_bytes([jones(), jones(npi="1234567890")]))
    out = io.StringIO()
    call_command("nppes_import", str(path), stdout=out)
    assert "Monthly (full replacement) file of 2025-06-08 loaded: 1 rows, 1 bad" in out.getvalue()
    assert 'line 3: NPI "1234567890" is not a valid NPI' in out.getvalue()

    weekly = tmp_path / "update.csv"
    weekly.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("nppes_import", str(weekly), "--weekly", "--file-date", "2025-06-15", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("nppes_import", str(tmp_path / "missing.csv"), stdout=io.StringIO())


def test_seed_demo_loads_the_generated_sample_once_and_never_over_a_real_registry():
    call_command("seed_demo", registry_sample=True, stdout=io.StringIO())
    sample = RegistryFile.objects.get()
    assert sample.status == "loaded" and sample.rows == 200 and "sample" in sample.name
    assert registry_check("1234567893", "Ana Example").finding is Finding.MATCH
    assert registry_check("1003000126").finding is Finding.DEACTIVATED
    assert registry_check("1245319599").finding is Finding.ORGANIZATION
    call_command("seed_demo", registry_sample=True, stdout=io.StringIO())
    assert RegistryFile.objects.count() == 1


def test_the_sample_is_in_the_published_layout():
    data = registry_bytes(sample_rows(50))
    assert data.startswith(b'"NPI","Entity Type Code","Replacement NPI",')
    assert data.splitlines()[1].count(b'","') == 329 and len(PUBLISHED_HEADER) == 330


def test_staff_see_the_file_date_and_can_look_an_npi_up(admin_client):
    monthly()
    files = admin_client.get("/admin/exemptions/registryfile/").content.decode()
    assert MONTHLY in files and "June 8, 2025" in files
    found = admin_client.get("/admin/exemptions/registryentry/", {"q": JONES}).content.decode()
    assert "JONES, MARGARET" in found and "ACME" not in found
    assert admin_client.get(f"/admin/exemptions/registryentry/{JONES}/change/").status_code == 200


def test_a_load_left_loading_by_a_killed_process_is_marked_failed_by_the_next_one():
    killed = RegistryFile.objects.create(kind="monthly", name=MONTHLY, file_date=dt.date(2025, 6, 8))
    monthly()
    killed.refresh_from_db()
    assert killed.status == "failed" and killed.error.startswith("Interrupted")
