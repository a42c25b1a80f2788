"""Reminder tasks: the periodic sweep (beat, every 15 minutes) and the batch sender it fans out to."""

import logging

from celery import shared_task
from django.utils import timezone

from ..services.outbox import TransientSendError, outbox_deliver
from ..services.reminders import reminders_sweep
from .emails import send_email

log = logging.getLogger(__name__)


@shared_task(name="exemptions.sweep_reminders")
def sweep_reminders() -> dict:
    """Claim what is due now and publish it. Safe to run twice or concurrently (the outbox key is the claim)."""
    return reminders_sweep(at=timezone.now())


@shared_task(
    name="exemptions.send_email_batch",
    acks_late=True,  # idempotent: every row is claimed again before sending, so a re-delivery sends nothing twice
    reject_on_worker_lost=True,
)
def send_email_batch(email_ids: list[int]) -> dict:
    """Send up to ~100 outbox emails (one broker message instead of 100). A transient failure is handed to
    send_email, which retries that one email with backoff; if even that publish fails, the row stays pending and
    the outbox drain publishes it later."""
    outcomes: dict[str, int] = {}
    for email_id in email_ids:
        try:
            outcome = outbox_deliver(email_id=email_id)
        except TransientSendError:
            outcome = "retry"
            try:
                send_email.apply_async((email_id,), countdown=2)
            except Exception as exc:  # broker gone: the drain republishes the pending row
                log.warning("could not queue a retry for email %s: %s", email_id, exc)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
