"""GPRO letter tasks: thin, named, ids only. Both skip finished work, so a re-delivery is harmless."""

from celery import shared_task

from ..documents.rendering import letter_render, print_batch_build


@shared_task(
    name="exemptions.render_letter",
    acks_late=True,  # idempotent: a stored letter is skipped, a lost race deletes its own file
    reject_on_worker_lost=True,
    soft_time_limit=600,  # a 2,500-EP letter is ~60 pages
    time_limit=660,
)
def render_letter(letter_id: int) -> str:
    return letter_render(letter_id=letter_id)


@shared_task(
    name="exemptions.build_print_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=600,
    time_limit=660,
)
def build_print_batch(batch_id: int) -> str:
    return print_batch_build(batch_id=batch_id)
