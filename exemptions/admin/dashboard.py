"""The program dashboard: the program as a whole, per adjustment year and window, for staff in the admin.

Read from the summary table (services/dashboard.py recounts it every few minutes), so a page costs a handful of
queries whatever the number of requests. Staff who may view requests may see it; anyone else gets a 403, and
someone not signed in as staff is sent to the staff sign-in (the admin site's own check).
"""

from __future__ import annotations

import io

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from ..csv_safe import SafeWriter
from ..downloads import content_download
from ..selectors.dashboard import Dashboard, dashboard_default_year, dashboard_read, dashboard_years
from ..windows import format_et
from .dashboard_charts import (
    backlog_chart,
    chart_tables,
    letters_chart,
    outcomes_chart,
    reviewers_chart,
    submissions_chart,
    table_body,
)

PERMISSION = "exemptions.view_exemptionrequest"
REFRESH_MINUTES = 5  # the beat schedule's interval (portal/celery.py), told to staff


def _board(request: HttpRequest) -> Dashboard:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    years = dashboard_years()
    wanted = request.GET.get("year", "")
    year = next((y for y in years if str(y.year) == wanted), None)
    if year is None and wanted:
        raise Http404("No such adjustment year")
    if year is None:
        year = dashboard_default_year(years)
    window = request.GET.get("window", "")
    return dashboard_read(
        year=year,
        window_id=int(window) if window.isascii() and window.isdigit() else None,
        at=timezone.now(),
        years=years,
    )


def program_dashboard(request: HttpRequest) -> TemplateResponse:
    board = _board(request)
    query = f"year={board.year.year}" if board.year else ""
    if board.window:
        query += f"&window={board.window.pk}"
    tables = chart_tables(board)
    for table in tables.values():
        table["body"] = table_body(table["rows"])
    context = {
        **admin.site.each_context(request),
        "title": "Program dashboard",
        "board": board,
        "query": query,
        "as_of": format_et(board.refreshed_at) if board.refreshed_at else None,
        "refresh_minutes": REFRESH_MINUTES,
        "tables": tables,
        "submissions": submissions_chart(board),
        "backlog": backlog_chart(board),
        "outcomes": outcomes_chart(board),
        "reviewers": reviewers_chart(board),
        "letters": letters_chart(board),
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context)


def program_dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    board = _board(request)
    table = chart_tables(board).get(chart)
    if table is None or board.year is None:
        raise Http404("No such chart")
    out = io.StringIO()
    writer = SafeWriter(out)  # category and reviewer names are typed by people: never run as formulas
    writer.writerow(table["headers"])
    writer.writerows(table["rows"])
    scope = f"{board.year.year}" + (f"-window-{board.window.pk}" if board.window else "")
    return content_download(
        out.getvalue(), filename=f"dashboard-{chart}-{scope}.csv", content_type="text/csv; charset=utf-8"
    )


def _with_dashboard(site_urls):
    """The admin site's URLs with the dashboard's in front (the site is Django's default one, see portal/urls.py)."""

    def get_urls():
        wrap = admin.site.admin_view  # staff only (else the staff sign-in), CSRF, never cached
        return [
            path("dashboard/", wrap(program_dashboard), name="program_dashboard"),
            path("dashboard/<slug:chart>.csv", wrap(program_dashboard_csv), name="program_dashboard_csv"),
            *site_urls(),
        ]

    return get_urls


admin.site.get_urls = _with_dashboard(admin.site.get_urls)
