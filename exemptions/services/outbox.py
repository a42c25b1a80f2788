"""The email outbox: an email is a row written in the caller's transaction, published to Celery on commit.

If the broker is down or hung at commit time, the row stays pending and `outbox_drain` (beat, every minute)
publishes it later. Delivery claims the row with a conditional UPDATE, so a task that runs twice (retry,
re-delivery after a worker was killed, a second publish by the drain) sends at most one email.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..contact import unique_emails
from ..models import OutboundEmail
from .dispatch import task_publish

SEND_EMAIL_TASK = "exemptions.send_email"

MAX_ATTEMPTS = 5
STUCK_AFTER = dt.timedelta(minutes=10)
SUPPRESSED_NOTE = "Nothing to send any more (state changed)."


class TransientSendError(Exception):
    """Worth retrying: SMTP 4xx, connection refused or reset, timeouts."""


def outbox_enqueue(
    *,
    kind: str,
    key: str,
    recipients: list[str],
    request=None,
    user=None,
    context: dict | None = None,
    publish: bool = True,
    new: bool = False,
) -> tuple[OutboundEmail, bool]:
    """Record an email to send once (idempotent on `key`); publish it after the transaction commits.

    `new`: the caller holds a lock that proves the key was never used (a draft's first submission), so one INSERT
    does it (a duplicate would still fail on the unique key, never send twice).
    """
    values = {
        "kind": kind,
        "recipients": unique_emails(recipients),
        "request": request,
        "user": user,
        "context": context or {},
    }
    if new:
        email, created = OutboundEmail.objects.create(key=key, **values), True
    else:
        email, created = OutboundEmail.objects.get_or_create(key=key, defaults=values)
    if created and publish:
        transaction.on_commit(lambda: outbox_publish(email_ids=[email.pk]))
    return email, created


def outbox_publish(*, email_ids: list[int]) -> int:
    """Hand emails to the broker, one task each. Never raises: a failed publish leaves the row for the drain."""
    published = []
    for email_id in email_ids:
        if not task_publish(SEND_EMAIL_TASK, email_id):
            break  # the broker is down: the rest would wait for the same timeout
        published.append(email_id)
    outbox_mark_published(email_ids=published)
    return len(published)


def outbox_mark_published(*, email_ids: list[int]) -> None:
    if email_ids:
        OutboundEmail.objects.filter(pk__in=email_ids).update(last_published_at=timezone.now())


def outbox_drain(*, at: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Publish pending emails never published (or published long ago); give up on ones stuck mid-send."""
    at = at or timezone.now()
    stale = at - dt.timedelta(seconds=settings.PORTAL_OUTBOX_REPUBLISH_AFTER_SECONDS)
    ids = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING, created_at__lte=at - dt.timedelta(seconds=5))
        .filter(Q(last_published_at__isnull=True) | Q(last_published_at__lte=stale))
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    stuck = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, claimed_at__lte=at - STUCK_AFTER).update(
        status=OutboundEmail.Status.FAILED,
        last_error="Interrupted while sending (worker lost). Not retried automatically, so it cannot arrive twice; "
        "retry it from the admin if the recipient did not get it.",
    )
    return {"published": outbox_publish(email_ids=ids) if ids else 0, "stuck": stuck}


def outbox_claim(*, email_id: int) -> OutboundEmail | None:
    """Claim a pending email for sending (conditional UPDATE): None if another run has it or it is done."""
    claimed = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return OutboundEmail.objects.select_related("request", "user").get(pk=email_id)


def outbox_claim_batch(*, email_ids: list[int]) -> list[OutboundEmail]:
    """Claim every pending email of `email_ids` and read them back, in one `UPDATE … RETURNING` (id order).

    The same conditional claim as `outbox_claim`, for a batch: an email another run has, or one already done, is
    not returned. Claimed rows are "sending" until recorded; a worker killed before recording leaves them so, and
    the drain reports them (never re-sent, see `outbox_drain`)."""
    if not email_ids:
        return []
    meta = OutboundEmail._meta
    quote = connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in ("id", "status", "claimed_at", "attempts")}
    # Only identifiers from the model's metadata are interpolated; every value is a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {column['status']} = %s, {column['claimed_at']} = %s, "  # noqa: S608
        f"{column['attempts']} = {column['attempts']} + 1 "
        f"WHERE {column['id']} IN ({', '.join(['%s'] * len(email_ids))}) AND {column['status']} = %s RETURNING *"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [OutboundEmail.Status.SENDING, now, *email_ids, OutboundEmail.Status.PENDING]
    return sorted(OutboundEmail.objects.raw(sql, params), key=lambda email: email.pk)


def outbox_record_batch(*, sent: dict[int, str], suppressed: list[int]) -> None:
    """Record a reminder batch's outcomes: `sent` maps email id to its subject. One UPDATE per distinct subject (a
    batch of reminders for one deadline usually shares one) and one for the suppressed, instead of one per email."""
    now = timezone.now()
    by_subject: dict[str, list[int]] = {}
    for email_id, subject in sent.items():
        by_subject.setdefault(subject[:300], []).append(email_id)
    sending = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING)
    for subject, ids in by_subject.items():
        sending.filter(pk__in=ids).update(status=OutboundEmail.Status.SENT, last_error="", sent_at=now, subject=subject)
    if suppressed:
        sending.filter(pk__in=suppressed).update(status=OutboundEmail.Status.SUPPRESSED, last_error=SUPPRESSED_NOTE)


def outbox_release(*, email_ids: list[int]) -> None:
    """Give back claimed emails never attempted (a batch stopped early): pending again, the claim not counted."""
    if email_ids:
        OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.SENDING).update(
            status=OutboundEmail.Status.PENDING, attempts=F("attempts") - 1
        )


def outbox_record_sent(*, email: OutboundEmail, subject: str) -> None:
    _finish(email, OutboundEmail.Status.SENT, "", subject=subject)


def outbox_record_suppressed(*, email: OutboundEmail) -> None:
    _finish(email, OutboundEmail.Status.SUPPRESSED, SUPPRESSED_NOTE)


def outbox_record_failed(*, email: OutboundEmail, error: str) -> None:
    _finish(email, OutboundEmail.Status.FAILED, error)


def outbox_record_transient(*, email: OutboundEmail, error: str) -> str:
    """A failure worth retrying: back to pending and raise TransientSendError, or 'failed' after the last try."""
    if email.attempts >= MAX_ATTEMPTS:
        _finish(email, OutboundEmail.Status.FAILED, f"Gave up after {email.attempts} attempts. Last: {error}")
        return "failed"
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.PENDING, last_error=error
    )
    raise TransientSendError(error)


def outbox_retry_failed(*, email_ids: list[int]) -> int:
    """Staff action: put failed emails back in the queue (the claim still guarantees one send per retry)."""
    ids = list(
        OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.FAILED).values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(status=OutboundEmail.Status.PENDING, attempts=0)
    transaction.on_commit(lambda: outbox_publish(email_ids=ids))
    return len(ids)


def _finish(email: OutboundEmail, status: str, error: str, subject: str = "") -> None:
    updates = {"status": status, "last_error": error}
    if email.kind == OutboundEmail.Kind.ACCOUNT and status != OutboundEmail.Status.FAILED:
        updates["context"] = {}  # its live link (password reset, confirmation) is not kept once it went out
    if status == OutboundEmail.Status.SENT:
        updates.update(sent_at=timezone.now(), subject=subject[:300])
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(**updates)
