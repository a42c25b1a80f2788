"""Affected EPs from a CSV file: every bad line reported by number, nothing imported until the file is clean.

What the NPI registry says of each clean line (not found, deactivated, an organization, another name) is reported
by line number too, by `add_registry_findings`: warnings the person notes before importing, never errors.

Accepted: UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), UTF-16 with a BOM, Windows-1252
(Excel's plain "CSV" on Windows), CRLF or LF line endings, columns in any order, extra columns (ignored and
named in a note), blank lines (skipped). Header names are matched loosely: "ZIP", "zip_code" and "ZIP code"
are the same column. Each row is validated by the same form as a typed-in EP, so both give the same messages.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from .completeness import EP_FIELDS, EP_REQUIRED_FIELDS
from .csv_safe import SafeWriter, undefuse
from .form_fields import OPTIONAL
from .forms import AffectedEPForm
from .selectors.registry import registry_check_many

COLUMNS = EP_FIELDS
REQUIRED = list(EP_REQUIRED_FIELDS)
COLUMN_HELP = {
    "npi": "10-digit National Provider Identifier",
    "name": "full name",
    "address_line1": "street address",
    "address_line2": "optional: suite, floor",
    "city": "city",
    "state": "two-letter code (MD) or name (Maryland)",
    "zip_code": "12345 or 12345-6789",
    "email": "email address",
}
ALIASES = {
    "zip": "zip_code",
    "zipcode": "zip_code",
    "postal_code": "zip_code",
    "full_name": "name",
    "ep_name": "name",
    "address": "address_line1",
    "street": "address_line1",
    "street_address": "address_line1",
    "address_1": "address_line1",
    "address_2": "address_line2",
    "email_address": "email",
    "e_mail": "email",
    "npi_number": "npi",
}
MAX_BYTES = 2 * 1024 * 1024  # 2,500 rows of ~200 characters is ~0.5 MB
MAX_ROWS = 2500
MAX_ERRORS_SHOWN = 200
TEMPLATE_ROWS = [
    ["1234567893", "Ana Example", "1 Main Street", "Suite 200", "Towson", "MD", "21204", "ana@example.org"],
    ["1558598797", "Ben Example", "5 Harbor Road", "", "Baltimore", "MD", "21244-1850", "ben@example.org"],
]


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file's line number of each row
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the registry's findings: noted, never blocking
    error_count: int = 0
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_ERRORS_SHOWN:
            self.warnings.append(message)


def template_csv() -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue()


def export_csv(eps) -> str:
    """The current EP list in the import format: edit it in a spreadsheet and import it back (the writer's
    formula defusing is undone by the import, so "-Dash Name" comes back as it was)."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(COLUMNS)
    for ep in eps:
        writer.writerow([getattr(ep, c) for c in COLUMNS])
    return out.getvalue()


def decode(data: bytes) -> tuple[str, str | None]:
    """Text and an optional note about the encoding."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), None  # Excel's "Unicode text"
    if b"\x00" in data:
        raise ValueError("This is not a CSV text file. In Excel, use Save As → “CSV UTF-8”.")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "The file is not UTF-8; it was read as Windows-1252 (Excel's plain CSV)."
    except UnicodeDecodeError:
        raise ValueError("The file is not text in UTF-8. In Excel, use Save As → “CSV UTF-8”.") from None


def add_registry_findings(result: ImportResult) -> None:
    """The registry's warning for each row read, by line ("Line 1,037: NPI 1558598797 is deactivated since ...");
    one query for the whole file. Without a registry there are none."""
    findings = registry_check_many([(row["npi"], row["name"]) for row in result.rows])
    for line, finding in zip(result.lines, findings, strict=True):
        if finding.is_warning:
            result.warn(f"Line {line:,}: {finding.message}")


def _header_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def parse_eps(data: bytes, *, existing_npis: dict[str, str] | None = None) -> ImportResult:
    """Validate a whole file. `existing_npis` (NPI → where) makes an NPI already on the request a line error."""
    result = ImportResult()
    if len(data) > MAX_BYTES:
        result.error(f"The file is {len(data):,} bytes; the limit is {MAX_BYTES // 1024 // 1024} MB.")
        return result
    try:
        text, note = decode(data)
    except ValueError as exc:
        result.error(str(exc))
        return result
    if note:
        result.notes.append(note)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        _read_rows(reader, result, existing_npis)
    except csv.Error:  # e.g. one field over the csv module's 131,072 characters, or a quote never closed
        result.error(
            f"Line {reader.line_num:,}: this line cannot be read as CSV: a cell is far too long or a quote is not "
            "closed. Check its quotes."
        )
    if not result.rows and not result.errors:
        result.error("The file has a header line but no EP rows.")
    return result


def _read_rows(reader, result: ImportResult, existing_npis: dict[str, str] | None) -> None:
    columns = _read_header(reader, result)
    if columns is None:
        return
    seen: dict[str, str] = dict(existing_npis or {})
    count = 0
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # blank line, or a spreadsheet's row of empty cells
        count += 1
        if count > MAX_ROWS:
            result.error(
                f"Line {reader.line_num:,}: the file has more than {MAX_ROWS:,} EPs; a group letter lists "
                f"at most {MAX_ROWS:,}."
            )
            break
        _read_row(cells, columns, reader.line_num, seen, result)


def _read_header(reader, result: ImportResult) -> dict[str, int] | None:
    for header in reader:
        if any(cell.strip() for cell in header):
            break
    else:
        result.error("The file is empty. Use the template: its first line names the columns.")
        return None
    columns: dict[str, int] = {}
    extra = []
    for index, name in enumerate(header):
        key = _header_key(name)
        if key in COLUMNS and key not in columns:
            columns[key] = index
        elif name.strip():
            extra.append(name.strip())
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        result.error(
            f"Line {reader.line_num}: the header line is missing the column(s) {', '.join(missing)}. "
            f"The first line must name the columns: {', '.join(COLUMNS)}."
        )
        return None
    if extra:
        result.notes.append(f"Ignored column(s) not used by the letter: {', '.join(extra[:10])}.")
    return columns


def _read_row(cells: list[str], columns: dict[str, int], line: int, seen: dict[str, str], result) -> None:
    # undefuse: the apostrophe our own export put before "-Dash Name" is not part of the name.
    values = {key: (undefuse(cells[index].strip()) if index < len(cells) else "") for key, index in columns.items()}
    form = AffectedEPForm(data=values, for_submit=True)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = str(form.fields[name].label).removesuffix(OPTIONAL) if name in form.fields else "This line"
            value = values.get(name, "")[:40]
            for message in errors:
                shown = f" “{value}”" if value and value not in message else ""
                result.error(f"Line {line:,}, {label}{shown}: {message}")
        return
    row = {k: v for k, v in form.cleaned_data.items() if k in COLUMNS}
    npi = row["npi"]
    if npi in seen:
        result.error(f"Line {line:,}: NPI {npi} is listed twice (also {seen[npi]}). Each EP may appear only once.")
        return
    seen[npi] = f"on line {line:,}"
    result.rows.append(row)
    result.lines.append(line)
