"""CSV import of a group's EPs: forgiving about format, strict about content, all-or-nothing."""

from __future__ import annotations

import csv
import io

import pytest

from exemptions import csv_import
from tests.test_groups_support import npi

HEADER = "npi,name,address_line1,address_line2,city,state,zip_code,email"


def row(n: int, *, npi_value: str | None = None) -> str:
    return f"{npi_value or npi(n)},Doctor {n},{n} Main St,,Towson,MD,21204,ep{n}@example.org"


def csv_bytes(lines: list[str], *, newline: str = "\n", bom: bool = False) -> bytes:
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def test_a_clean_file_with_bom_crlf_extra_columns_and_blank_lines_imports_every_row():
    lines = [
        HEADER + ",Specialty,Notes",
        row(1) + ",Family medicine,x",
        "",
        row(2) + ",Cardiology,",
        ",,,,,,,,,",
        row(3),
    ]
    result = csv_import.parse_eps(csv_bytes(lines, newline="\r\n", bom=True))
    assert result.ok, result.errors
    assert [r["npi"] for r in result.rows] == [npi(1), npi(2), npi(3)]
    assert result.rows[0] == {
        "npi": npi(1),
        "name": "Doctor 1",
        "address_line1": "1 Main St",
        "address_line2": "",
        "city": "Towson",
        "state": "MD",
        "zip_code": "21204",
        "email": "ep1@example.org",
    }
    assert result.notes == ["Ignored column(s) not used by the letter: Specialty, Notes."]


def test_a_bad_npi_on_line_1037_is_reported_by_line_number_and_nothing_is_imported():
    lines = [HEADER] + [row(n) for n in range(1, 1500)]
    lines[1036] = row(1036, npi_value="1234567890")  # line 1,037 of the file (the header is line 1)
    result = csv_import.parse_eps(csv_bytes(lines, newline="\r\n"))
    assert not result.ok
    assert result.rows == [] or len(result.rows) == 1498  # rows are only collected, never saved, while errors exist
    assert len(result.errors) == 1
    assert result.errors[0].startswith("Line 1,037, NPI “1234567890”: This is not a valid NPI")


def test_every_bad_line_is_listed():
    lines = [
        HEADER,
        row(1),
        "123,No Address,,,,,,",
        row(3),
        "1234567893,Bad State,1 St,,Towson,XX,21204,x@example.org",
    ]
    errors = csv_import.parse_eps(csv_bytes(lines)).errors
    assert any(e.startswith("Line 3, NPI “123”: NPI must be exactly 10 digits") for e in errors)
    assert any(e.startswith("Line 3, Street address") for e in errors)
    assert "Line 5, State: “XX” is not a US state, territory or military code." in " ".join(errors)
    assert not any(e.startswith(("Line 2", "Line 4")) for e in errors)


def test_the_same_npi_twice_is_refused_with_both_lines():
    result = csv_import.parse_eps(csv_bytes([HEADER, row(1), row(2), row(1)]))
    assert result.errors == [f"Line 4: NPI {npi(1)} is listed twice (also on line 2). Each EP may appear only once."]


def test_an_npi_already_on_the_request_is_refused_when_adding():
    result = csv_import.parse_eps(csv_bytes([HEADER, row(1)]), existing_npis={npi(1): "already listed"})
    assert result.errors == [
        f"Line 2: NPI {npi(1)} is listed twice (also already listed). Each EP may appear only once."
    ]


def test_headers_are_matched_loosely_and_in_any_order():
    data = csv_bytes(
        ["Email,ZIP,State,City,Street Address,Full Name,NPI", f"a@example.org,21204,md,Towson,1 St,Ann,{npi(9)}"]
    )
    result = csv_import.parse_eps(data)
    assert result.ok, result.errors
    assert result.rows[0]["state"] == "MD" and result.rows[0]["name"] == "Ann"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (csv_bytes([HEADER]), "The file has a header line but no EP rows."),
        (csv_bytes(["npi,name,email", row(1)]), "Line 1: the header line is missing the column(s) address_line1, city"),
        (b"PK\x03\x04\x00\x00binary", "This is not a CSV text file."),
    ],
)
def test_unusable_files_get_one_clear_message(data, message):
    result = csv_import.parse_eps(data)
    assert len(result.errors) == 1
    assert result.errors[0].startswith(message)


def test_utf16_from_excel_unicode_text_is_read():
    result = csv_import.parse_eps(("\ufeff" + HEADER + "\r\n" + row(1) + "\r\n").encode("utf-16-le"))
    assert result.ok, result.errors


def test_windows_1252_is_read_with_a_note():
    data = (HEADER + "\r\n" + row(1).replace("Doctor 1", "José Núñez") + "\r\n").encode("cp1252")
    result = csv_import.parse_eps(data)
    assert result.ok
    assert result.rows[0]["name"] == "José Núñez"
    assert "Windows-1252" in result.notes[0]


def test_more_than_2500_rows_is_refused():
    result = csv_import.parse_eps(csv_bytes([HEADER] + [row(n) for n in range(1, 2502)]))
    assert result.errors[-1] == "Line 2,502: the file has more than 2,500 EPs; a group letter lists at most 2,500."


def test_the_template_and_an_export_import_cleanly():
    assert csv_import.parse_eps(csv_import.template_csv().encode()).ok
    text = csv_import.export_csv([])
    assert text == HEADER + "\r\n"


def test_export_defuses_spreadsheet_formulas():
    class EP:
        npi, name, address_line1, address_line2, city, state, zip_code, email = (
            npi(1),
            '=HYPERLINK("x")',
            "1 St",
            "",
            "Towson",
            "MD",
            "21204",
            "a@example.org",
        )

    assert "'=HYPERLINK" in csv_import.export_csv([EP()])


def test_finding_reimport_keeps_the_defusing_apostrophe_an_export_and_import_keep_names_as_typed():
    class EP:
        npi, name, address_line1, address_line2, city, state, zip_code, email = (
            npi(1),
            "-Dash Name",
            "=1 St",
            "'=kept apostrophe",
            "Towson",
            "MD",
            "21204",
            "a@example.org",
        )

    exported = csv_import.export_csv([EP()])
    assert "'-Dash Name" in exported  # a spreadsheet shows it as text, not a formula
    result = csv_import.parse_eps(exported.encode())
    assert result.ok, result.errors
    row = result.rows[0]
    assert (row["name"], row["address_line1"], row["address_line2"]) == ("-Dash Name", "=1 St", "'=kept apostrophe")


def test_finding_formulas_every_csv_the_portal_writes_defuses_a_tab_or_carriage_return_start():
    class EP:
        npi, name, address_line1, address_line2, city, state, zip_code, email = (
            npi(1),
            "\tTab",
            "\r1 St",
            "@SUM(1)",
            "+Town",
            "MD",
            "21204",
            "a@example.org",
        )

    cells = next(csv.reader(io.StringIO(csv_import.export_csv([EP()]).split("\r\n", 1)[1])))
    assert cells[1:5] == ["'\tTab", "'\r1 St", "'@SUM(1)", "'+Town"]


def test_finding_a_csv_field_over_131072_characters_is_a_line_error_not_a_500():
    data = csv_bytes([HEADER, row(1), f'{npi(2)},"{"x" * 140_000}",1 St,,Towson,MD,21204,b@example.org'])
    result = csv_import.parse_eps(data)
    assert not result.ok
    assert "cannot be read as CSV" in result.errors[0] and result.errors[0].startswith("Line 3")
