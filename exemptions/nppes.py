"""The published NPPES file (`npidata_pfile_*.csv`) and how the portal reads it.

The layout is CMS's "NPPES Data Dissemination" file: a header row, then one row per NPI, every field double-quoted,
330 columns (most of them empty repeating groups: 15 taxonomies, 50 other identifiers), dates MM/DD/YYYY. Columns
are found by name, so their order does not matter. `COLUMNS` is the one table of what the portal keeps.

Reading streams: one row at a time, plus a 25 MB bitmap of the NPIs already seen (a duplicate is reported, the
first row kept), so memory stays flat whatever the file's size. A bad row is counted and reported by the physical
line it starts on (as a spreadsheet shows it), never fatal; a file that cannot be a registry file is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from operator import itemgetter
from typing import BinaryIO

from .identifiers import npi_is_valid
from .models import RegistryEntry

# RegistryEntry field -> the published column it is read from. The primary taxonomy is found separately.
COLUMNS = {
    "npi": "NPI",
    "entity_type": "Entity Type Code",
    "replacement_npi": "Replacement NPI",
    "organization_name": "Provider Organization Name (Legal Business Name)",
    "last_name": "Provider Last Name (Legal Name)",
    "first_name": "Provider First Name",
    "middle_name": "Provider Middle Name",
    "name_prefix": "Provider Name Prefix Text",
    "name_suffix": "Provider Name Suffix Text",
    "credential": "Provider Credential Text",
    "other_organization_name": "Provider Other Organization Name",
    "other_last_name": "Provider Other Last Name",
    "other_first_name": "Provider Other First Name",
    "mailing_line1": "Provider First Line Business Mailing Address",
    "mailing_line2": "Provider Second Line Business Mailing Address",
    "mailing_city": "Provider Business Mailing Address City Name",
    "mailing_state": "Provider Business Mailing Address State Name",
    "mailing_postal_code": "Provider Business Mailing Address Postal Code",
    "practice_line1": "Provider First Line Business Practice Location Address",
    "practice_line2": "Provider Second Line Business Practice Location Address",
    "practice_city": "Provider Business Practice Location Address City Name",
    "practice_state": "Provider Business Practice Location Address State Name",
    "practice_postal_code": "Provider Business Practice Location Address Postal Code",
    "enumerated_on": "Provider Enumeration Date",
    "deactivated_on": "NPI Deactivation Date",
    "reactivated_on": "NPI Reactivation Date",
}
TAXONOMY = "Healthcare Provider Taxonomy Code_{}"
PRIMARY_SWITCH = "Healthcare Provider Primary Taxonomy Switch_{}"
TAXONOMY_GROUPS = 15
DATES = ("enumerated_on", "deactivated_on", "reactivated_on")
TEXTS = [f for f in COLUMNS if f not in (*DATES, "npi", "entity_type")]
# The order of the values a reader yields: the text fields, the taxonomy, then the rest.
FIELDS = ["npi", "entity_type", *TEXTS, "taxonomy_code", *DATES]
BAD_LINES_KEPT = 100
NPI_SPAN = 200_000_000  # NPIs start with 1 or 2: their first nine digits index a bitmap of this many bits

_FIXED = [
    "NPI", "Entity Type Code", "Replacement NPI", "Employer Identification Number (EIN)",
    "Provider Organization Name (Legal Business Name)", "Provider Last Name (Legal Name)", "Provider First Name",
    "Provider Middle Name", "Provider Name Prefix Text", "Provider Name Suffix Text", "Provider Credential Text",
    "Provider Other Organization Name", "Provider Other Organization Name Type Code", "Provider Other Last Name",
    "Provider Other First Name", "Provider Other Middle Name", "Provider Other Name Prefix Text",
    "Provider Other Name Suffix Text", "Provider Other Credential Text", "Provider Other Last Name Type Code",
    "Provider First Line Business Mailing Address", "Provider Second Line Business Mailing Address",
    "Provider Business Mailing Address City Name", "Provider Business Mailing Address State Name",
    "Provider Business Mailing Address Postal Code",
    "Provider Business Mailing Address Country Code (If outside U.S.)",
    "Provider Business Mailing Address Telephone Number", "Provider Business Mailing Address Fax Number",
    "Provider First Line Business Practice Location Address",
    "Provider Second Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name", "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Provider Business Practice Location Address Country Code (If outside U.S.)",
    "Provider Business Practice Location Address Telephone Number",
    "Provider Business Practice Location Address Fax Number", "Provider Enumeration Date", "Last Update Date",
    "NPI Deactivation Reason Code", "NPI Deactivation Date", "NPI Reactivation Date", "Provider Gender Code",
    "Authorized Official Last Name", "Authorized Official First Name", "Authorized Official Middle Name",
    "Authorized Official Title or Position", "Authorized Official Telephone Number",
]  # fmt: skip
_TAIL = [
    "Is Sole Proprietor", "Is Organization Subpart", "Parent Organization LBN", "Parent Organization TIN",
    "Authorized Official Name Prefix Text", "Authorized Official Name Suffix Text",
    "Authorized Official Credential Text",
]  # fmt: skip
PUBLISHED_HEADER = [
    *_FIXED,
    *(
        column
        for n in range(1, TAXONOMY_GROUPS + 1)
        for column in (
            TAXONOMY.format(n),
            f"Provider License Number_{n}",
            f"Provider License Number State Code_{n}",
            PRIMARY_SWITCH.format(n),
        )
    ),
    *(
        column
        for n in range(1, 51)
        for column in (
            f"Other Provider Identifier_{n}",
            f"Other Provider Identifier Type Code_{n}",
            f"Other Provider Identifier State_{n}",
            f"Other Provider Identifier Issuer_{n}",
        )
    ),
    *_TAIL,
    *(f"Healthcare Provider Taxonomy Group_{n}" for n in range(1, TAXONOMY_GROUPS + 1)),
    "Certification Date",
]
_NAME_DATES = re.compile(r"npidata_pfile_(\d{8})-(\d{8})")
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


class RegistryFileRefused(ValueError):
    """The file cannot be loaded at all (empty, wrong header, unknown date, ...): nothing was changed."""


def dates_in_name(name: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day a published file covers, from its name (npidata_pfile_20050523-20250608.csv)."""
    match = _NAME_DATES.search(name)
    if not match:
        return None
    try:
        first, last = (dt.datetime.strptime(d, "%Y%m%d").date() for d in match.groups())
    except ValueError:
        return None
    return first, last


