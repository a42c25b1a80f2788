"""Who works on a request: start the review (assigns the reviewer), assign or unassign, the staff's own notes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ... import workflow
from ...models import ExemptionRequest, StatusChange, User
from .errors import ReviewError
from .shared import review_lock, review_save_fields, review_transition


@transaction.atomic
def request_start_review(
    *, exemption: ExemptionRequest, actor: User, at: dt.datetime, expected_version: int | None = None
) -> StatusChange:
    """Move a submitted (or resubmitted, or received) request to "under review" and assign it to `actor`."""
    locked = review_lock(exemption, expected_version=expected_version, deciding=True)
    change = review_transition(locked, "start_review", actor=actor, at=at, fields={"assigned_reviewer": actor})
    exemption.refresh_from_db()
    return change


@transaction.atomic
def request_assign(
    *, exemption: ExemptionRequest, actor: User, reviewer: User | None, expected_version: int | None = None
) -> ExemptionRequest:
    """Assign (or unassign, reviewer=None) an undecided request. Recorded in the field history."""
    locked = review_lock(exemption, expected_version=expected_version, deciding=True)
    if locked.status not in workflow.UNDECIDED:
        raise ReviewError(f"Request {locked} is {locked.get_status_display().lower()}: it cannot be assigned.")
    review_save_fields(locked, actor=actor, reason="assign", assigned_reviewer=reviewer)
    exemption.refresh_from_db()
    return exemption


@transaction.atomic
def request_update_notes(
    *, exemption: ExemptionRequest, actor: User, internal_notes: str, expected_version: int | None = None
) -> ExemptionRequest:
    """Staff notes (never shown to the EP). Refused if someone else changed the request meanwhile."""
    locked = review_lock(exemption, expected_version=expected_version, deciding=False)
    if locked.internal_notes != internal_notes:
        review_save_fields(locked, actor=actor, reason="internal notes edited", internal_notes=internal_notes)
    exemption.refresh_from_db()
    return exemption
