"""List filters and the queryset of the staff request list, built to stay fast on a million requests.

Each filter's choices cost at most one small query, and the year and window filters share one (the program's
windows, read once per page view). Filtering uses indexed columns or `pk IN (subquery)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import connection
from django.db.models import Exists, F, Max, Min, QuerySet, Subquery
from django.utils import timezone

from ..models import AdjustmentYear, Channel, ExemptionRequest, HardshipCategory, SubmissionWindow, User
from ..models.letters import GroupMailing
from ..roles import ADMINISTRATOR, REVIEWER


@dataclass(frozen=True)
class WindowChoice:
    pk: int
    year_id: int
    year: str
    channel: str
    label: str
    closes_at: dt.datetime

    def __str__(self) -> str:
        label = f" {self.label}" if self.label else ""
        return f"{self.year} {Channel(self.channel).label}{label}"


@dataclass
class FilterChoices:
    windows: list[WindowChoice] = field(default_factory=list)
    categories: list[tuple[int, str]] = field(default_factory=list)
    reviewers: list[tuple[int, str]] = field(default_factory=list)


def filter_choices(request) -> FilterChoices:
    """The choices of every filter (windows with their years, categories, reviewers) in ONE query per page view.

    Three small ORM queries would do, but each is a round trip on a page whose budget is ten queries in all
    (session, user, two for permissions, count, rows, date range, these); cached on the HttpRequest.
    """
    if hasattr(request, "_review_choices"):
        return request._review_choices
    window, year, category = (
        SubmissionWindow._meta.db_table,
        AdjustmentYear._meta.db_table,
        HardshipCategory._meta.db_table,
    )
    user, memberships = User._meta.db_table, User.groups.through._meta.db_table
    sql = f"""
        SELECT 'w', w.id, w.year_id, y.year, y.is_practice, w.channel, w.label, w.closes_at
          FROM {window} w JOIN {year} y ON y.id = w.year_id
        UNION ALL
        SELECT 'c', c.id, NULL, NULL, NULL, NULL, c.name, NULL FROM {category} c
        UNION ALL
        SELECT 'r', u.id, NULL, NULL, NULL, NULL, COALESCE(NULLIF(u.full_name, ''), u.email), NULL FROM {user} u
         WHERE u.is_active AND u.is_staff AND u.id IN (
               SELECT m.user_id FROM {memberships} m JOIN auth_group g ON g.id = m.group_id WHERE g.name IN (%s, %s))
    """  # noqa: S608 (table names from the models' metadata; values are bound)
    with connection.cursor() as cursor:
        cursor.execute(sql, [REVIEWER, ADMINISTRATOR])
        rows = cursor.fetchall()
    choices = FilterChoices()
    for kind, pk, year_id, year_number, is_practice, channel, text, closes_at in rows:
        if kind == "w":
            year_label = f"{year_number} (practice)" if is_practice else str(year_number)
            closes = closes_at if isinstance(closes_at, dt.datetime) else dt.datetime.fromisoformat(str(closes_at))
            choices.windows.append(WindowChoice(pk, year_id, year_label, channel, text or "", closes))
        elif kind == "c":
            choices.categories.append((pk, text))
        else:
            choices.reviewers.append((pk, text))
    choices.windows.sort(key=lambda w: (w.year, w.channel, w.closes_at), reverse=True)
    choices.categories.sort(key=lambda c: c[1])
    choices.reviewers.sort(key=lambda r: r[1].lower())
    request._review_choices = choices
    return choices


def program_windows(request) -> list[WindowChoice]:
    return filter_choices(request).windows


def offered_value(list_filter: admin.SimpleListFilter) -> str | None:
    """The filter's value if it is one of its own choices; a typed or stale one is refused, never queried.

    "abc" or "99999999999999999999" would otherwise reach an integer column (a 500). Refusing it sends staff
    back to the unfiltered list with Django's "?e=1", as for any other bad lookup; the export answers 400.
    """
    value = list_filter.value()
    if value and value not in {str(key) for key, _label in list_filter.lookup_choices}:
        raise IncorrectLookupParameters(f"{list_filter.title}: {value!r} is not one of the choices")
    return value


class ProgramWindowsFilter(admin.SimpleListFilter):
    """A filter on one column, its choices made from the program's windows (read once per page view)."""

    column = ""

    def window_choices(self, windows: list[WindowChoice]) -> list[tuple[str, str]]:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return self.window_choices(program_windows(request))

    def queryset(self, request, queryset):
        value = offered_value(self)
        return queryset.filter(**{self.column: value}) if value else queryset


class YearFilter(ProgramWindowsFilter):
    title = "adjustment year"
    parameter_name = "year"
    column = "year_id"

    def window_choices(self, windows):
        years = {w.year_id: w.year for w in windows}
        return [(str(pk), str(year)) for pk, year in years.items()]


class WindowFilter(ProgramWindowsFilter):
    title = "submitted in window"
    parameter_name = "window"
    column = "submitted_window_id"

    def window_choices(self, windows):
        return [(str(w.pk), str(w)) for w in windows]


class CategoryFilter(admin.SimpleListFilter):
    title = "hardship category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in filter_choices(request).categories]

    def queryset(self, request, queryset):
        value = offered_value(self)
        if not value:
            return queryset
        through = ExemptionRequest.categories.through.objects.filter(hardshipcategory_id=value)
        return queryset.filter(pk__in=through.values("exemptionrequest_id"))