class RegistryReader:
    """The rows of a published file as tuples in `FIELDS` order; bad rows are counted in `bad` / `bad_lines`.

    `binary` is the file opened in binary mode; it is decoded as UTF-8 (a byte that is not UTF-8 becomes U+FFFD
    and the row is kept). The header is read and checked on construction: RegistryFileRefused if it is not one.
    """

    def __init__(self, binary: BinaryIO) -> None:
        self._binary = binary
        self._text = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="")
        self._csv = csv.reader(self._text)
        try:
            header = next(self._csv, None)
        except csv.Error as error:
            raise RegistryFileRefused(f"The header row cannot be read: {error}.") from error
        if not header or not any(h.strip() for h in header):
            raise RegistryFileRefused("The file is empty: it has no header row and no rows.")
        self.width = len(header)
        index = _index(header)
        self._npi, self._entity = index[COLUMNS["npi"]], index[COLUMNS["entity_type"]]
        self._dates = [index[COLUMNS[f]] for f in DATES]
        self._texts = itemgetter(*(index[COLUMNS[f]] for f in TEXTS))
        self._lengths = [RegistryEntry._meta.get_field(f).max_length for f in TEXTS]
        self._taxonomies = [
            (index[TAXONOMY.format(n)], index[PRIMARY_SWITCH.format(n)])
            for n in range(1, TAXONOMY_GROUPS + 1)
            if TAXONOMY.format(n) in index and PRIMARY_SWITCH.format(n) in index
        ]
        self._first_taxonomy = index[TAXONOMY.format(1)]
        self.rows = 0
        self.bad = 0
        self.bad_lines: list[list] = []
        self._seen = bytearray(NPI_SPAN // 8)

    @property
    def bytes_read(self) -> int:
        """How far into the file the reader is (in bytes; the decoder reads ahead by up to one buffer)."""
        return self._binary.tell()

    def __iter__(self) -> Iterator[tuple]:
        reader, line = self._csv, 1
        while True:
            start = line + 1  # the physical line the record starts on (a quoted newline spans lines)
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                line = reader.line_num
                self._bad(start, f"cannot be read as CSV ({error})")
                continue
            line = reader.line_num
            if len(row) != self.width:
                if len(row) > 1 or (row and row[0].strip()):  # a blank line is not a row
                    self._bad(start, f"has {len(row)} columns; the header has {self.width}")
                continue
            values = self._values(row, start)
            if values is not None:
                self.rows += 1
                yield values

    def _values(self, row: list[str], line: int) -> tuple | None:
        npi = row[self._npi].strip()
        if not npi_is_valid(npi):
            return self._bad(line, f'NPI "{npi}" is not a valid NPI')
        bit = int(npi[:9]) - 100_000_000
        if self._seen[bit >> 3] & (1 << (bit & 7)):
            return self._bad(line, f"NPI {npi} appears again (the first row with it is kept)")
        kind = row[self._entity].strip()
        if kind not in ("", "1", "2"):
            return self._bad(line, f'entity type "{kind}" is neither 1 nor 2')
        try:
            dates = tuple(_date(row[i]) for i in self._dates)
        except ValueError as error:
            return self._bad(line, str(error))
        self._seen[bit >> 3] |= 1 << (bit & 7)
        texts = tuple(v[:n] for v, n in zip(self._texts(row), self._lengths, strict=True))
        return (npi, int(kind) if kind else None, *texts, self._primary_taxonomy(row), *dates)

    def _primary_taxonomy(self, row: list[str]) -> str:
        for code, switch in self._taxonomies:
            if row[switch] == "Y":
                return row[code][:10]
        return row[self._first_taxonomy][:10]

    def _bad(self, line: int, why: str) -> None:
        self.bad += 1
        if len(self.bad_lines) < BAD_LINES_KEPT:
            self.bad_lines.append([line, why])
        return None


def _index(header: list[str]) -> dict[str, int]:
    """Column name -> position (the first one if a name repeats); RegistryFileRefused if a needed one is missing."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name.strip().lstrip("\ufeff"), position)
    missing = [c for c in (*COLUMNS.values(), TAXONOMY.format(1)) if c not in index]
    if missing:
        shown = ", ".join(f'"{c}"' for c in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise RegistryFileRefused(
            f"This is not a published NPPES file (npidata_pfile_*.csv): its header lacks {shown}. Nothing was changed."
        )
    return index


def _date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    match = _DATE.match(value)
    try:
        if match:
            month, day, year = map(int, match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f'date "{value}" is not a date (MM/DD/YYYY)') from None
