"""The one rule for "is this window open".

Every view, form, service and task that depends on windows asks `window_state`; no other code
compares instants to windows. The instant is always passed in (production: timezone.now()).
A window is open from `opens_at` through the whole second `closes_at` (closes_at is the last
second accepted, 23:59:59 ET by default). A staff extension that names a request keeps the
channel open for that request until the extension's `until`; an extension never follows a TIN.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .models import AdjustmentYear, ExemptionRequest, Extension, InformalReviewWindow, SubmissionWindow
from .models.informal_reviews import INFORMAL_REVIEW_CHANNEL

ET = ZoneInfo("America/New_York")
ONE_SECOND = dt.timedelta(seconds=1)


class State(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    NO_WINDOW = "no_window"


@dataclass(frozen=True)
class WindowState:
    state: State
    at: dt.datetime
    window: SubmissionWindow | None = None  # the open one, else the last closed, else the next
    next_window: SubmissionWindow | None = None  # the next one to open after `at`, if any
    extension: Extension | None = None  # set when open only thanks to an extension

    @property
    def is_open(self) -> bool:
        return self.state is State.OPEN

    @property
    def closes_at(self) -> dt.datetime | None:
        if self.extension is not None:
            return self.extension.until
        return self.window.closes_at if self.window and self.state is State.OPEN else None

    @property
    def extension_notice(self) -> str:
        """Who extended what until when (empty unless open only thanks to an extension)."""
        return extension_notice(self.extension) if self.extension is not None else ""

    def describe(self) -> str:
        """Plain words: 'Open until 11:59 p.m. ET on Thursday, January 31, 2013'."""
        if self.state is State.OPEN:
            until = format_et(self.closes_at, seconds=True)
            return f"Open until {until} (extended for you)" if self.extension else f"Open until {until}"
        if self.state is State.NOT_YET_OPEN:
            return f"Opens at {format_et(self.window.opens_at)}"
        if self.state is State.CLOSED:
            text = f"Closed at {format_et(self.window.closes_at, seconds=True)}"
            if self.next_window:
                text += f"; next window opens at {format_et(self.next_window.opens_at)}"
            return text
        return "No window for this channel"


def is_inside(window: SubmissionWindow, at: dt.datetime) -> bool:
    return window.opens_at <= at < window.closes_at + ONE_SECOND


def window_state(
    *,
    year: AdjustmentYear | int,
    channel: str,
    at: dt.datetime,
    exemption: ExemptionRequest | None = None,
    windows: Iterable[SubmissionWindow] | None = None,
) -> WindowState:
    """Answer open / not yet open / closed / no window for `year` and `channel` at instant `at`.

    `windows` may be passed when the caller already holds the year's windows (list pages) to
    avoid a query; `exemption` makes the staff extensions that name that request count.
    """
    if at.tzinfo is None:
        raise ValueError("window_state needs an aware datetime")
    year_id = year if isinstance(year, int) else year.pk
    if windows is None:
        windows = SubmissionWindow.objects.filter(year_id=year_id, channel=channel)
    ordered = sorted((w for w in windows if w.channel == channel), key=lambda w: w.opens_at)
    if not ordered:
        return WindowState(State.NO_WINDOW, at)
    upcoming = [w for w in ordered if w.opens_at > at]
    next_window = upcoming[0] if upcoming else None
    for window in ordered:
        if is_inside(window, at):
            return WindowState(State.OPEN, at, window=window, next_window=next_window)
    past = [w for w in ordered if w.closes_at + ONE_SECOND <= at]
    if not past:
        return WindowState(State.NOT_YET_OPEN, at, window=next_window, next_window=next_window)
    last_closed = past[-1]
    extension = _active_extension(year_id, channel, at, exemption) if exemption is not None else None
    if extension is not None:
        return WindowState(State.OPEN, at, window=last_closed, next_window=next_window, extension=extension)
    return WindowState(State.CLOSED, at, window=last_closed, next_window=next_window)


def informal_review_state(
    *, year: AdjustmentYear | int, at: dt.datetime, windows: Iterable[InformalReviewWindow] | None = None
) -> WindowState:
    """The same rule over a year's informal review windows (a channel of their own; no extensions)."""
    if windows is None:
        year_id = year if isinstance(year, int) else year.pk
        windows = InformalReviewWindow.objects.filter(year_id=year_id)
    return window_state(year=year, channel=INFORMAL_REVIEW_CHANNEL, at=at, windows=windows)


