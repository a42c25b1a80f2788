"""Generated registry files in the published NPPES layout: the practice sample `seed_demo` loads, test files and the
benchmark's million rows. Deterministic (a seeded generator), never downloaded; the people in it are made up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Iterator
from typing import TextIO

from .identifiers import npi_check_digit
from .nppes import COLUMNS, PRIMARY_SWITCH, PUBLISHED_HEADER, TAXONOMY

SAMPLE_NAME = "npidata_pfile_20050523-20250608.csv (generated sample)"
SAMPLE_DATE = dt.date(2025, 6, 8)
SAMPLE_ROWS = 200

# The NPIs the demo, the CSV template (exemptions/csv_import.py) and the docs use, with what the registry says.
KNOWN = [
    {"npi": "1234567893", "entity_type": "1", "last_name": "EXAMPLE", "first_name": "ANA", "middle_name": "MARIE",
     "credential": "MD", "taxonomy_code": "207R00000X", "practice_city": "TOWSON", "practice_state": "MD"},
    {"npi": "1558598797", "entity_type": "1", "last_name": "EXAMPLE", "first_name": "BEN", "credential": "DO",
     "taxonomy_code": "207Q00000X", "practice_city": "BALTIMORE", "practice_state": "MD"},
    {"npi": "1528060837", "entity_type": "1", "last_name": "JONES", "first_name": "MARGARET", "middle_name": "ANN",
     "credential": "MD", "taxonomy_code": "207R00000X", "practice_city": "COLUMBIA", "practice_state": "MD"},
    {"npi": "1003000126", "entity_type": "1", "last_name": "SMITH", "first_name": "JOHN", "credential": "MD",
     "taxonomy_code": "207Q00000X", "deactivated_on": dt.date(2024, 5, 1), "replacement_npi": "1528060837"},
    {"npi": "1245319599", "entity_type": "2", "organization_name": "ACME FAMILY CLINIC, LLC",
     "taxonomy_code": "207Q00000X", "practice_city": "DOVER", "practice_state": "DE"},
]  # fmt: skip

_FIRST = "JAMES MARY ROBERT PATRICIA JOHN JENNIFER MICHAEL LINDA WEI AISHA PRIYA JOSE OLGA KENJI FATIMA CARLOS".split()
_LAST = "SMITH JOHNSON OKAFOR NGUYEN GARCIA KOWALSKI BROWN PATEL ROSSI HADDAD CHEN MURPHY SCHMIDT SILVA".split()
_CREDENTIALS = ["MD", "M.D.", "DO", "NP", "PA-C", "DPM", "MD, PHD", ""]
_TAXONOMIES = ["207Q00000X", "207R00000X", "208000000X", "363L00000X", "363A00000X", "213E00000X", "207V00000X"]
_CITIES = [("BALTIMORE", "MD", "212011234"), ("TOWSON", "MD", "21204"), ("DOVER", "DE", "19901")]


def published_row(**fields) -> dict[str, str]:
    """A row in the published layout from RegistryEntry field values (dates as dates); column name -> text."""
    row = {}
    for name, value in fields.items():
        if name == "taxonomy_code":
            row[TAXONOMY.format(1)], row[PRIMARY_SWITCH.format(1)] = value, "Y"
        elif isinstance(value, dt.date):
            row[COLUMNS[name]] = f"{value:%m/%d/%Y}"
        else:
            row[COLUMNS[name]] = str(value)
    return row


def write_published_file(stream: TextIO, rows: Iterable[dict[str, str]], header: list[str] = PUBLISHED_HEADER) -> int:
    """Write a header and `rows` as the published file does (every field quoted); returns the rows written."""
    position = {name: i for i, name in enumerate(header)}
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    written = 0
    for row in rows:
        values = [""] * len(header)
        for name, value in row.items():
            if name in position:
                values[position[name]] = value
        writer.writerow(values)
        written += 1
    return written


def generated_rows(count: int, seed: int = 2025, start: int = 0) -> Iterator[dict[str, str]]:
    """`count` made-up rows with distinct NPIs (none of the KNOWN ones): 10% organizations, 2% deactivated."""
    rng = random.Random(seed)
    known = {row["npi"] for row in KNOWN}
    for i in range(start, start + count):
        base = f"{100_000_000 + (i * 48_271 + 7) % 100_000_000}"  # distinct for every i below 10^8
        npi = base + npi_check_digit(base)
        if npi in known:
            continue
        city, state, postal = rng.choice(_CITIES)
        enumerated = dt.date(2005, 5, 23) + dt.timedelta(days=rng.randrange(7000))
        if rng.random() < 0.02:  # the registry keeps only the NPI and the date of a deactivated one
            yield published_row(npi=npi, deactivated_on=enumerated + dt.timedelta(days=rng.randrange(1, 900)))
            continue
        common = {"npi": npi, "taxonomy_code": rng.choice(_TAXONOMIES), "enumerated_on": enumerated}
        place = {"practice_line1": f"{rng.randrange(1, 9999)} MAIN ST", "practice_city": city}
        place |= {"practice_state": state, "practice_postal_code": postal, "mailing_line1": f"PO BOX {i % 9000}"}
        place |= {"mailing_city": city, "mailing_state": state, "mailing_postal_code": postal}
        if rng.random() < 0.1:
            name = f"{rng.choice(_LAST)}, {rng.choice(_LAST)} & PARTNERS, LLC"  # quoted commas, as published
            yield published_row(entity_type="2", organization_name=name, **common, **place)
        else:
            person = {"last_name": rng.choice(_LAST), "first_name": rng.choice(_FIRST)}
            person |= {"middle_name": rng.choice(["", "A", "LEE"]), "credential": rng.choice(_CREDENTIALS)}
            yield published_row(entity_type="1", **person, **common, **place)


def sample_rows(count: int = SAMPLE_ROWS) -> Iterator[dict[str, str]]:
    """The practice sample: the KNOWN NPIs first, then generated ones up to `count` rows."""
    yield from (published_row(**row) for row in KNOWN)
    yield from generated_rows(count - len(KNOWN))


def sample_file(count: int = SAMPLE_ROWS) -> io.BytesIO:
    """The practice sample as the bytes of a published file, ready for the import."""
    text = io.StringIO(newline="")
    write_published_file(text, sample_rows(count))
    return io.BytesIO(text.getvalue().encode())
