"""Shared by the in-process benchmarks (growth, submit profile): a fresh PostgreSQL database and Django on it.

Each benchmark names its own database (BENCH_*_DATABASE_URL overrides it) so benchmarks never share rows.
"""

from __future__ import annotations

import os
import tempfile


def fresh_database(url: str) -> None:
    """Drop and recreate the database at `url` (a benchmark's own, never the portal's)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, *, redis_url: str, queue: str) -> str:
    """Production-like settings (DEBUG off) on a fresh database, migrated and seeded; returns the media folder."""
    media = tempfile.mkdtemp(prefix="bench-media-")
    os.environ.update(
        {
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,  # published tasks wait in a queue no worker reads; emptied after
            "MEDIA_ROOT": media,
            "PORTAL_VAR_DIR": media,
            "DEBUG": "False",
            "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "testserver,localhost",
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_COOKIES": "False",
            "EMAIL_URL": "locmem://",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    return media


def empty_queue(redis_url: str, queue: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).delete(queue)


def seed_drafts(year, numbers: range, *, domain: str) -> None:
    """Drafts numbered `numbers` (one EP each, each with its own account, no password) for `year`, 5,000 a batch:
    what a reminder sweep walks."""
    from django.contrib.auth.hashers import make_password

    from exemptions.models import AffectedEP, ExemptionRequest, User

    unusable = make_password(None)
    for first in range(numbers.start, numbers.stop, 5000):
        batch = range(first, min(first + 5000, numbers.stop))
        users = User.objects.bulk_create(
            [User(email=f"ep{i}@{domain}", full_name=f"EP {i}", password=unusable) for i in batch]
        )
        drafts = ExemptionRequest.objects.bulk_create(
            [ExemptionRequest(owner=u, year=year, contact_name=u.full_name, contact_email=u.email) for u in users]
        )
        AffectedEP.objects.bulk_create(
            [AffectedEP(request=d, name=d.contact_name, email=d.contact_email) for d in drafts]
        )


def reminder_year(number: int, label: str):
    """A year whose online window closes 3 days from today (default reminder policy): (year, the 3-day reminder
    instant, 9:00 a.m. ET today)."""
    import datetime as dt

    from django.utils import timezone

    from exemptions.models import AdjustmentYear, ReminderPolicy, SubmissionWindow
    from exemptions.windows import ET

    today = timezone.now().astimezone(ET).date()
    year = AdjustmentYear.objects.create(year=number, adjustment_percent="1.00", reporting_period=label)
    window = SubmissionWindow.objects.create(
        year=year,
        channel="online",
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=dt.datetime.combine(today + dt.timedelta(days=3), dt.time(23, 59, 59), tzinfo=ET),
    )
    ReminderPolicy.objects.create(window=window)
    return year, dt.datetime.combine(today, dt.time(9, 0), tzinfo=ET)
