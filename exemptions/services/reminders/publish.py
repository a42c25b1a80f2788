"""Publishing claimed reminders: ~100 outbox ids per broker message, to the batch sender task (by name)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from ...models import OutboundEmail
from ...reminder_keys import REMINDER_KINDS
from ..dispatch import task_publish
from ..outbox import outbox_mark_published
from .claims import reminders_claim_due

log = logging.getLogger(__name__)

SEND_BATCH_TASK = "exemptions.send_email_batch"


def reminders_sweep(*, at: dt.datetime, per_task: int = 100) -> dict[str, int]:
    """Claim every reminder due at `at` (one outbox row per key) and publish every unpublished reminder row.

    Returns {"due": reminders newly claimed by this sweep, "published": rows handed to the broker}. Safe to run twice
    or concurrently: a key already claimed is not inserted again, and a row published twice is sent once (delivery
    claims it). Must run outside a transaction: claims commit before they are published, so a broker outage
    mid-sweep leaves committed rows that the next sweep (or the outbox drain) publishes.
    """
    claimed = reminders_claim_due(at=at)
    return {"due": claimed, "published": reminders_publish_pending(per_task=per_task)}


def reminders_publish_pending(*, per_task: int = 100, batch_size: int = 5000) -> int:
    """Publish never-published reminder rows, `per_task` ids per task. Stops at the first broker error (the rows
    stay unpublished for the next sweep or the drain)."""
    published = 0
    last_pk = 0
    while ids := _unpublished_after(last_pk, batch_size):
        last_pk = ids[-1]
        handed: list[int] = []
        for chunk in _chunks(ids, per_task):
            if not task_publish(SEND_BATCH_TASK, chunk):
                log.warning("reminder publish stopped after %s emails", published + len(handed))
                outbox_mark_published(email_ids=handed)
                return published + len(handed)
            handed += chunk
        # One UPDATE per `batch_size` rows, not per task: a row published but not yet marked (the sweep died in
        # between) is published again by the next sweep and still sent once (delivery claims it).
        outbox_mark_published(email_ids=handed)
        published += len(handed)
    return published


def _unpublished_after(last_pk: int, limit: int) -> list[int]:
    rows = OutboundEmail.objects.filter(
        pk__gt=last_pk,
        kind__in=REMINDER_KINDS,
        status=OutboundEmail.Status.PENDING,
        last_published_at__isnull=True,
    )
    return list(rows.order_by("pk").values_list("pk", flat=True)[:limit])


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
