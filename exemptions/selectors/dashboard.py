"""The program dashboard's figures for one adjustment year and window, read from the summary table.

A handful of queries whatever the number of requests: the years, the year's windows, its snapshot, its figure
rows (a few hundred, with their category and reviewer) and its extensions' end dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import TruncDate

from ..models import AdjustmentYear, DashboardFigure, DashboardSnapshot, Extension, SubmissionWindow
from ..windows import ET, date_et

Kind = DashboardFigure.Kind
# Backlog ages in days since the request reached CMS: (label, lowest, highest); None is "no upper bound".
FIGURE_FIELDS = [
    "kind",
    "day",
    "category_id",
    "category__name",
    "reviewer_id",
    "reviewer__full_name",
    "reviewer__email",
    "submitted",
    "still_open",
    "approved",
    "denied",
    "withdrawn",
    "mailed",
    "received",
]
AGE_BUCKETS = [("0-7 days", 0, 7), ("8-14 days", 8, 14), ("15-30 days", 15, 30), ("Over 30 days", 31, None)]


@dataclass(frozen=True)
class Marker:
    day: dt.date
    label: str
    kind: str  # "deadline", "original", "extension"


@dataclass
class CategoryOutcome:
    name: str
    submitted: int = 0
    approved: int = 0
    denied: int = 0
    withdrawn: int = 0
    still_open: int = 0

    @property
    def decided(self) -> int:
        return self.approved + self.denied

    def share(self, count: int) -> int:
        """Percent of the decided requests (approved + denied), rounded; 0 when none is decided yet."""
        return round(100 * count / self.decided) if self.decided else 0


@dataclass
class ReviewerWeeks:
    name: str
    weeks: dict[dt.date, tuple[int, int]] = field(default_factory=dict)  # Monday -> (approved, denied)

    @property
    def total(self) -> int:
        return sum(a + d for a, d in self.weeks.values())


@dataclass
class Dashboard:
    years: list[AdjustmentYear]
    year: AdjustmentYear | None
    windows: list[SubmissionWindow]
    window: SubmissionWindow | None
    today: dt.date
    refreshed_at: dt.datetime | None = None
    days: list[tuple[dt.date, int]] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    span: tuple[dt.date, dt.date] | None = None  # first and last day the submissions chart shows
    backlog: list[tuple[str, int]] = field(default_factory=list)
    categories: list[CategoryOutcome] = field(default_factory=list)
    weeks: list[dt.date] = field(default_factory=list)
    reviewers: list[ReviewerWeeks] = field(default_factory=list)
    letters: list[tuple[dt.date, int, int]] = field(default_factory=list)  # Monday, mailed, received

    @property
    def submitted(self) -> int:
        return sum(count for _day, count in self.days)

    @property
    def still_open(self) -> int:
        return sum(count for _label, count in self.backlog)

    @property
    def letters_mailed(self) -> int:
        return sum(mailed for _week, mailed, _received in self.letters)

    @property
    def letters_received(self) -> int:
        return sum(received for _week, _mailed, received in self.letters)

    @property
    def empty(self) -> bool:
        return not (self.days or self.letters or self.reviewers)


def dashboard_years() -> list[AdjustmentYear]:
    """Every adjustment year, newest first and the practice year last, each with its snapshot (or none)."""
    return list(AdjustmentYear.objects.select_related("dashboard_snapshot").order_by("is_practice", "-year"))


def dashboard_default_year(years: list[AdjustmentYear]) -> AdjustmentYear | None:
    """The newest real year with requests (a year set up ahead of its window has none yet), else the newest."""
    counted = [y for y in years if not y.is_practice and getattr(y, "dashboard_snapshot", None)]
    busy = next((y for y in counted if y.dashboard_snapshot.requests), None)
    return busy or next((y for y in years if not y.is_practice), years[0] if years else None)


def dashboard_read(
    *, year: AdjustmentYear | None, window_id: int | None, at: dt.datetime, years: list[AdjustmentYear] | None = None
) -> Dashboard:
    """The figures of `year` (all its windows, or the one with `window_id`) as last refreshed; `at` sets "today".

    `years` is the year menu when the caller already read it (`dashboard_years`)."""
    years = dashboard_years() if years is None else years
    if year is None:
        return Dashboard(years=years, year=None, windows=[], window=None, today=date_et(at))
    windows = list(SubmissionWindow.objects.filter(year=year).select_related("year").order_by("opens_at", "channel"))
    window = next((w for w in windows if w.pk == window_id), None)
    board = Dashboard(years=years, year=year, windows=windows, window=window, today=date_et(at))
    snapshot = DashboardSnapshot.objects.filter(year=year).first()
    if snapshot is None:
        return board
    board.refreshed_at = snapshot.refreshed_at
    # Plain rows, not model instances: a busy year has a few thousand and instances cost 10 times more.
    figures = snapshot.figures.order_by("day", "id").values(*FIGURE_FIELDS)
    if window is not None:
        figures = figures.filter(window=window)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for figure in figures:
        by_kind[figure["kind"]].append(figure)
    _submissions(board, by_kind[Kind.DAY], windows if window is None else [window])
    _backlog(board, by_kind[Kind.DAY])
    _categories(board, by_kind[Kind.CATEGORY])
    _reviewers(board, by_kind[Kind.REVIEWER_WEEK])
    _letters(board, by_kind[Kind.LETTER_DAY])
    return board


def _submissions(board: Dashboard, rows: list[dict], windows: list[SubmissionWindow]) -> None:
    per_day: dict[dt.date, int] = defaultdict(int)
    for row in rows:
        per_day[row["day"]] += row["submitted"]
    board.days = sorted(per_day.items())
    markers = []
    for window in windows:
        name = window.label or window.get_channel_display()
        if window.original_closes_at and window.original_closes_at != window.closes_at:
            markers.append(Marker(date_et(window.original_closes_at), f"Original deadline ({name})", "original"))
            markers.append(Marker(date_et(window.closes_at), f"Extended deadline ({name})", "deadline"))
        else:
            markers.append(Marker(date_et(window.closes_at), f"Deadline ({name})", "deadline"))
    extensions = (
        Extension.objects.filter(year=board.year, channel__in={w.channel for w in windows})
        .annotate(day=TruncDate("until", tzinfo=ET))
        .order_by("day")
        .values("day")
        .annotate(n=Count("request_id", distinct=True))
    )
    for row in extensions:
        plural = "request" if row["n"] == 1 else "requests"
        markers.append(Marker(row["day"], f"Extension to this day ({row['n']} {plural})", "extension"))
    board.markers = sorted(markers, key=lambda m: m.day)
    days = [day for day, _n in board.days] + [m.day for m in markers] + [date_et(w.opens_at) for w in windows]
    if board.days:
        board.span = (min(days), max(days))


def _backlog(board: Dashboard, rows: list[dict]) -> None:
    counts = dict.fromkeys([label for label, _low, _high in AGE_BUCKETS], 0)
    for row in rows:
        age = (board.today - row["day"]).days
        for label, low, high in AGE_BUCKETS:
            if age >= low and (high is None or age <= high) or (low == 0 and age < 0):
                counts[label] += row["still_open"]
                break
    board.backlog = list(counts.items())


def _categories(board: Dashboard, rows: list[dict]) -> None:
    outcomes: dict[int, CategoryOutcome] = {}
    for row in rows:
        outcome = outcomes.setdefault(row["category_id"], CategoryOutcome(name=row["category__name"]))
        for name in ("submitted", "approved", "denied", "withdrawn", "still_open"):
            setattr(outcome, name, getattr(outcome, name) + row[name])
    board.categories = sorted(outcomes.values(), key=lambda o: (-o.submitted, o.name))


def _reviewers(board: Dashboard, rows: list[dict]) -> None:
    people: dict[int, ReviewerWeeks] = {}
    for row in rows:
        name = row["reviewer__full_name"] or row["reviewer__email"]
        person = people.setdefault(row["reviewer_id"], ReviewerWeeks(name=name))
        approved, denied = person.weeks.get(row["day"], (0, 0))
        person.weeks[row["day"]] = (approved + row["approved"], denied + row["denied"])
    board.weeks = sorted({week for person in people.values() for week in person.weeks})
    board.reviewers = sorted(people.values(), key=lambda p: (-p.total, p.name))


def _letters(board: Dashboard, rows: list[dict]) -> None:
    weeks: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        monday = row["day"] - dt.timedelta(days=row["day"].weekday())
        weeks[monday][0] += row["mailed"]
        weeks[monday][1] += row["received"]
    board.letters = [(week, mailed, received) for week, (mailed, received) in sorted(weeks.items())]
