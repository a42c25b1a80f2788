"""Two reviewers deciding the same request at the same instant (PostgreSQL row locks), and the decision email
traveling through a real Celery worker."""
# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)

import threading

import pytest
from django.db import connection, connections

from exemptions.models import ExemptionRequest, OutboundEmail, StatusChange
from exemptions.services import review
from tests.review_fixtures import approve, deny, reviewer, second_reviewer, start_review, submit  # noqa: F401

S = ExemptionRequest.Status


def run_at_once(*calls):
    """Start every call in its own thread (own database connection) at the same moment; collect outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: dict[int, object] = {}

    def run(index, call):
        try:
            barrier.wait(5)
            outcomes[index] = call()
        except Exception as exc:  # the refusal is the outcome under test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return [outcomes[i] for i in range(len(calls))]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_record_exactly_one_decision(ep, reviewer, second_reviewer, mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serializes writers anyway)")
    obj = submit(ep)
    start_review(obj, reviewer)
    opened = obj.version  # both reviewers opened the page at this version

    def reviewer_approves():
        fresh = ExemptionRequest.objects.get(pk=obj.pk)
        return approve(fresh, reviewer, expected_version=opened)

    def second_reviewer_denies():
        fresh = ExemptionRequest.objects.get(pk=obj.pk)
        return deny(fresh, second_reviewer, "tin_npi_mismatch", expected_version=opened)

    outcomes = run_at_once(reviewer_approves, second_reviewer_denies)
    winners = [o for o in outcomes if isinstance(o, StatusChange)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], review.AlreadyDecided)
    winner_name = "Rita Reviewer" if winners[0].actor == reviewer else "Sam Second"
    assert f"already decided by {winner_name}" in str(losers[0])
    obj.refresh_from_db()
    assert obj.status in (S.APPROVED, S.DENIED)
    assert StatusChange.objects.filter(request=obj, to_status__in=[S.APPROVED, S.DENIED]).count() == 1
    decisions = OutboundEmail.objects.filter(request=obj, key__startswith="decision:")
    assert decisions.count() == 1
    assert [m.subject.split(".")[0] for m in mailoutbox if m.subject.startswith("Decision")] == [
        f"Decision: {obj.get_status_display().upper()}"
    ]


@pytest.mark.worker
def test_a_decision_email_is_sent_by_a_real_worker(live_worker, ep, reviewer):
    obj = submit(ep)
    start_review(obj, reviewer)
    change = deny(obj, reviewer, "cehrt_not_certified")
    email = live_worker.wait_for(
        lambda: OutboundEmail.objects.filter(key=f"decision:{change.pk}", status="sent").first(),
        what="the decision email to be sent",
    )
    bodies = live_worker.wait_for(
        lambda: [b for b in live_worker.emails() if "Decision: DENIED" in b], what="the decision email file"
    )
    (body,) = bodies
    body = body.replace("\n ", " ")  # long headers are folded onto continuation lines
    assert f"Subject: Decision: DENIED. Your 2013 eRx hardship exemption request {obj.reference}" in body
    assert "To: alice@example.org" in body and "not on the Office of the National Coordinator" in body
    assert email.attempts == 1
