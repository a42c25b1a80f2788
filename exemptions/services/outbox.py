"""The email outbox: an email is a row written in the caller's transaction, published to Celery on commit.

If the broker is down or hung at commit time, the row stays pending and `outbox_drain` (beat, every minute)
publishes it later. Delivery claims the row with a conditional UPDATE, so a task that runs twice (retry,
re-delivery after a worker was killed, a second publish by the drain) sends at most one email.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = dt.timedelta(minutes=10)


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
) -> tuple[OutboundEmail, bool]:
    """Record an email to send once (idempotent on `key`); publish it after the transaction commits."""
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipients": sorted({r for r in recipients if r}),
            "request": request,
            "user": user,
            "context": context or {},
        },
    )
    if created and publish:
        transaction.on_commit(lambda: outbox_publish(email_ids=[email.pk]))
    return email, created


def outbox_publish(*, email_ids: list[int]) -> int:
    """Hand emails to the broker. Never raises: a failed publish leaves the row for the drain."""
    from ..tasks.emails import send_email

    published = []
    for email_id in email_ids:
        try:
            send_email.delay(email_id)
        except Exception as exc:  # broker down, hung (socket timeout), misconfigured: the row keeps the work
            log.warning("outbox publish failed for email %s: %s", email_id, exc)
            break
        published.append(email_id)
    if published:
        OutboundEmail.objects.filter(pk__in=published).update(last_published_at=timezone.now())
    return len(published)


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


def outbox_deliver(*, email_id: int, connection=None) -> str:
    """Send one outbox email at most once. Returns 'sent', 'skipped', 'retry' or 'failed'.

    `connection` (an open email backend) lets a batch reuse one SMTP session instead of one per email.

    Raises TransientSendError after putting the row back to pending (the task retries with backoff).
    """
    from ..emails import build_message

    claimed = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    email = OutboundEmail.objects.select_related("request", "user").get(pk=email_id)
    try:
        message = build_message(email)
        if message is None:
            _finish(email, OutboundEmail.Status.SUPPRESSED, "Nothing to send any more (state changed).")
            return "suppressed"
        if connection is not None:
            message.connection = connection
        message.send()
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
        code = getattr(exc, "smtp_code", None) or _first_code(exc)
        if code and 400 <= code < 500:
            return _transient(email, f"SMTP {code}: {exc}")
        _finish(email, OutboundEmail.Status.FAILED, f"SMTP {code}: {exc}")
        return "failed"
    except (TimeoutError, ConnectionError, smtplib.SMTPServerDisconnected, OSError) as exc:
        return _transient(email, f"{type(exc).__name__}: {exc}")
    _finish(email, OutboundEmail.Status.SENT, "", subject=message.subject)
    return "sent"


def outbox_retry_failed(*, email_ids: list[int]) -> int:
    """Staff action: put failed emails back in the queue (the claim still guarantees one send per retry)."""
    ids = list(
        OutboundEmail.objects.filter(pk__in=email_ids, status=OutboundEmail.Status.FAILED).values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(status=OutboundEmail.Status.PENDING, attempts=0)
    transaction.on_commit(lambda: outbox_publish(email_ids=ids))
    return len(ids)


def _first_code(exc) -> int | None:
    recipients = getattr(exc, "recipients", {}) or {}
    for code, _msg in recipients.values():
        return code
    return None


def _transient(email: OutboundEmail, error: str) -> str:
    if email.attempts >= MAX_ATTEMPTS:
        _finish(email, OutboundEmail.Status.FAILED, f"Gave up after {email.attempts} attempts. Last: {error}")
        return "failed"
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.PENDING, last_error=error
    )
    raise TransientSendError(error)


def _finish(email: OutboundEmail, status: str, error: str, subject: str = "") -> None:
    updates = {"status": status, "last_error": error}
    if status == OutboundEmail.Status.SENT:
        updates.update(sent_at=timezone.now(), subject=subject[:300])
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(**updates)
