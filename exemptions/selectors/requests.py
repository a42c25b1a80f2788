"""Reads of the EP-facing pages: years and windows, announcements, the owner's requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import AdjustmentYear, Announcement, Channel, ExemptionRequest, SubmissionWindow, YearCategory
from ..urgency import Countdown, countdown
from ..windows import State, WindowState, describe_window, time_left, window_state
from ..workflow import ep_label


@dataclass
class WindowRow:
    window: SubmissionWindow
    state: State
    sentence: str
    countdown: Countdown | None = None  # set while the window is open


@dataclass
class YearOverview:
    year: AdjustmentYear
    windows: list[WindowRow] = field(default_factory=list)
    selectable: list[YearCategory] = field(default_factory=list)
    information_only: list[YearCategory] = field(default_factory=list)

    @property
    def any_open(self) -> bool:
        return any(row.state is State.OPEN for row in self.windows)


def year_overviews(*, at: dt.datetime) -> list[YearOverview]:
    """Every adjustment year with its windows described at `at` (3 queries whatever the count)."""
    years = AdjustmentYear.objects.prefetch_related(
        Prefetch("windows", queryset=SubmissionWindow.objects.order_by("channel", "opens_at")),
        Prefetch("year_categories", queryset=YearCategory.objects.select_related("category")),
    ).order_by("-is_practice", "year")
    overviews = []
    for year in years:
        overview = YearOverview(year=year)
        for window in year.windows.all():
            state, sentence = describe_window(window, at)
            left = Countdown(deadline=window.closes_at, at=at) if state is State.OPEN else None
            overview.windows.append(WindowRow(window, state, sentence, left))
        for yc in year.year_categories.all():
            (overview.information_only if yc.information_only else overview.selectable).append(yc)
        overviews.append(overview)
    return overviews


def published_announcements(*, at: dt.datetime, limit: int = 10):
    return Announcement.objects.filter(is_published=True, published_at__lte=at).order_by("-published_at")[:limit]


@dataclass
class YearChoice:
    year: AdjustmentYear
    state: WindowState

    @property
    def selectable(self) -> bool:
        """Open now, or opens later: a draft can be started (and submitted once it opens)."""
        return self.state.state in (State.OPEN, State.NOT_YET_OPEN) or (
            self.state.state is State.CLOSED and self.state.next_window is not None
        )


def online_year_choices(*, at: dt.datetime) -> list[YearChoice]:
    years = AdjustmentYear.objects.prefetch_related(
        Prefetch("windows", queryset=SubmissionWindow.objects.filter(channel=Channel.ONLINE))
    ).order_by("-is_practice", "-year")
    return [
        YearChoice(year, window_state(year=year, channel=Channel.ONLINE, at=at, windows=year.windows.all()))
        for year in years
        if year.windows.all()
    ]


@dataclass
class RequestRow:
    exemption: ExemptionRequest
    ep_status: str
    window: WindowState
    window_words: str

    @property
    def countdown(self) -> Countdown | None:
        return countdown(self.window) if self.exemption.is_draft else None


def request_rows(*, owner, at: dt.datetime) -> list[RequestRow]:
    """The owner's requests, newest first, each with its window's state (4 queries whatever the count)."""
    exemptions = (
        ExemptionRequest.objects.filter(owner=owner)
        .select_related("year")
        .prefetch_related("year__windows", "extensions")
        .order_by("-created_at")
    )
    rows = []
    for exemption in exemptions:
        windows = [w for w in exemption.year.windows.all() if w.channel == exemption.channel]
        state = window_state(
            year=exemption.year,
            channel=exemption.channel,
            at=at,
            windows=windows,
            exemption=exemption if exemption.is_draft else None,
        )
        words = time_left(state) if state.is_open else state.describe()
        rows.append(RequestRow(exemption, ep_label(exemption.status), state, words))
    return rows
