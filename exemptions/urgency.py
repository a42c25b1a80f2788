"""How urgent a deadline looks: calm beyond 7 days, amber at 7 days or less, red within the last 24 hours.

Physicians file at the last minute; twenty minutes before a close must not look like a month out. Every page that
shows a countdown (home, start, edit, dashboard, group pages) asks `countdown`; the instant is passed in.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from .windows import ET, ONE_SECOND, WindowState, format_clock_et, format_et, time_left_until, window_state

AMBER_WITHIN = dt.timedelta(days=7)
RED_WITHIN = dt.timedelta(hours=24)


class Urgency(enum.StrEnum):
    CALM = "calm"
    SOON = "soon"  # amber
    URGENT = "urgent"  # red


def urgency(*, deadline: dt.datetime, at: dt.datetime) -> Urgency:
    """`deadline` is the last second accepted: the time left runs to the end of that second."""
    remaining = deadline + ONE_SECOND - at
    if remaining <= RED_WITHIN:
        return Urgency.URGENT
    if remaining <= AMBER_WITHIN:
        return Urgency.SOON
    return Urgency.CALM


def day_words(deadline: dt.datetime, at: dt.datetime) -> str:
    """'today', 'tomorrow' or 'on Thursday, January 31, 2013' (calendar days in ET)."""
    days = (deadline.astimezone(ET).date() - at.astimezone(ET).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    local = deadline.astimezone(ET)
    return f"on {local:%A, %B} {local.day}, {local.year}"


@dataclass(frozen=True)
class Countdown:
    deadline: dt.datetime  # the last second accepted
    at: dt.datetime
    label: str = "closes"  # the verb: "closes" for a window, "must be answered" for a question, ...

    @property
    def urgency(self) -> Urgency:
        return urgency(deadline=self.deadline, at=self.at)

    @property
    def left(self) -> str:
        """'3 days', '5 hours', '12 minutes'."""
        return time_left_until(deadline=self.deadline, at=self.at).amount

    @property
    def instant(self) -> str:
        """'11:59:59 p.m. ET today' / '... tomorrow' / '... on Thursday, January 31, 2013'."""
        if self.urgency is Urgency.URGENT:
            return f"{format_clock_et(self.deadline, seconds=True)} {day_words(self.deadline, self.at)}"
        return format_et(self.deadline, seconds=True)

    @property
    def headline(self) -> str:
        """'Closes in 20 minutes, at 11:59:59 p.m. ET today'."""
        return f"{self.label.capitalize()} in {self.left}, at {self.instant}"

    @property
    def prefix(self) -> str:
        """Words that carry the urgency for people who do not see the color."""
        return {Urgency.URGENT: "Last day:", Urgency.SOON: "Deadline soon:", Urgency.CALM: "Deadline:"}[self.urgency]

    @property
    def iso(self) -> str:
        """The deadline for the browser, which adds the time in its own zone."""
        return self.deadline.isoformat()


def countdown(state: WindowState | None) -> Countdown | None:
    """The countdown for an open window (or an extension); None when the window is not open."""
    if state is None or state.closes_at is None:
        return None
    return Countdown(deadline=state.closes_at, at=state.at)


def received_before_close(*, received_at: dt.datetime, deadline: dt.datetime) -> str:
    """'20 minutes before the close at 11:59:59 p.m. ET on ...': what a confirmation says about timing."""
    left = time_left_until(deadline=deadline, at=received_at).amount
    return f"{left} before the close at {format_et(deadline, seconds=True)}"


def received_words(exemption) -> str:
    """How long before its close a submitted request arrived, against the deadline it was submitted under: the
    window's close, or the end of a staff extension that kept the channel open for this request. '' if unknown."""
    if exemption.submitted_at is None:
        return ""
    state = window_state(
        year=exemption.year_id, channel=exemption.channel, at=exemption.submitted_at, exemption=exemption
    )
    if state.closes_at is None:
        return ""
    return received_before_close(received_at=exemption.submitted_at, deadline=state.closes_at)
