"""Working a queue: decide from the review screen (starting the review on the way), then claim the next request.

A reviewer clearing 200 requests a day decides from the review screen in one step: a request nobody started is
started (and assigned to them) in the same transaction as the decision. "Decide and open next" then claims the
oldest request of the same queue that nobody else holds: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, so two
reviewers pressing it at the same instant get two different requests (the second skips the row the first locked;
with nothing left, the second is told the queue is empty).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Q

from ... import reasons, workflow
from ...models import ExemptionRequest, StatusChange, User
from ...selectors.review import CLAIMABLE, QUEUE_ORDER, stale_message
from ..transitions import StaleRequest
from .decisions import request_decide
from .errors import Reassigned
from .questions import request_ask_for_information
from .shared import review_lock, review_save_fields, review_transition

UNCHANGED = object()  # "the caller did not say which reviewer it saw"


def reviewer_name(exemption: ExemptionRequest) -> str:
    return str(exemption.assigned_reviewer) if exemption.assigned_reviewer_id else "nobody"


@transaction.atomic
def request_decide_in_queue(
    *,
    exemption: ExemptionRequest,
    decision: str,
    actor: User,
    at: dt.datetime,
    reason_code: str = "",
    message: str = "",
    internal_note: str = "",
    reply_by: dt.date | None = None,
    expected_version: int | None = None,
    expected_reviewer_id=UNCHANGED,
) -> StatusChange:
    """Approve, deny or ask, from any undecided state a reviewer works on.

    Refused (nothing changed) when the request was decided meanwhile (who and when), reassigned to someone else
    since the reviewer opened it (to whom), or changed otherwise (by whom): checked in that order, on the locked row.
    """
    locked = review_lock(exemption, expected_version=None, deciding=True)
    if expected_reviewer_id is not UNCHANGED and locked.assigned_reviewer_id != expected_reviewer_id:
        raise Reassigned(
            f"Request {locked} was reassigned to {reviewer_name(locked)} since you opened it. Nothing was changed: "
            "reload the page to see who holds it now."
        )
    if expected_version is not None and locked.version != expected_version:
        raise StaleRequest(stale_message(locked))
    if workflow.allowed("start_review", locked.status) and not workflow.allowed(decision, locked.status):
        review_transition(
            locked, "start_review", actor=actor, at=at, fields={"assigned_reviewer": locked.assigned_reviewer or actor}
        )
    elif locked.assigned_reviewer_id is None:
        review_save_fields(locked, actor=actor, reason="assigned on deciding", assigned_reviewer=actor)
    details = {
        "exemption": locked,
        "actor": actor,
        "at": at,
        "reason_code": reason_code,
        "message": message,
        "internal_note": internal_note,
        "expected_version": locked.version,
    }
    if decision == reasons.Decision.REQUEST_INFO:
        change = request_ask_for_information(reply_by=reply_by, **details)
    else:
        change = request_decide(decision=decision, **details)
    exemption.refresh_from_db()
    return change


@transaction.atomic
def request_claim_next(
    *, condition: Q, actor: User, at: dt.datetime, skip: ExemptionRequest | None = None
) -> ExemptionRequest | None:
    """Give `actor` the oldest request matching `condition` that is free (nobody's, or already theirs), or None.

    The candidate row is locked with SKIP LOCKED where the database has it, so a concurrent claim never waits for
    nor takes the same row. A request not started yet is started (the EP sees "Being reviewed").
    """
    free = Q(assigned_reviewer__isnull=True) | Q(assigned_reviewer=actor)
    candidates = ExemptionRequest.objects.filter(condition, free, status__in=CLAIMABLE).order_by(*QUEUE_ORDER)
    if skip is not None:
        candidates = candidates.exclude(pk=skip.pk)
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    claimed = candidates.select_related("year").first()
    if claimed is None:
        return None
    if workflow.allowed("start_review", claimed.status):
        review_transition(
            claimed,
            "start_review",
            actor=actor,
            at=at,
            fields={"assigned_reviewer": claimed.assigned_reviewer or actor},
        )
    elif claimed.assigned_reviewer_id is None:
        review_save_fields(claimed, actor=actor, reason="claimed from the queue", assigned_reviewer=actor)
    return claimed
