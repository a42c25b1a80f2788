"""Media housekeeping: the weekly removal of files no row references."""

from celery import shared_task
from django.utils import timezone

from ..services.media import media_orphans_remove


@shared_task(name="exemptions.remove_orphaned_media", soft_time_limit=600, time_limit=660)
def remove_orphaned_media() -> dict:
    """Weekly (beat): delete files under MEDIA_ROOT that no row references, older than the grace period.

    Safe to run twice or concurrently: a file already removed is skipped."""
    return media_orphans_remove(at=timezone.now())
