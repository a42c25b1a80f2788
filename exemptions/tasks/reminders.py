"""Reminder tasks: the periodic sweep (beat, every 15 minutes) and the batch sender it fans out to."""

import logging

from celery import shared_task
from django.core.mail import get_connection
from django.utils import timezone

from ..emails.delivery import email_deliver
from ..emails.reminders import reminder_batch
from ..services.dispatch import task_publish
from ..services.outbox import SEND_EMAIL_TASK, TransientSendError
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
    acks_late=True,  # idempotent: every row is claimed again before sending, so a re-delivery sends nothing twice
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=360,
)
def send_email_batch(email_ids: list[int]) -> dict:
    """Send up to ~100 outbox emails over one SMTP session (one broker message instead of 100).

    A transient failure hands that email to send_email, which retries it with backoff; if even that publish fails
    the row stays pending and the outbox drain publishes it later."""
    outcomes: dict[str, int] = {}
    connection = _open_connection()
    try:
        with reminder_batch(email_ids):
            for email_id in email_ids:
                try:
                    outcome = email_deliver(email_id=email_id, connection=connection)
                except TransientSendError:
                    outcome = "retry"
                    _retry_later(email_id)
                    connection = _reopen(connection)  # the session may be broken: a fresh one for the rest
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        if connection is not None:
            connection.close()
    return outcomes


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
