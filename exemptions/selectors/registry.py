"""What the NPI registry says about an NPI someone typed: whose it is, and whether it can be used.

A finding never blocks a save or a submission: names change and the registry lags, so a mismatch is a warning in
plain words. Without a loaded registry (the embedded default) every finding is `NO_REGISTRY` and nothing is shown.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ..identifiers import npi_is_valid
from ..models import RegistryEntry, RegistryFile
from ..taxonomy import taxonomy_name
from ..windows import date_in_words


class Finding(enum.StrEnum):
    NO_REGISTRY = "no_registry"  # no file loaded: show nothing
    INVALID = "invalid"  # fails the check digit: the registry is not asked
    NOT_FOUND = "not_found"
    DEACTIVATED = "deactivated"
    ORGANIZATION = "organization"  # an organization's NPI where a person's is expected
    NAME_DIFFERS = "name_differs"
    MATCH = "match"


@dataclass(frozen=True)
class RegistryFinding:
    npi: str
    finding: Finding
    who: str = ""  # "JONES, MARGARET A, MD - Internal Medicine", or the organization's name
    file_date: dt.date | None = None
    deactivated_on: dt.date | None = None
    replacement_npi: str = ""

    @property
    def is_warning(self) -> bool:
        return self.finding not in (Finding.NO_REGISTRY, Finding.MATCH)

    @property
    def message(self) -> str:
        """The finding in plain words, for the page, the CSV import report and the staff screen."""
        of = f"the NPI registry of {date_in_words(self.file_date)}" if self.file_date else "the NPI registry"
        if self.finding is Finding.INVALID:
            return f"NPI {self.npi} is not a valid NPI (its check digit does not match): check for a typo."
        if self.finding is Finding.NOT_FOUND:
            return f"NPI {self.npi} is not in {of}: check for a typo."
        if self.finding is Finding.DEACTIVATED:
            since = f" since {date_in_words(self.deactivated_on)}" if self.deactivated_on else ""
            instead = f"; its replacement is NPI {self.replacement_npi}" if self.replacement_npi else ""
            whose = f" ({self.who})" if self.who else ""  # the published file blanks a deactivated NPI's names
            return f"NPI {self.npi}{whose} is deactivated{since} in {of}{instead}."
        if self.finding is Finding.ORGANIZATION:
            return f"NPI {self.npi} belongs to an organization ({self.who}), not to a person, in {of}."
        if self.finding is Finding.NAME_DIFFERS:
            return f"NPI {self.npi} is {self.who} in {of}: the name typed differs. Check it is the right NPI."
        if self.finding is Finding.MATCH:
            return f"NPI {self.npi} is {self.who}."
        return ""


def registry_file() -> RegistryFile | None:
    """The newest loaded file, whose date the findings quote; None without a registry."""
    return RegistryFile.objects.filter(status=RegistryFile.Status.LOADED).order_by("-file_date", "-pk").first()


def registry_check(npi: str, name: str = "") -> RegistryFinding:
    return registry_check_many([(npi, name)])[0]


def registry_check_many(rows: Iterable[tuple[str, str]]) -> list[RegistryFinding]:
    """Findings for (NPI, name typed) pairs, in order, with one query for all of them (a 2,500-EP group)."""
    rows = [(npi.strip(), name or "") for npi, name in rows]
    loaded = registry_file()
    valid = {npi for npi, _ in rows if npi_is_valid(npi)}
    entries = {e.npi: e for e in RegistryEntry.objects.filter(npi__in=valid)} if loaded and valid else {}
    date = loaded.file_date if loaded else None
    return [_finding(npi, name, entries.get(npi), npi in valid, loaded is not None, date) for npi, name in rows]


def _finding(
    npi: str, name: str, entry: RegistryEntry | None, valid: bool, loaded: bool, date: dt.date | None
) -> RegistryFinding:
    if not valid:
        return RegistryFinding(npi, Finding.INVALID)
    if not loaded:
        return RegistryFinding(npi, Finding.NO_REGISTRY)
    if entry is None:
        return RegistryFinding(npi, Finding.NOT_FOUND, file_date=date)
    who = describe(entry)
    if entry.is_deactivated:
        return RegistryFinding(
            npi,
            Finding.DEACTIVATED,
            who,
            date,
            deactivated_on=entry.deactivated_on,
            replacement_npi=entry.replacement_npi,
        )
    if entry.entity_type == RegistryEntry.EntityType.ORGANIZATION:
        return RegistryFinding(npi, Finding.ORGANIZATION, who, date)
    if name.strip() and not names_match(name, entry):
        return RegistryFinding(npi, Finding.NAME_DIFFERS, who, date)
    return RegistryFinding(npi, Finding.MATCH, who, date)


def describe(entry: RegistryEntry) -> str:
    """ "JONES, MARGARET A, MD - Internal Medicine", as the registry writes names (an organization: its name)."""
    if entry.entity_type == RegistryEntry.EntityType.ORGANIZATION:
        return entry.organization_name
    name = ", ".join(
        p for p in (entry.last_name, " ".join(filter(None, (entry.first_name, entry.middle_name[:1])))) if p
    )
    if entry.credential:
        name = f"{name}, {entry.credential}"
    return f"{name} - {taxonomy_name(entry.taxonomy_code)}" if entry.taxonomy_code else name


def names_match(typed: str, entry: RegistryEntry) -> bool:
    """The typed name holds the registry's last name (or its other last name) and the first name's initial.

    Loose on purpose: "Dr. Margaret A. Jones, MD", "Jones, Margaret" and "MARGARET JONES" all match JONES MARGARET.
    """
    words = set(_words(typed))
    for last, first in ((entry.last_name, entry.first_name), (entry.other_last_name, entry.other_first_name)):
        last_words = _words(last)
        if last_words and set(last_words) <= words and (not first or any(w[0] == _words(first)[0][0] for w in words)):
            return True
    return False


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return [w for w in re.split(r"[^A-Z]+", plain.upper()) if w]
