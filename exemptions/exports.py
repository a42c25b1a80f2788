"""Streaming CSV export of the staff's filtered request list: every matching row, not only the page shown.

Rows are read in chunks by a server-side cursor and written as they come, so a million-row export runs in
constant memory and the first bytes leave at once. TINs are masked unless the staff member holds the
"export_full_tin" permission (a TIN is sensitive; most exports do not need it).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from .csv_safe import SafeWriter
from .downloads import streamed_download
from .identifiers import format_tin, mask_tin

COLUMNS = [
    ("reference", "Reference"),
    ("kind", "Type"),
    ("year__year", "Adjustment year"),
    ("status", "Status"),
    ("display_name", "EP or group name"),
    ("first_npi", "NPI (first EP)"),
    ("ep_count", "EPs"),
    ("tin", "TIN"),
    ("submitted_at", "Submitted (ET)"),
    ("assigned_reviewer__email", "Assigned reviewer"),
    ("decided_at", "Decided (ET)"),
    ("decision_reason_code", "Reason code"),
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(queryset: QuerySet, *, full_tin: bool) -> Iterator[list]:
    fields = [name for name, _label in COLUMNS]
    tin_at = fields.index("tin")
    for row in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
        row = list(row)
        row[tin_at] = format_tin(row[tin_at]) if full_tin else mask_tin(row[tin_at])
        yield [_cell(value) for value in row]


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)  # formula-like text is defused by the writer (names are typed by the public)


def export_response(queryset: QuerySet, *, full_tin: bool) -> StreamingHttpResponse:
    writer = SafeWriter(_Echo())

    def stream():
        yield writer.writerow([label for _name, label in COLUMNS])
        for row in export_rows(queryset, full_tin=full_tin):
            yield writer.writerow(row)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return streamed_download(stream(), filename=f"requests-{stamp}.csv", content_type="text/csv; charset=utf-8")
