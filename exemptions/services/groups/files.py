"""What letters and print batches share: a row "preparing" until a task stores its PDF once, or fails visibly.

The PDF is rendered outside any lock (a 2,500-EP letter takes seconds); storing it is a conditional UPDATE on
"preparing", so of two renders of the same row (a re-delivery, a second publish by the drain) exactly one wins
and the loser's file is deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db.models import Model, Q
from django.utils import timezone

from ...models.letters import RenderStatus
from ..dispatch import task_publish

# A render or a merge takes at most its task's time limit (660 s): a row published longer ago than this and still
# "preparing" was lost (worker killed, message dropped) and is published again.
REPUBLISH_AFTER = dt.timedelta(minutes=15)
# A row just created is still being handed over (or rendered here, after commit): leave it to that.
GRACE = dt.timedelta(minutes=1)


def pdf_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_store_once(row: Model, *, path: str, pdf: bytes, **fields) -> bool:
    """Write `pdf` to storage and record it (with `fields`) if `row` is still preparing; else remove the file."""
    name = row.file.storage.save(path, ContentFile(pdf))
    stored = (
        type(row)
        .objects.filter(pk=row.pk, status=RenderStatus.PREPARING)
        .update(status=RenderStatus.READY, file=name, error="", **fields)
    )
    if not stored:
        row.file.storage.delete(name)
    return bool(stored)


def file_mark_failed(model: type[Model], *, pk: int, error: str) -> bool:
    """Record why a render failed, on a row staff can see (only if it is still preparing)."""
    return bool(
        model.objects.filter(pk=pk, status=RenderStatus.PREPARING).update(
            status=RenderStatus.FAILED, error=error[:2000]
        )
    )


def file_mark_published(model: type[Model], *, pk: int) -> None:
    model.objects.filter(pk=pk).update(published_at=timezone.now())


def file_lost_publishes(model: type[Model], *, at: dt.datetime, batch: int) -> list[int]:
    """Rows still preparing that were never handed to the broker, or handed over long ago."""
    never_or_long_ago = Q(published_at__isnull=True) | Q(published_at__lte=at - REPUBLISH_AFTER)
    return list(
        model.objects.filter(never_or_long_ago, status=RenderStatus.PREPARING, created_at__lte=at - GRACE)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )


def file_republish(model: type[Model], *, task_name: str, at: dt.datetime, batch: int = 100) -> int:
    """Publish again the render tasks a broker outage (or a lost worker) kept from running. Returns how many."""
    published = 0
    for pk in file_lost_publishes(model, at=at, batch=batch):
        if not task_publish(task_name, pk):
            break  # the broker is still down: the rest would wait for the same timeout
        file_mark_published(model, pk=pk)
        published += 1
    return published
