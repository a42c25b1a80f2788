"""The final decision (approve or deny) and its correction (reopen)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ... import reasons, workflow
from ...models import ExemptionRequest, OutboundEmail, StatusChange, User
from .errors import NoReviewerAssigned, ReviewError
from .shared import check_reason, ep_email_enqueue, message_or_default, review_lock, review_transition

EMAIL_KINDS = {
    reasons.Decision.APPROVE: OutboundEmail.Kind.DECISION_APPROVED,
    reasons.Decision.DENY: OutboundEmail.Kind.DECISION_DENIED,
}


@transaction.atomic
def request_decide(
    *,
    exemption: ExemptionRequest,
    decision: str,
    actor: User,
    at: dt.datetime,
    reason_code: str,
    message: str = "",
    internal_note: str = "",
    expected_version: int | None = None,
) -> StatusChange:
    """Approve or deny (`decision`, final). The EP is emailed the decision and the message.

    A denial needs a reason code; either needs a message for the EP (the reason's default text counts); an
    approval needs an assigned reviewer. `exemption` is refreshed.
    """
    if decision not in EMAIL_KINDS:
        raise ValueError(f"Not a final decision: {decision!r}")
    if decision == reasons.Decision.DENY and not reason_code:
        raise ReviewError("Choose a reason for the denial: the EP is told why.")
    check_reason(reason_code, decision)
    message = message_or_default(message, reason_code)
    if not message:
        raise ReviewError("Write the reason the EP will read: it cannot be empty.")
    locked = review_lock(exemption, expected_version=expected_version, deciding=True)
    workflow.check(decision, locked.status)
    if decision == reasons.Decision.APPROVE and locked.assigned_reviewer_id is None:
        raise NoReviewerAssigned(f"Request {locked} has no assigned reviewer: start the review (or assign it) first.")
    change = review_transition(
        locked,
        decision,
        actor=actor,
        at=at,
        message_to_ep=message,
        internal_note=internal_note,
        reason_code=reason_code,
        fields={"decided_at": at, "decision_reason_code": reason_code, "decision_message": message},
    )
    ep_email_enqueue(kind=EMAIL_KINDS[decision], key_prefix="decision", exemption=locked, change=change)
    exemption.refresh_from_db()
    return change


@transaction.atomic
def request_reopen(
    *, exemption: ExemptionRequest, actor: User, at: dt.datetime, reason: str, expected_version: int | None = None
) -> StatusChange:
    """Undo a final decision (a correction, not an appeal): back to "under review". Reason required, audited;
    the EP is emailed that the decision was reopened and a new one will follow.

    The old decision stays in the status history; the request's decision fields are cleared so the EP's
    dashboard no longer shows a decision that no longer stands.
    """
    if not (reason or "").strip():
        raise ReviewError("Give the reason for reopening: it is kept in the audit trail.")
    locked = review_lock(exemption, expected_version=expected_version, deciding=False)
    change = review_transition(
        locked,
        "reopen",
        actor=actor,
        at=at,
        internal_note=reason.strip(),
        fields={"decided_at": None, "decision_reason_code": "", "decision_message": "", "assigned_reviewer": actor},
    )
    # The EP was told the decision: tell them it no longer stands (once: the key is this status change). The
    # reason is staff's audit note, not part of the email.
    ep_email_enqueue(kind=OutboundEmail.Kind.DECISION_REOPENED, key_prefix="reopen", exemption=locked, change=change)
    exemption.refresh_from_db()
    return change