def _active_extension(year_id: int, channel: str, at: dt.datetime, exemption: ExemptionRequest) -> Extension | None:
    """The latest-ending extension staff granted to this very request (never one for its TIN) still running at `at`."""
    if not exemption.pk:
        return None
    return (
        Extension.objects.filter(request_id=exemption.pk, year_id=year_id, channel=channel, until__gt=at - ONE_SECOND)
        .order_by("-until")
        .first()
    )


def extension_notice(extension: Extension) -> str:
    """Who extended what until when, as the EP reads it: staff are named as "CMS staff", never by name."""
    until = format_et(extension.until, seconds=True)
    return f"CMS staff extended the deadline for this request to {until}: {extension.reason}"


def format_et(value: dt.datetime, *, seconds: bool = False) -> str:
    """'11:59 p.m. ET on Thursday, January 31, 2013' (always Eastern Time, EST or EDT alike);
    with `seconds`, '11:59:59 p.m. ET on ...' (a deadline to the second)."""
    local = value.astimezone(ET)
    return f"{format_clock_et(value, seconds=seconds)} on {local:%A, %B} {local.day}, {local.year}"


def format_clock_et(value: dt.datetime, *, seconds: bool = False) -> str:
    """The portal's one way to write a time: '3:41 p.m. ET', '11:59:59 p.m. ET' (never '3:41 PM')."""
    local = value.astimezone(ET)
    hour = local.hour % 12 or 12
    meridiem = "a.m." if local.hour < 12 else "p.m."
    clock = f"{hour}:{local.minute:02d}:{local.second:02d}" if seconds else f"{hour}:{local.minute:02d}"
    return f"{clock} {meridiem} ET"


def format_short_et(value: dt.datetime) -> str:
    """'Jan 31, 2013, 3:41 p.m. ET': the same time format, with a short date for tables and histories."""
    local = value.astimezone(ET)
    return f"{local:%b} {local.day}, {local.year}, {format_clock_et(value)}"


def date_et(value: dt.datetime) -> dt.date:
    """The calendar day of an instant in Eastern Time (a postmark deadline is a day, not an instant)."""
    return value.astimezone(ET).date()


def date_in_words(value: dt.date) -> str:
    """'November 1, 2011' (no leading zero, as a letter writes it)."""
    return f"{value:%B} {value.day}, {value.year}"


def format_date_et(value: dt.datetime) -> str:
    return date_in_words(date_et(value))


@dataclass(frozen=True)
class TimeLeft:
    """How long until a deadline's last second, as one count of one unit; `str()` gives the words."""

    count: int
    unit: str  # "day", "hour" or "minute"
    due_today: bool  # the deadline falls later today (ET), so hours are counted

    @property
    def amount(self) -> str:
        """'3 days', '1 hour', '12 minutes'."""
        return f"{self.count} {self.unit}{'s' if self.count != 1 else ''}"

    def __str__(self) -> str:
        """'3 days left', '5 hours left, due today', '12 minutes left' (no verb: nothing 'closes' for a reply)."""
        return f"{self.amount} left, due today" if self.due_today else f"{self.amount} left"


def time_left_until(*, deadline: dt.datetime, at: dt.datetime) -> TimeLeft:
    """The one count of the time left before `deadline` (its last second), for pages and emails alike:
    calendar days in ET; hours when the deadline is today or under a day away; minutes under two hours."""
    seconds = int((deadline + ONE_SECOND - at).total_seconds())
    days = (deadline.astimezone(ET).date() - at.astimezone(ET).date()).days
    if seconds < 2 * 3600:
        return TimeLeft(max(1, seconds // 60), "minute", due_today=False)
    if days <= 0 or seconds < 24 * 3600:
        return TimeLeft(seconds // 3600, "hour", due_today=days <= 0)
    return TimeLeft(days, "day", due_today=False)


def time_left_words(*, deadline: dt.datetime, at: dt.datetime) -> str:
    """'3 days left' / '5 hours left, due today' / '12 minutes left' (emails)."""
    return str(time_left_until(deadline=deadline, at=at))


def time_left(state: WindowState) -> str:
    """'closes in 3 days' for an open window (or extension), counted as `time_left_until` counts; '' when not open."""
    closes = state.closes_at
    return "" if closes is None else f"closes in {time_left_until(deadline=closes, at=state.at).amount}"


def describe_window(window: SubmissionWindow, at: dt.datetime) -> tuple[State, str]:
    """One window on its own (home page rows): its state and the sentence to show."""
    if is_inside(window, at):
        return State.OPEN, f"Open until {format_et(window.closes_at, seconds=True)}"
    if window.opens_at > at:
        return State.NOT_YET_OPEN, f"Opens at {format_et(window.opens_at)}"
    return State.CLOSED, f"Closed at {format_et(window.closes_at, seconds=True)}"
