"""Reads that more than one page needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import AdjustmentYear, Announcement, SubmissionWindow, YearCategory
from .windows import State, describe_window


@dataclass
class WindowRow:
    window: SubmissionWindow
    state: State
    sentence: str


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
            overview.windows.append(WindowRow(window, state, sentence))
        for yc in year.year_categories.all():
            (overview.information_only if yc.information_only else overview.selectable).append(yc)
        overviews.append(overview)
    return overviews


def published_announcements(*, at: dt.datetime, limit: int = 10):
    return Announcement.objects.filter(is_published=True, published_at__lte=at).order_by("-published_at")[:limit]
