"""What every rendered file shares (letters, print batches, receipts, audit bundles): a row "preparing" until a task
stores its file once, or fails visibly.

A render first claims the row (a conditional UPDATE sets `claimed_at`), so a second copy of the task - a
re-delivery, a second publish by the drain, a double click - skips it instead of rendering again. The PDF is
rendered outside any lock (a 2,500-EP letter takes seconds); storing it is a conditional UPDATE on "preparing",
so even two renders that both ran would store one file (the loser's is deleted). A store that fails (the bucket
does not answer) releases the claim: the drain publishes the row again after REPUBLISH_AFTER, and the attempt
counts towards MAX_RENDER_ATTEMPTS, after which the row fails visibly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile
from django.db.models import F, Model, Q
from django.utils import timezone

from ..models.letters import RenderStatus
from .dispatch import task_dispatch_on_commit, task_publish
from .storage import STORAGE_ERRORS

log = logging.getLogger(__name__)

# A render or a merge ends within its task's hard time limit (660 s): a claim older than this belongs to a worker
# that was killed, and the row may be claimed again - at most MAX_RENDER_ATTEMPTS times, then it fails visibly
# (a letter that kills its worker every time must not be retried forever).
CLAIM_EXPIRES = dt.timedelta(minutes=15)
MAX_RENDER_ATTEMPTS = 3
# An unclaimed row published this long ago is waiting in a backlog or its message was lost: publish it again (the
# claim makes a duplicate message a cheap skip). Renders are heavy, so this is longer than the outbox's minute.
REPUBLISH_AFTER = dt.timedelta(minutes=15)
# A row just created is still being handed over (or rendered here, after commit): leave it to that.
GRACE = dt.timedelta(minutes=1)
GAVE_UP = "Gave up after {attempts} attempts: the render was interrupted each time (worker lost)."
STORE_FAILED = "The file store failed (attempt {attempts} of {limit}; the drain tries again): {error}"
STORE_GAVE_UP = "Gave up after {attempts} attempts: the file store failed each time: {error}"


def pdf_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RenderQueue:
    """One kind of rendered file (letter versions, print batches): its rows and the task that renders them."""

    model: type[Model]
    task_name: str

    def dispatch_on_commit(self, pk: int, *, run_here: bool) -> None:
        """After commit, render here (a person waits for a small job) or hand the row to a worker."""
        task_dispatch_on_commit(self.task_name, pk, run_here=run_here, on_published=partial(self.mark_published, pk))

    def claim(self, pk: int, *, at: dt.datetime) -> bool:
        """Claim a preparing row for one render; False when another run holds a live claim, or it is done/spent."""
        free = Q(claimed_at__isnull=True) | Q(claimed_at__lte=at - CLAIM_EXPIRES)
        rows = self.model.objects.filter(free, pk=pk, status=RenderStatus.PREPARING, attempts__lt=MAX_RENDER_ATTEMPTS)
        return bool(rows.update(claimed_at=at, attempts=F("attempts") + 1))

    def store_once(self, row: Model, *, path: str, pdf: bytes, **fields) -> bool:
        """Write `pdf` to storage and record it (with `fields`) if `row` is still preparing; else remove the file.

        A store that fails releases the claim for the drain to publish the row again (False): see store_failed.
        """
        try:
            name = row.file.storage.save(path, ContentFile(pdf))
        except STORAGE_ERRORS as exc:
            self.store_failed(row.pk, error=f"{type(exc).__name__}: {exc}")
            return False
        preparing = self.model.objects.filter(pk=row.pk, status=RenderStatus.PREPARING)
        stored = preparing.update(status=RenderStatus.READY, file=name, error="", **fields)
        if not stored:
            row.file.storage.delete(name)
        return bool(stored)

    def store_failed(self, pk: int, *, error: str) -> None:
        """The render worked but its file could not be stored: release the claim so the drain publishes the row
        again after REPUBLISH_AFTER (the attempt counted at the claim), or fail it visibly once attempts are spent."""
        log.warning("%s %s: the file store failed: %s", self.model.__name__, pk, error)
        row = self.model.objects.filter(pk=pk, status=RenderStatus.PREPARING).values("attempts").first()
        if row is None:
            return
        attempts = row["attempts"]
        if attempts >= MAX_RENDER_ATTEMPTS:
            self.mark_failed(pk, error=STORE_GAVE_UP.format(attempts=attempts, error=error))
            return
        waiting = STORE_FAILED.format(attempts=attempts, limit=MAX_RENDER_ATTEMPTS, error=error)[:2000]
        self.model.objects.filter(pk=pk, status=RenderStatus.PREPARING).update(
            claimed_at=None, published_at=timezone.now(), error=waiting
        )

    def mark_failed(self, pk: int, *, error: str) -> bool:
        """Record why a render failed, on a row staff can see (only if it is still preparing)."""
        preparing = self.model.objects.filter(pk=pk, status=RenderStatus.PREPARING)
        return bool(preparing.update(status=RenderStatus.FAILED, error=error[:2000]))

    def mark_published(self, pk: int) -> None:
        self.model.objects.filter(pk=pk).update(published_at=timezone.now())

    def lost(self, *, at: dt.datetime, batch: int = 100) -> list[int]:
        """Rows still preparing whose render is not under way: never handed to the broker, handed over long ago
        and not yet claimed, or claimed by a worker that was lost (its claim expired) with attempts left."""
        preparing = self.model.objects.filter(status=RenderStatus.PREPARING, created_at__lte=at - GRACE)
        stale = Q(published_at__isnull=True) | Q(published_at__lte=at - REPUBLISH_AFTER)
        lost_worker = Q(claimed_at__lte=at - CLAIM_EXPIRES, attempts__lt=MAX_RENDER_ATTEMPTS)
        rows = preparing.filter((Q(claimed_at__isnull=True) & stale) | lost_worker).order_by("created_at")
        return list(rows.values_list("pk", flat=True)[:batch])

    def give_up(self, *, at: dt.datetime) -> int:
        """Fail, visibly, the rows whose every allowed attempt was interrupted (the drain stops publishing them)."""
        spent = self.model.objects.filter(
            status=RenderStatus.PREPARING, claimed_at__lte=at - CLAIM_EXPIRES, attempts__gte=MAX_RENDER_ATTEMPTS
        )
        return spent.update(status=RenderStatus.FAILED, error=GAVE_UP.format(attempts=MAX_RENDER_ATTEMPTS))

    def republish(self, *, at: dt.datetime) -> int:
        """Publish again the renders a broker outage (or a lost worker) kept from finishing. Returns how many."""
        self.give_up(at=at)
        published = 0
        for pk in self.lost(at=at):
            if not task_publish(self.task_name, pk):
                break  # the broker is still down: the rest would wait for the same timeout
            self.mark_published(pk)
            published += 1
        return published
