"""Receipt and audit bundle builds: thin, named, ids only. A build skips finished work, so a re-delivery is harmless."""

from celery import shared_task

from ..documents.rendering import stored_file_build


@shared_task(
    name="exemptions.build_stored_file",
    acks_late=True,  # idempotent: a stored file is skipped, a lost race deletes its own file
    reject_on_worker_lost=True,
    soft_time_limit=600,  # a 2,500-EP receipt is ~60 pages, as the largest letter
    time_limit=660,
)
def build_stored_file(stored_file_id: int) -> str:
    return stored_file_build(stored_file_id=stored_file_id)
