"""List filters and the queryset of the staff request list, built to stay fast on a million requests.

Each filter's choices cost at most one small query, and the year, window and late-letter filters share one
(the program's windows, read once per page view). Filtering uses indexed columns or `pk IN (subquery)`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Channel, ExemptionRequest, SubmissionWindow, User
from ..windows import ET


def program_windows(request) -> list[SubmissionWindow]:
    """Every window with its year, read once per page view (cached on the HttpRequest)."""
    if not hasattr(request, "_review_windows"):
        request._review_windows = list(
            SubmissionWindow.objects.select_related("year").order_by("-year__year", "channel", "opens_at")
        )
    return request._review_windows


class YearFilter(admin.SimpleListFilter):
    title = "adjustment year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = {w.year_id: w.year for w in program_windows(request)}
        return [(str(pk), str(year)) for pk, year in years.items()]

    def queryset(self, request, queryset):
        return queryset.filter(year_id=self.value()) if self.value() else queryset


class WindowFilter(admin.SimpleListFilter):
    title = "submitted in window"
    parameter_name = "window"

    def lookups(self, request, model_admin):
        return [(str(w.pk), str(w)) for w in program_windows(request)]

    def queryset(self, request, queryset):
        return queryset.filter(submitted_window_id=self.value()) if self.value() else queryset


class CategoryFilter(admin.SimpleListFilter):
    title = "hardship category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        from ..models import HardshipCategory

        return [(str(pk), name) for pk, name in HardshipCategory.objects.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        through = ExemptionRequest.categories.through.objects.filter(hardshipcategory_id=self.value())
        return queryset.filter(pk__in=through.values("exemptionrequest_id"))


class ReviewerFilter(admin.SimpleListFilter):
    title = "assigned reviewer"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        staff = User.objects.filter(is_staff=True, is_active=True).order_by("full_name", "email")
        return [
            ("me", "Assigned to me"),
            ("none", "Nobody"),
            *((str(u.pk), str(u)) for u in staff.only("full_name", "email")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_reviewer=request.user)
        if value == "none":
            return queryset.filter(assigned_reviewer__isnull=True)
        return queryset.filter(assigned_reviewer_id=value) if value and value.isdigit() else queryset


class LateLetterFilter(admin.SimpleListFilter):
    """GPRO letters postmarked (or, without a postmark, mailed) after the letter window's last day.

    A postmark is a date, not an instant: it is on time when it is no later than the closing day in Eastern
    Time, the same reading the window rule gives for the letter channel.
    """

    title = "late letter"
    parameter_name = "late_letter"

    def lookups(self, request, model_admin):
        return [("yes", "Postmarked after the deadline")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        last_day: dict[int, dt.date] = {}
        for window in program_windows(request):
            if window.channel == Channel.LETTER:
                day = window.closes_at.astimezone(ET).date()
                last_day[window.year_id] = max(day, last_day.get(window.year_id, day))
        late = Q(pk__in=[])
        for year_id, day in last_day.items():
            late |= Q(year_id=year_id, letter_date__gt=day)
        return queryset.alias(letter_date=Coalesce("postmarked_on", "mailed_on")).filter(
            late, kind=ExemptionRequest.Kind.GROUP
        )


class ReviewQuerySet(QuerySet):
    """The changelist's queryset. Its `datetimes()` (used only by the date hierarchy) lists every year, month or
    day between the first and last submission (two index lookups) instead of a DISTINCT over every matching row,
    which takes hundreds of milliseconds on a million requests. A period without submissions may be listed."""

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        key = ("range", field_name)
        cache = self.__dict__.setdefault("_range_cache", {})
        if key not in cache:
            cache[key] = self.aggregate(first=Min(field_name), last=Max(field_name))
        first, last = cache[key]["first"], cache[key]["last"]
        if not (first and last):
            return []
        first, last = timezone.localtime(first), timezone.localtime(last)
        return list(_periods(first, last, kind))

    def aggregate(self, *args, **kwargs):
        # The date hierarchy asks for the same Min/Max first; answer the second ask from memory.
        cache = self.__dict__.setdefault("_range_cache", {})
        names = tuple(sorted((k, repr(v)) for k, v in kwargs.items()))
        if args or names not in cache:
            result = super().aggregate(*args, **kwargs)
            if args:
                return result
            cache[names] = result
            if set(kwargs) == {"first", "last"}:
                field = getattr(kwargs["first"], "source_expressions", [None])[0]
                if field is not None and hasattr(field, "name"):
                    cache[("range", field.name)] = result
        return cache[names]


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
