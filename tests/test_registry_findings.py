"""What the NPI registry says about a typed NPI: the findings the pages, the CSV import and the staff screen show."""

from __future__ import annotations

import datetime as dt

import pytest

from exemptions.models import RegistryEntry, RegistryFile
from exemptions.selectors.registry import Finding, registry_check, registry_check_many

pytestmark = pytest.mark.django_db

JONES = "1234567893"
ACME = "1245319599"
GONE = "1003000126"
UNKNOWN = "1558598797"


@pytest.fixture
def registry():
    RegistryFile.objects.create(
        kind="monthly", name="npidata_pfile_20250602-20250608.csv", file_date=dt.date(2025, 6, 8), status="loaded"
    )
    RegistryEntry.objects.create(
        npi=JONES,
        entity_type=1,
        last_name="JONES",
        first_name="MARGARET",
        middle_name="ANN",
        credential="MD",
        taxonomy_code="207R00000X",
    )
    RegistryEntry.objects.create(npi=ACME, entity_type=2, organization_name="ACME FAMILY CLINIC LLC")
    RegistryEntry.objects.create(
        npi=GONE,
        entity_type=1,
        last_name="SMITH",
        first_name="JOHN",
        deactivated_on=dt.date(2024, 5, 1),
        replacement_npi=JONES,
    )


def test_without_a_registry_nothing_is_said():
    assert registry_check(JONES, "Anyone").finding is Finding.NO_REGISTRY
    assert registry_check(JONES, "Anyone").message == ""


def test_a_complete_npi_says_whose_it_is(registry):
    finding = registry_check(JONES, "Dr. Margaret A. Jones, MD")
    assert finding.finding is Finding.MATCH and not finding.is_warning
    assert finding.who == "JONES, MARGARET A, MD - Internal Medicine"


def test_a_different_name_is_a_warning_not_a_block(registry):
    finding = registry_check(JONES, "Robert Brown")
    assert finding.finding is Finding.NAME_DIFFERS and finding.is_warning
    assert finding.message == (
        "NPI 1234567893 is JONES, MARGARET A, MD - Internal Medicine in the NPI registry of June 8, 2025: "
        "the name typed differs. Check it is the right NPI."
    )


def test_not_in_the_registry_deactivated_and_organization_are_said_plainly(registry):
    missing, gone, clinic = registry_check_many([(UNKNOWN, "X"), (GONE, "John Smith"), (ACME, "Acme")])
    assert missing.message == "NPI 1558598797 is not in the NPI registry of June 8, 2025: check for a typo."
    assert gone.message == (
        "NPI 1003000126 (SMITH, JOHN) is deactivated since May 1, 2024 in the NPI registry of June 8, 2025; "
        "its replacement is NPI 1234567893."
    )
    assert clinic.finding is Finding.ORGANIZATION


def test_a_reactivated_npi_is_active_again(registry):
    RegistryEntry.objects.filter(npi=GONE).update(reactivated_on=dt.date(2024, 9, 1))
    assert registry_check(GONE, "John Smith").finding is Finding.MATCH


def test_an_npi_failing_its_check_digit_is_never_looked_up(registry, django_assert_num_queries):
    with django_assert_num_queries(1):  # the registry file only: no entry query
        finding = registry_check("1234567890", "Anyone")
    assert finding.finding is Finding.INVALID
