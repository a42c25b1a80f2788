"""Recompute the program dashboard's figures (models/dashboard.py) from the requests and their status history.

Why a summary table refreshed by a beat task, not counters kept by the services at submit and decision time:
- the page must answer in well under 300 ms over a million requests; grouping them on each load takes seconds,
  reading a few hundred summary rows takes milliseconds;
- counters bumped in the same transaction as a submit would make every deadline-day submit wait on the same
  "today" row lock, and every path that changes a status (submit, letter, withdraw, decide, reopen, receive, and
  any future one) would have to remember to bump the right counter: one forgotten path and the figures drift for
  good. A recount from the source rows cannot drift, and a late or repeated run corrects itself;
- managers read trends, so figures a few minutes old are fine; the page says "figures as of <time ET>".
A refresh replaces a year's rows in one transaction under its snapshot's row lock: running it twice, or two at
once, leaves the same rows (never half of one refresh and half of another).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, DateField, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate, TruncWeek

from ..models import AdjustmentYear, DashboardFigure, DashboardSnapshot, ExemptionRequest, StatusChange
from ..windows import ET
from ..workflow import UNDECIDED

S = ExemptionRequest.Status
Kind = DashboardFigure.Kind
OPEN = Q(status__in=UNDECIDED)


def dashboard_refresh(*, at: dt.datetime, year_ids: list[int] | None = None) -> int:
    """Recompute the figures of every adjustment year (or of `year_ids`) as of `at`; returns the rows written.

    Idempotent: each year's rows are replaced, never added to. One transaction per year, so a long refresh of a
    busy year does not hold the other years' rows.
    """
    years = AdjustmentYear.objects.order_by("year")
    if year_ids is not None:
        years = years.filter(pk__in=year_ids)
    return sum(_year_refresh(year=year, at=at) for year in years)


@transaction.atomic
def _year_refresh(*, year: AdjustmentYear, at: dt.datetime) -> int:
    snapshot, _ = DashboardSnapshot.objects.update_or_create(year=year, defaults={"refreshed_at": at})
    # update_or_create locked the snapshot row: a concurrent refresh of this year waits here, then replaces ours.
    reached = _reached(year)
    figures = [
        *_days(reached),
        *_categories(year),
        *_reviewer_weeks(year),
        *_letter_days(year),
    ]
    for figure in figures:
        figure.snapshot = snapshot
    snapshot.figures.all().delete()
    DashboardFigure.objects.bulk_create(figures, batch_size=1000)
    snapshot.requests = sum(f.submitted for f in figures if f.kind == Kind.DAY)
    snapshot.save(update_fields=["requests"])
    return len(figures)


def _reached(year: AdjustmentYear) -> QuerySet:
    """The year's requests that reached CMS, with `day`: the ET day submitted online, or a group's letter received.

    A group's letter generated or mailed but not yet received is not CMS's work yet (it shows in the letters chart).
    """
    day = Coalesce(TruncDate("submitted_at", tzinfo=ET), F("received_on"), output_field=DateField())
    return ExemptionRequest.objects.filter(year=year).exclude(status=S.DRAFT).annotate(day=day).exclude(day=None)


def _days(reached: QuerySet) -> list[DashboardFigure]:
    rows = (
        reached.order_by()
        .values("submitted_window_id", "day")
        .annotate(submitted=Count("id"), still_open=Count("id", filter=OPEN))
    )
    return [
        DashboardFigure(
            kind=Kind.DAY,
            window_id=row["submitted_window_id"],
            day=row["day"],
            submitted=row["submitted"],
            still_open=row["still_open"],
        )
        for row in rows
    ]


def _categories(year: AdjustmentYear) -> list[DashboardFigure]:
    # A request with two categories counts in each: the chart answers "what share of category X is approved".
    through = ExemptionRequest.categories.through
    prefix = "exemptionrequest__"
    rows = (
        through.objects.filter(**{f"{prefix}year": year})
        .exclude(**{f"{prefix}status": S.DRAFT})
        .filter(Q(**{f"{prefix}submitted_at__isnull": False}) | Q(**{f"{prefix}received_on__isnull": False}))
        .order_by()
        .values(f"{prefix}submitted_window_id", "hardshipcategory_id")
        .annotate(
            submitted=Count("id"),
            approved=Count("id", filter=Q(**{f"{prefix}status": S.APPROVED})),
            denied=Count("id", filter=Q(**{f"{prefix}status": S.DENIED})),
            withdrawn=Count("id", filter=Q(**{f"{prefix}status": S.WITHDRAWN})),
            still_open=Count("id", filter=Q(**{f"{prefix}status__in": UNDECIDED})),
        )
    )
    return [
        DashboardFigure(
            kind=Kind.CATEGORY,
            window_id=row[f"{prefix}submitted_window_id"],
            category_id=row["hardshipcategory_id"],
            submitted=row["submitted"],
            approved=row["approved"],
            denied=row["denied"],
            withdrawn=row["withdrawn"],
            still_open=row["still_open"],
        )
        for row in rows
    ]


def _reviewer_weeks(year: AdjustmentYear) -> list[DashboardFigure]:
    # From the status history, not the request: a decision later reopened was still a reviewer's work that week,
    # and the history names who decided (the assigned reviewer may be someone else).
    week = TruncWeek("at", tzinfo=ET, output_field=DateField())
    rows = (
        StatusChange.objects.filter(request__year=year, to_status__in=[S.APPROVED, S.DENIED], actor__isnull=False)
        .annotate(week=week)
        .order_by()
        .values("request__submitted_window_id", "actor_id", "week")
        .annotate(
            approved=Count("id", filter=Q(to_status=S.APPROVED)),
            denied=Count("id", filter=Q(to_status=S.DENIED)),
        )
    )
    return [
        DashboardFigure(
            kind=Kind.REVIEWER_WEEK,
            window_id=row["request__submitted_window_id"],
            reviewer_id=row["actor_id"],
            day=row["week"],
            approved=row["approved"],
            denied=row["denied"],
        )
        for row in rows
    ]


def _letter_days(year: AdjustmentYear) -> list[DashboardFigure]:
    groups = ExemptionRequest.objects.filter(year=year, kind=ExemptionRequest.Kind.GROUP).order_by()
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: {"mailed": 0, "received": 0})
    for field, column in (("mailed_on", "mailed"), ("received_on", "received")):
        rows = groups.exclude(**{field: None}).values("submitted_window_id", field).annotate(n=Count("id"))
        for row in rows:
            counts[(row["submitted_window_id"], row[field])][column] = row["n"]
    return [
        DashboardFigure(kind=Kind.LETTER_DAY, window_id=window_id, day=day, **values)
        for (window_id, day), values in counts.items()
    ]
