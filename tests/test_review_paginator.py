"""The staff list's paginator: the table estimate when unfiltered, a count capped by a statement timeout when
filtered (the planner's estimate if the cap is hit), a plain count on SQLite."""

import pytest
from django.db import connection

from exemptions.models import ExemptionRequest
from exemptions.paginators import EstimatedCountPaginator
from tests.factories import RequestFactory


def slow_queryset():
    # 0.2 s per row: past the 150 ms cap whatever the machine.
    return ExemptionRequest.objects.extra(where=["pg_sleep(0.2) IS NOT NULL"]).order_by("pk")  # noqa: S610


@pytest.mark.django_db
def test_small_tables_and_sqlite_get_the_exact_count(ep):
    RequestFactory.create_batch(3, owner=ep)
    assert EstimatedCountPaginator(ExemptionRequest.objects.order_by("pk"), 2).count == 3
    filtered = EstimatedCountPaginator(ExemptionRequest.objects.filter(tin="123456789").order_by("pk"), 2)
    assert filtered.count == 3 and not filtered.estimated


@pytest.mark.postgres
@pytest.mark.django_db
def test_inside_a_transaction_a_slow_count_falls_back_to_the_planner_estimate(ep):
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts and planner estimates are PostgreSQL's")
    RequestFactory.create_batch(2, owner=ep)
    paginator = EstimatedCountPaginator(slow_queryset(), 1)
    assert paginator.count >= 1 and paginator.estimated
    assert ExemptionRequest.objects.count() == 2  # the savepoint kept the transaction usable


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_capped_count_is_one_round_trip_and_the_cap_does_not_leak(ep):
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts and planner estimates are PostgreSQL's")
    RequestFactory.create_batch(2, owner=ep)
    assert not connection.in_atomic_block
    paginator = EstimatedCountPaginator(slow_queryset(), 1)
    assert paginator.count >= 1 and paginator.estimated
    fast = EstimatedCountPaginator(ExemptionRequest.objects.filter(tin="123456789").order_by("pk"), 1)
    assert fast.count == 2 and not fast.estimated
    assert slow_queryset().count() == 2  # 0.4 s: no statement timeout left on the connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_past_the_row_cap_the_count_is_the_planner_estimate_and_never_below_the_cap(ep, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("planner estimates are PostgreSQL's")
    monkeypatch.setattr("exemptions.paginators.COUNT_CAP", 2)
    RequestFactory.create_batch(4, owner=ep)
    many = EstimatedCountPaginator(ExemptionRequest.objects.filter(tin="123456789").order_by("pk"), 1)
    assert many.count >= 3 and many.estimated
    few = EstimatedCountPaginator(ExemptionRequest.objects.filter(pk__in=[0]).order_by("pk"), 1)
    assert few.count == 0 and not few.estimated