class ReviewerFilter(admin.SimpleListFilter):
    title = "assigned reviewer"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        return [
            ("me", "Assigned to me"),
            ("none", "Nobody"),
            *((str(pk), name) for pk, name in filter_choices(request).reviewers),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_reviewer=request.user)
        if value == "none":
            return queryset.filter(assigned_reviewer__isnull=True)
        # Any staff id (a reviewer since deactivated included), if it is one: ASCII digits of a 64-bit id.
        if value and value.isascii() and value.isdigit() and int(value) < 2**63:
            return queryset.filter(assigned_reviewer_id=value)
        return queryset


class LateLetterFilter(admin.SimpleListFilter):
    """GPRO letters postmarked (or, without a postmark, mailed) after the deadline printed on the newest letter.

    The rule is GroupMailingQuerySet's, shared with the letters admin and the group's page: a deadline moved by
    a staff extension counts.
    """

    title = "late letter"
    parameter_name = "late_letter"

    def lookups(self, request, model_admin):
        return [("yes", "Postmarked after the deadline")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(pk__in=GroupMailing.objects.late().values("pk"))


class RegistryFilter(admin.SimpleListFilter):
    """The summary stored on each request at submission (or re-check): no join to the EPs or the registry.

    Each choice is served on PostgreSQL by an index in list order (migration 0011).
    """

    title = "NPI registry"
    parameter_name = "registry"
    NOT_CHECKED = "none"

    def lookups(self, request, model_admin):
        summary = ExemptionRequest.RegistrySummary
        return [
            (summary.MATCH.value, "All EPs match"),
            (summary.WARNING.value, "Some EP does not match"),
            (self.NOT_CHECKED, "Not checked"),
        ]

    def queryset(self, request, queryset):
        value = offered_value(self)
        if not value:
            return queryset
        return queryset.filter(registry_summary="" if value == self.NOT_CHECKED else value)


class ReviewQuerySet(QuerySet):
    """The changelist's queryset, with a date hierarchy that costs one indexed query.

        Django's date hierarchy asks for MIN/MAX(submitted_at) and then a DISTINCT date_trunc over every matching
        row. On a million requests the DISTINCT takes hundreds of ms, and PostgreSQL may run a filtered MIN/MAX as a
        backward walk over the whole submitted_at index (measured 2.2 s for year + status). Here the first and last
        instants are read as two ORDER BY ... LIMIT 1 subqueries in the list's own indexed order (one round trip),
        and the periods between them are checked for a row in one more query (an EXISTS each): only periods with a
    submission are offered.
    """

    def aggregate(self, *args, **kwargs):
        field_name = _min_max_field(kwargs) if not args else None
        if field_name is None:
            return super().aggregate(*args, **kwargs)
        return self._date_range(field_name)

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        found = self._date_range(field_name)
        if not (found["first"] and found["last"]):
            return []
        periods = list(_periods(timezone.localtime(found["first"]), timezone.localtime(found["last"]), kind))
        return self._with_rows(field_name, kind, periods)

    def _with_rows(self, field_name: str, kind: str, periods: list[dt.datetime]) -> list[dt.datetime]:
        """Only the periods holding a matching row (the first and last do), asked in ONE query: an EXISTS per period
        between them, each an index range probe that stops at its first row (at most 31 of them, for days)."""
        between = periods[1:-1]
        if not between:
            return periods
        base = self.order_by()
        checks = {
            f"p{i}": Exists(base.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": _period_end(start, kind)}))
            for i, start in enumerate(between)
        }
        row = self.model._default_manager.using(self.db).annotate(**checks).values(*checks).order_by()[:1]
        found = next(iter(row), {})
        return [periods[0], *(start for i, start in enumerate(between) if found.get(f"p{i}")), periods[-1]]

    def _date_range(self, field_name: str) -> dict:
        cache = self.__dict__.setdefault("_range_cache", {})
        if field_name not in cache:
            base = self.order_by()
            last = base.order_by(F(field_name).desc(nulls_last=True), "-pk").values(field_name)[:1]
            first = (
                base.filter(**{f"{field_name}__isnull": False})
                .order_by(F(field_name).asc(nulls_first=True), "pk")
                .values(field_name)[:1]
            )
            row = (
                self.model._default_manager.using(self.db)
                .annotate(first=Subquery(first), last=Subquery(last))
                .values("first", "last")
                .order_by()[:1]
            )
            cache[field_name] = next(iter(row), {"first": None, "last": None})
        return cache[field_name]


def _min_max_field(kwargs: dict) -> str | None:
    """'submitted_at' when kwargs is exactly the date hierarchy's {first: Min(f), last: Max(f)}, else None."""
    if set(kwargs) != {"first", "last"}:
        return None
    first, last = kwargs["first"], kwargs["last"]
    if not (isinstance(first, Min) and isinstance(last, Max)):
        return None
    if first.filter is not None or last.filter is not None:
        return None
    names = {getattr(agg.get_source_expressions()[0], "name", None) for agg in (first, last)}
    return names.pop() if len(names) == 1 and None not in names else None


def _period_end(start: dt.datetime, kind: str) -> dt.datetime:
    if kind == "year":
        return start.replace(year=start.year + 1)
    if kind == "month":
        return (
            start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
        )
    return start + dt.timedelta(days=1)


def _periods(first: dt.datetime, last: dt.datetime, kind: str):
    tz = first.tzinfo
    if kind == "year":
        for year in range(first.year, last.year + 1):
            yield dt.datetime(year, 1, 1, tzinfo=tz)
    elif kind == "month":
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            yield dt.datetime(year, month, 1, tzinfo=tz)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        day = first.date()
        while day <= last.date():
            yield dt.datetime(day.year, day.month, day.day, tzinfo=tz)
            day += dt.timedelta(days=1)
