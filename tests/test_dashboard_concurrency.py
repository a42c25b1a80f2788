"""Two recounts of the dashboard at once (two beat runs overlapping, or a slow one and the next): one set of rows."""

import pytest
from django.db import connection

from exemptions.models import DashboardFigure, DashboardSnapshot
from exemptions.services.dashboard import dashboard_refresh
from tests.test_dashboard import REFRESHED, build_program
from tests.test_review_concurrency import run_at_once


def figure_rows() -> list:
    fields = ["snapshot__year_id", "kind", "window_id", "day", "category_id", "reviewer_id", "submitted", "approved"]
    return sorted(DashboardFigure.objects.values_list(*fields), key=str)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_ever", [True, False], ids=["first recount", "later recount"])
def test_two_recounts_at_once_leave_the_rows_of_one(first_ever):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serializes writers anyway)")
    build_program()
    dashboard_refresh(at=REFRESHED)
    expected = figure_rows()
    if first_ever:
        DashboardSnapshot.objects.all().delete()

    outcomes = run_at_once(lambda: dashboard_refresh(at=REFRESHED), lambda: dashboard_refresh(at=REFRESHED))

    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert figure_rows() == expected
    assert DashboardSnapshot.objects.count() == DashboardSnapshot.objects.values("year").distinct().count()
