"""What the informal review pages read: each adjustment year's informal review windows and their state, a person's
informal reviews, and whether a denied hardship request's page should point to an informal review."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..models import AdjustmentYear, ExemptionRequest, InformalReview, InformalReviewWindow
from ..windows import State, WindowState, format_et, informal_review_state

OPENING_NOT_PUBLISHED = "CMS did not publish the opening date"


@dataclass(frozen=True)
class WindowLine:
    window: InformalReviewWindow
    opens: str  # "12:00 a.m. ET on ..." or "CMS did not publish the opening date"
    closes: str


@dataclass(frozen=True)
class ReviewYear:
    """One adjustment year as the informal review pages show it."""

    year: AdjustmentYear
    state: WindowState
    lines: list[WindowLine]

    @property
    def has_window(self) -> bool:
        return self.state.state is not State.NO_WINDOW

    @property
    def can_start(self) -> bool:
        """A draft may be started while a window is open or still to come (it is submitted when one is open)."""
        return self.state.state in (State.OPEN, State.NOT_YET_OPEN)

    @property
    def words(self) -> str:
        """The state in plain words; for a year without a window, that CMS did not publish one."""
        if not self.has_window:
            return f"CMS did not publish an informal review window for the {self.year.year} payment adjustment."
        if self.state.state is State.NOT_YET_OPEN and not self.state.window.opening_published:
            return f"{OPENING_NOT_PUBLISHED}; closes at {format_et(self.state.window.closes_at)}"
        return self.state.describe()


def window_line(window: InformalReviewWindow) -> WindowLine:
    opens = format_et(window.opens_at) if window.opening_published else OPENING_NOT_PUBLISHED
    return WindowLine(window=window, opens=opens, closes=format_et(window.closes_at))


def review_years(*, at: dt.datetime) -> list[ReviewYear]:
    """Every adjustment year (practice years included, they are labeled) with its informal review windows."""
    windows: dict[int, list[InformalReviewWindow]] = defaultdict(list)
    for window in InformalReviewWindow.objects.order_by("opens_at"):
        windows[window.year_id].append(window)
    return [
        ReviewYear(
            year=year,
            state=informal_review_state(year=year, at=at, windows=windows[year.pk]),
            lines=[window_line(w) for w in windows[year.pk]],
        )
        for year in AdjustmentYear.objects.order_by("year")
    ]


def review_year(*, year: AdjustmentYear, at: dt.datetime) -> ReviewYear:
    windows = list(InformalReviewWindow.objects.filter(year=year).order_by("opens_at"))
    return ReviewYear(
        year=year,
        state=informal_review_state(year=year, at=at, windows=windows),
        lines=[window_line(w) for w in windows],
    )


def review_rows(*, owner) -> list[InformalReview]:
    return list(InformalReview.objects.filter(owner=owner).select_related("year").order_by("-created_at"))


def after_denial(*, exemption: ExemptionRequest, at: dt.datetime) -> ReviewYear | None:
    """For a denied hardship request: its year's informal review when a window is open or still to come, else None."""
    if exemption.status != ExemptionRequest.Status.DENIED:
        return None
    found = review_year(year=exemption.year, at=at)
    return found if found.can_start else None
