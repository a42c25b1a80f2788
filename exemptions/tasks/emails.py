"""Email tasks: send one outbox row; drain what was never published."""

from celery import shared_task

from ..emails.delivery import email_deliver
from ..services.drain import publish_lost_work
from ..services.outbox import TransientSendError


@shared_task(
    name="exemptions.send_email",
    bind=True,
    acks_late=True,  # idempotent: the outbox claim turns a re-delivery into "skipped"
    reject_on_worker_lost=True,
    max_retries=4,  # 5 tries in all
)
def send_email(self, email_id: int) -> str:
    try:
        return email_deliver(email_id=email_id)
    except TransientSendError as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from None


@shared_task(name="exemptions.drain_outbox")
def drain_outbox() -> dict:
    """Every minute (beat): publish again what a broker outage kept from the workers (emails, letters, batches)."""
    return publish_lost_work()
