from celery import shared_task

from ..services.outbox import TransientSendError, outbox_deliver, outbox_drain


@shared_task(
    name="exemptions.send_email",
    bind=True,
    acks_late=True,  # idempotent: the outbox claim turns a re-delivery into "skipped"
    reject_on_worker_lost=True,
    max_retries=4,  # 5 tries in all
)
def send_email(self, email_id: int) -> str:
    try:
        return outbox_deliver(email_id=email_id)
    except TransientSendError as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 60)) from None


@shared_task(name="exemptions.drain_outbox")
def drain_outbox() -> dict:
    return outbox_drain()
