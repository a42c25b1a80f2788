"""Celery wiring. Tasks live in exemptions/tasks.py; the beat schedule is here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Re-publish outbox rows whose publish failed or was lost (broker down at commit time).
    "drain-outbox": {"task": "exemptions.drain_outbox", "schedule": 60.0},
}
