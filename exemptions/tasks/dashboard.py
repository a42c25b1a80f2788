"""The program dashboard's figures, recomputed on a schedule (beat)."""

from celery import shared_task
from django.utils import timezone

from ..services.dashboard import dashboard_refresh


@shared_task(name="exemptions.refresh_dashboard", soft_time_limit=240, time_limit=300)
def refresh_dashboard() -> int:
    """Every 5 minutes (beat): recount every adjustment year's dashboard figures; returns the rows written.

    Safe to run twice or concurrently: each year's rows are replaced under its snapshot's row lock."""
    return dashboard_refresh(at=timezone.now())
