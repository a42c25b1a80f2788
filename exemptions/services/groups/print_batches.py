"""Staff print batches: one merged PDF of the newest ready letter of each selected group request.

Like a letter, a batch is a row "preparing" until the task "exemptions.build_print_batch" stores its PDF: run
here after commit for up to SYNC_BATCH_MAX_LETTERS letters, in the worker for more.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ...models import ExemptionRequest, GroupLetter, PrintBatch, User
from ...models.letters import batch_upload_to
from ..render_queue import RenderQueue

BUILD_PRINT_BATCH_TASK = "exemptions.build_print_batch"
BATCH_BUILDS = RenderQueue(PrintBatch, BUILD_PRINT_BATCH_TASK)
SYNC_BATCH_MAX_LETTERS = 20


@transaction.atomic
def print_batch_create(
    *, exemptions: Iterable[ExemptionRequest], actor: User, include_cover_sheet: bool = True
) -> PrintBatch:
    """A batch of the newest ready letter of each request, built after commit (reload it to see it ready)."""
    chosen = _latest_ready(exemptions)
    if not chosen:
        raise ValidationError("None of the selected requests has a ready letter to print.")
    batch = PrintBatch.objects.create(created_by=actor, include_cover_sheet=include_cover_sheet)
    batch.letters.set(chosen)
    BATCH_BUILDS.dispatch_on_commit(batch.pk, run_here=len(chosen) <= SYNC_BATCH_MAX_LETTERS)
    return batch


def _latest_ready(exemptions) -> list[GroupLetter]:
    """The newest ready version per request (older versions are kept but never printed)."""
    latest: dict[int, GroupLetter] = {}
    for letter in GroupLetter.objects.filter(request__in=exemptions, status=GroupLetter.Status.READY):
        if letter.request_id not in latest or letter.version > latest[letter.request_id].version:
            latest[letter.request_id] = letter
    return list(latest.values())


@transaction.atomic
def print_batch_store_built(*, batch_id: int, pdf: bytes, page_count: int) -> bool:
    """Store a merged batch if it is still "preparing" (else the file just written is removed: False)."""
    batch = PrintBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return False
    return BATCH_BUILDS.store_once(batch, path=batch_upload_to(batch, "batch.pdf"), pdf=pdf, page_count=page_count)
