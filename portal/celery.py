"""Celery wiring. Tasks live in the exemptions/tasks/ package (registered by name); the beat schedule is here."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Re-publish work whose publish failed or was lost (broker down at commit time): outbox emails, letters to
    # render and print batches to build (services/drain.py).
    "drain-outbox": {"task": "exemptions.drain_outbox", "schedule": 60.0},
    # Deadline reminders: recomputed from the database each time (never long ETAs); on the quarter hour (ET), so
    # whole-day reminders set for 9:00 go out at 9:00. Exactly one beat must run (the outbox key stops duplicates).
    "sweep-reminders": {"task": "exemptions.sweep_reminders", "schedule": crontab(minute="*/15")},
    # The program dashboard's figures (services/dashboard.py says why a summary table): a recount every 5 minutes.
    "refresh-dashboard": {"task": "exemptions.refresh_dashboard", "schedule": 300.0},
    # Files under MEDIA_ROOT that no row references (an upload interrupted between its file and its row): removed
    # weekly, Sunday 3:30 a.m. ET, when nobody uploads; files younger than an hour are spared (services/media.py).
    "remove-orphaned-media": {
        "task": "exemptions.remove_orphaned_media",
        "schedule": crontab(minute=30, hour=3, day_of_week="sunday"),
    },
}
