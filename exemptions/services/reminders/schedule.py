"""The schedule: when each reminder of a deadline goes out.

Every offset gives an instant before the deadline: a whole-day offset goes out at the policy's send time (ET) that
many days before the closing day; any other offset exactly that many minutes before the deadline. The latest
instant that has passed is the one due (older ones are superseded: a draft started 2 days before the close gets the
"1 day" reminder, not three at once). It stays due until the deadline, so a missed or failed sweep catches up;
nothing is due once the deadline has passed.
"""

from __future__ import annotations

import datetime as dt

from ...models import InformationRequest, ReminderPolicy, SubmissionWindow
from ...windows import ET, ONE_SECOND

MINUTES_PER_DAY = 24 * 60


def policy_for(window: SubmissionWindow | None) -> ReminderPolicy:
    """The window's policy, or the defaults (14, 3 and 1 days at 9:00 ET, every kind on) when staff set none."""
    if window is not None:
        try:
            return window.reminder_policy
        except ReminderPolicy.DoesNotExist:
            pass
    return ReminderPolicy(window=window)


def clean_offsets(raw) -> list[int]:
    """Offsets as staff typed them (JSON): keep positive whole minutes, largest first, each once."""
    values = raw if isinstance(raw, list) else [raw]
    offsets = set()
    for value in values:
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            continue
        if minutes > 0 and minutes == value:
            offsets.add(minutes)
    return sorted(offsets, reverse=True)


def reminder_instant(*, closes_at: dt.datetime, offset_minutes: int, send_time: dt.time) -> dt.datetime:
    if offset_minutes % MINUTES_PER_DAY == 0:
        day = closes_at.astimezone(ET).date() - dt.timedelta(days=offset_minutes // MINUTES_PER_DAY)
        return dt.datetime.combine(day, send_time, tzinfo=ET)
    # closes_at is the last accepted second, so "15 minutes before" means 15 minutes before the next second.
    return closes_at + ONE_SECOND - dt.timedelta(minutes=offset_minutes)


def latest_due_offset(
    *, policy: ReminderPolicy, closes_at: dt.datetime, at: dt.datetime
) -> tuple[int, dt.datetime] | None:
    """(offset, instant) of the reminder due at `at` for a deadline, or None (none passed yet, or too late)."""
    if at >= closes_at + ONE_SECOND:
        return None
    best = None
    for offset in clean_offsets(policy.offsets_minutes):
        instant = reminder_instant(closes_at=closes_at, offset_minutes=offset, send_time=policy.send_time)
        if instant <= at and (best is None or instant > best[1]):
            best = (offset, instant)
    return best


def schedule(*, policy: ReminderPolicy, closes_at: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """Every (offset, instant) of a deadline, soonest first: for the dry run and the admin."""
    return sorted(
        (
            (o, reminder_instant(closes_at=closes_at, offset_minutes=o, send_time=policy.send_time))
            for o in clean_offsets(policy.offsets_minutes)
        ),
        key=lambda pair: pair[1],
    )


def info_deadline(question: InformationRequest) -> dt.datetime:
    """The last second of the reply-by day in ET (the same convention as windows)."""
    return dt.datetime.combine(question.reply_by, dt.time(23, 59, 59), tzinfo=ET)
