"""Render a letter version, build a print batch, a receipt or an audit bundle; hand it to the service that stores it.

Called by the tasks (by id; in the worker, or in the web process right after commit for small jobs). Both are
safe to run twice: each first claims its row, so a second copy of the task (a re-delivery, a second publish by the
drain, a double click) skips a row another run is rendering or has finished.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from ..models import GroupLetter, PrintBatch, StoredFile
from ..services.groups import BATCH_BUILDS, LETTER_RENDERS, letter_store_rendered, print_batch_store_built
from ..services.stored_files import STORED_FILE_BUILDS, stored_file_store_built, stored_receipt
from ..windows import date_et
from .bundles import bundle_zip
from .letters import BatchEntry, cover_sheet_pdf, letter_pdf, merge_pdfs, page_count
from .pdf import sha256
from .receipts import receipt_pdf

log = logging.getLogger(__name__)


def letter_render(*, letter_id: int, at: dt.datetime | None = None) -> str:
    """Render one letter version and store it: "rendered", "failed" (recorded on the row) or "skipped"."""
    at = at or timezone.now()
    if not LETTER_RENDERS.claim(letter_id, at=at):
        return "skipped"  # gone, done, failed, or being rendered by another run
    letter = GroupLetter.objects.select_related("request__year").get(pk=letter_id)
    try:
        data = letter_pdf(
            letter.request,
            letter_date=date_et(letter.created_at or at),
            postmark_deadline=letter.postmark_deadline,
            version=letter.version,
        )
    except Exception as exc:  # any render error: shown to staff and the group as "failed", never retried blindly
        log.exception("letter %s failed to render", letter_id)
        LETTER_RENDERS.mark_failed(letter_id, error=_describe(exc))
        return "failed"
    stored = letter_store_rendered(letter_id=letter_id, pdf=data, page_count=page_count(data), at=at)
    return "rendered" if stored else "skipped"


def print_batch_build(*, batch_id: int) -> str:
    """Merge the batch's stored letters (ordered by reference) and store it: "built", "failed" or "skipped"."""
    if not BATCH_BUILDS.claim(batch_id, at=timezone.now()):
        return "skipped"  # gone, done, failed, or being built by another run
    batch = PrintBatch.objects.select_related("created_by").get(pk=batch_id)
    chosen = list(batch.letters.select_related("request").order_by("request__reference"))
    try:
        sources = [_read_verified(letter) for letter in chosen]
        cover = _cover_sheet(batch, chosen) if batch.include_cover_sheet else None
        data, pages = merge_pdfs(sources, cover=cover)
    except Exception as exc:  # a missing or tampered file, a broken PDF: the batch fails visibly
        log.exception("print batch %s failed", batch_id)
        BATCH_BUILDS.mark_failed(batch_id, error=_describe(exc))
        return "failed"
    return "built" if print_batch_store_built(batch_id=batch_id, pdf=data, page_count=pages) else "skipped"


def stored_file_build(*, stored_file_id: int, at: dt.datetime | None = None) -> str:
    """Build a receipt or an audit bundle and store it: "built", "failed" (recorded on the row) or "skipped"."""
    at = at or timezone.now()
    if not STORED_FILE_BUILDS.claim(stored_file_id, at=at):
        return "skipped"  # gone, done, failed, or being built by another run
    row = StoredFile.objects.select_related("request__year").get(pk=stored_file_id)
    try:
        if row.kind == StoredFile.Kind.RECEIPT:
            data = receipt_pdf(row.request)
        else:
            receipt = stored_receipt(row.request)
            data = bundle_zip(exemption=row.request, receipt=_read_verified(receipt) if receipt else None)
    except Exception as exc:  # a render error, a missing or tampered receipt: shown as "failed", never retried blindly
        log.exception("%s %s failed to build", row.kind, stored_file_id)
        STORED_FILE_BUILDS.mark_failed(stored_file_id, error=_describe(exc))
        return "failed"
    return "built" if stored_file_store_built(stored_file_id=stored_file_id, data=data, at=at) else "skipped"


def _cover_sheet(batch: PrintBatch, chosen: list[GroupLetter]) -> bytes:
    entries = [
        BatchEntry(letter.request.reference, letter.request.group_name, letter.version, letter.page_count)
        for letter in chosen
    ]
    return cover_sheet_pdf(
        entries=entries, batch_number=batch.pk, created_by=str(batch.created_by), created_at=batch.created_at
    )


def _read_verified(built: GroupLetter | StoredFile) -> bytes:
    """A stored letter or receipt, refused unless it is byte for byte what was generated."""
    with built.file.open("rb") as handle:
        data = handle.read()
    if sha256(data) != built.sha256:
        raise ValueError(f"{built} does not match its SHA-256.")
    return data


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
