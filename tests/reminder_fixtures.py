"""What the reminder tests share: a 2031 online window closing at 23:59:59 ET on March 14, 2030, and a sweep run
at a frozen instant (the builders read the clock at delivery)."""

from __future__ import annotations

import datetime as dt

import time_machine

from exemptions.models import ReminderPolicy, SubmissionWindow, User
from exemptions.services.reminders import reminders_sweep
from tests.conftest import et
from tests.factories import RequestFactory, UserFactory, WindowFactory

CLOSES = et(2030, 3, 14, 23, 59, 59)
THREE_DAYS = et(2030, 3, 11, 9, 0)  # 3 days before the closing day, at the 9:00 ET send time
CREATED = et(2030, 2, 15)


def online_window(year) -> SubmissionWindow:
    """The year's online window (Feb 1 to CLOSES) with the default reminder policy."""
    window = WindowFactory(year=year, opens_at=et(2030, 2, 1), closes_at=CLOSES)
    ReminderPolicy.objects.create(window=window)
    return window


def make_draft(window: SubmissionWindow, owner: User | None = None, at: dt.datetime = CREATED, **fields):
    with time_machine.travel(at, tick=False):
        return RequestFactory(owner=owner or UserFactory(), year=window.year, **fields)


def sweep(at: dt.datetime) -> dict[str, int]:
    with time_machine.travel(at, tick=False):
        return reminders_sweep(at=at)
