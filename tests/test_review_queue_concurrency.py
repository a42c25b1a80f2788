"""Two reviewers pressing "Decide and open next" on the same queue at the same instant (PostgreSQL row locks):
each gets a different request, or the second is told the queue is empty."""
# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)

import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exemptions.models import ExemptionRequest
from exemptions.selectors.review import QUEUES
from exemptions.services import review
from tests.conftest import et
from tests.factories import UserFactory
from tests.review_fixtures import reviewer, second_reviewer, start_review, submit  # noqa: F401
from tests.test_review_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = ExemptionRequest.Status


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and SKIP LOCKED need PostgreSQL (SQLite serializes writers anyway)")


def unassigned(count: int) -> list[ExemptionRequest]:
    made = []
    for day in range(1, count + 1):
        obj = submit(UserFactory(email=f"ep{day}@example.org"))
        ExemptionRequest.objects.filter(pk=obj.pk).update(submitted_at=et(2012, 12, day, 10))
        made.append(ExemptionRequest.objects.get(pk=obj.pk))
    return made


def claim(user):
    return review.request_claim_next(condition=QUEUES["unassigned"].condition(user), actor=user, at=timezone.now())


def test_a_claim_skips_the_row_another_reviewer_holds_instead_of_waiting_for_it(reviewer, second_reviewer):
    first, second, _third = unassigned(3)
    held, released = threading.Event(), threading.Event()
    outcome = {}

    def rita_holds_her_claim():
        try:
            with transaction.atomic():
                outcome["rita"] = claim(reviewer)
                held.set()
                released.wait(10)  # still inside her transaction: the row stays locked
        finally:
            connections.close_all()

    thread = threading.Thread(target=rita_holds_her_claim)
    thread.start()
    assert held.wait(10)
    try:
        outcome["sam"] = claim(second_reviewer)  # would block on Rita's row without SKIP LOCKED (and time out)
    finally:
        released.set()
        thread.join(10)
    assert outcome["rita"].pk == first.pk and outcome["sam"].pk == second.pk
    assert ExemptionRequest.objects.get(pk=first.pk).assigned_reviewer == reviewer
    assert ExemptionRequest.objects.get(pk=second.pk).assigned_reviewer == second_reviewer


def test_two_reviewers_deciding_and_opening_next_at_once_get_different_requests(reviewer, second_reviewer):
    mine, theirs, *rest = unassigned(4)
    start_review(mine, reviewer)
    start_review(theirs, second_reviewer)

    def press(user, obj):
        def call():
            client = Client()
            client.force_login(user)
            data = {
                "decision": "approve",
                "version": obj.version,
                "queue": "unassigned",
                "reviewer": str(user.pk),
                "approve-reason_code": "hardship_verified",
                "approve-message": "",
                "_next": "1",
            }
            return client.post(reverse("admin:exemptions_review_panel", args=[obj.pk]), data)["Location"]

        return call

    rita, sam = run_at_once(press(reviewer, mine), press(second_reviewer, theirs))
    opened = {rita.split("/")[-3], sam.split("/")[-3]}  # /admin/exemptions/exemptionrequest/<id>/change/?...
    assert opened == {str(rest[0].pk), str(rest[1].pk)}
    assert {ExemptionRequest.objects.get(pk=o.pk).assigned_reviewer_id for o in rest} == {
        reviewer.pk,
        second_reviewer.pk,
    }
    assert ExemptionRequest.objects.filter(pk__in=[mine.pk, theirs.pk], status=S.APPROVED).count() == 2


def test_with_one_request_left_the_second_reviewer_is_told_the_queue_is_empty(reviewer, second_reviewer):
    (last,) = unassigned(1)
    outcomes = run_at_once(lambda: claim(reviewer), lambda: claim(second_reviewer))
    winners = [o for o in outcomes if isinstance(o, ExemptionRequest)]
    assert len(winners) == 1 and outcomes.count(None) == 1, outcomes
    assert winners[0].pk == last.pk
    last.refresh_from_db()
    assert last.status == S.UNDER_REVIEW and last.assigned_reviewer_id in (reviewer.pk, second_reviewer.pk)
