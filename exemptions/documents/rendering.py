"""Render a letter version, build a print batch, a receipt or an audit bundle; hand it to the service that stores it.

Called by the tasks (by id; in the worker, or in the web process right after commit for small jobs). Both are
safe to run twice: each first claims its row, so a second copy of the task (a re-delivery, a second publish by the
drain, a double click) skips a row another run is rendering or has finished.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone

from ..models import GroupLetter, PrintBatch, StoredFile
from ..services.groups import BATCH_BUILDS, LETTER_RENDERS, letter_store_rendered, print_batch_store_built
from ..services.render_queue import RenderQueue, pdf_sha256
from ..services.stored_files import STORED_FILE_BUILDS, stored_file_store_built, stored_receipt
from ..windows import date_et
from .bundles import bundle_zip
from .letters import BatchEntry, cover_sheet_pdf, letter_pdf, merge_pdfs, page_count
from .receipts import receipt_pdf

log = logging.getLogger(__name__)
T = TypeVar("T")


def letter_render(*, letter_id: int, at: dt.datetime | None = None) -> str:
    """Render one letter version and store it: "rendered", "failed" (recorded on the row) or "skipped"."""
    at = at or timezone.now()

    def render() -> bytes:
        letter = GroupLetter.objects.select_related("request__year").get(pk=letter_id)
        date = date_et(letter.created_at or at)
        return letter_pdf(
            letter.request, letter_date=date, postmark_deadline=letter.postmark_deadline, version=letter.version
        )

    failed_or_skipped, data = _claim_and_render(LETTER_RENDERS, letter_id, at=at, render=render)
    if failed_or_skipped:
        return failed_or_skipped
    stored = letter_store_rendered(letter_id=letter_id, pdf=data, page_count=page_count(data), at=at)
    return "rendered" if stored else "skipped"


def print_batch_build(*, batch_id: int) -> str:
    """Merge the batch's stored letters (ordered by reference) and store it: "built", "failed" or "skipped"."""

    def merge() -> tuple[bytes, int]:
        batch = PrintBatch.objects.select_related("created_by").get(pk=batch_id)
        chosen = list(batch.letters.select_related("request").order_by("request__reference"))
        sources = [_read_verified(letter) for letter in chosen]  # a missing or tampered file fails the batch
        cover = _cover_sheet(batch, chosen) if batch.include_cover_sheet else None
        return merge_pdfs(sources, cover=cover)

    failed_or_skipped, merged = _claim_and_render(BATCH_BUILDS, batch_id, at=timezone.now(), render=merge)
    if failed_or_skipped:
        return failed_or_skipped
    data, pages = merged
    return "built" if print_batch_store_built(batch_id=batch_id, pdf=data, page_count=pages) else "skipped"


def stored_file_build(*, stored_file_id: int, at: dt.datetime | None = None) -> str:
    """Build a receipt or an audit bundle and store it: "built", "failed" (recorded on the row) or "skipped"."""
    at = at or timezone.now()

    def build() -> bytes:
        row = StoredFile.objects.select_related("request__year").get(pk=stored_file_id)
        if row.kind == StoredFile.Kind.RECEIPT:
            return receipt_pdf(row.request)
        receipt = stored_receipt(row.request)  # the bundle carries the stored receipt, verified, never a re-render
        return bundle_zip(exemption=row.request, receipt=_read_verified(receipt) if receipt else None)

    failed_or_skipped, data = _claim_and_render(STORED_FILE_BUILDS, stored_file_id, at=at, render=build)
    if failed_or_skipped:
        return failed_or_skipped
    return "built" if stored_file_store_built(stored_file_id=stored_file_id, data=data, at=at) else "skipped"


def _claim_and_render(queue: RenderQueue, pk: int, *, at: dt.datetime, render: Callable[[], T]) -> tuple[str, T | None]:
    """Claim the row, then render: ("", result), or ("skipped", None) / ("failed", None) with the error recorded.

    A render error (a template, a missing or tampered source file, a broken PDF) fails the row visibly: shown to
    staff and the person, never retried blindly.
    """
    if not queue.claim(pk, at=at):
        return "skipped", None  # gone, done, failed, or being rendered by another run
    try:
        return "", render()
    except Exception as exc:
        log.exception("%s %s failed to render", queue.model.__name__, pk)
        queue.mark_failed(pk, error=f"{type(exc).__name__}: {exc}")
        return "failed", None


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
    if pdf_sha256(data) != built.sha256:
        raise ValueError(f"{built} does not match its SHA-256.")
    return data
