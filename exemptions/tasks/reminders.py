"""Reminder tasks: the periodic sweep (beat, every 15 minutes) and the batch sender it fans out to."""

import logging

from celery import shared_task
from django.core.mail import get_connection
from django.utils import timezone

from ..emails.delivery import email_deliver_batch
from ..services.dispatch import task_publish
from ..services.outbox import SEND_EMAIL_TASK
from ..services.reminders import reminders_sweep

log = logging.getLogger(__name__)


# 100,000 reminders at one deadline take a sweep tens of seconds on a busy 2-core box: more than the default
# limits (120 s soft). Interrupted work is never lost (committed claims are published by the next sweep or the
# drain), but a sweep that always times out would delay every reminder by 15 minutes.
@shared_task(name="exemptions.sweep_reminders", soft_time_limit=600, time_limit=660)
def sweep_reminders() -> dict:
    """Claim what is due now and publish it. Safe to run twice or concurrently (the outbox key is the claim)."""
    return reminders_sweep(at=timezone.now())


@shared_task(
    name="exemptions.send_email_batch",
    # idempotent: the rows are claimed before sending, so a re-delivery sends nothing twice. A worker killed mid-batch
    # leaves its claimed rows "sending": never re-sent, reported by the drain after 10 minutes (retry from the admin).
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=360,
)
def send_email_batch(email_ids: list[int]) -> dict:
    """Send up to ~100 outbox emails over one SMTP session (one broker message instead of 100).

    A transient failure hands that email to send_email, which retries it with backoff; if even that publish fails
    the row stays pending and the outbox drain publishes it later."""
    held = [_open_connection()]

    def reconnect(connection):
        held[0] = _reopen(connection)
        return held[0]

    try:
        outcome = email_deliver_batch(email_ids=email_ids, connection=held[0], reconnect=reconnect)
    finally:
        if held[0] is not None:
            held[0].close()
    for email_id in outcome.retry:
        _retry_later(email_id)
    return outcome.counts


def _open_connection():
    """An open email backend, or None (each email then opens its own and reports its own error)."""
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # SMTP down: not fatal for the batch, every email records its own transient error
        log.warning("could not open an email connection for a batch: %s", exc)
        return None
    return connection


def _reopen(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: S110 (already broken; a fresh one follows)
            pass
    return _open_connection()


def _retry_later(email_id: int) -> None:
    # send_email retries with backoff; if the broker is gone too, the drain republishes the pending row.
    task_publish(SEND_EMAIL_TASK, email_id, countdown=2)
