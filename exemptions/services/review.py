"""Staff review: start, ask for more information, approve, deny, reopen, assign, extensions, notes.

Every change goes through `apply_transition` (the workflow table decides what is legal). Each service locks the
request first and refuses, with a message fit to show the reviewer, when:
- the request was already decided (by someone else a moment ago, or long ago): AlreadyDecided, "already decided
  by X", checked before the version so two reviewers clicking Approve at once read the useful message;
- the request changed since the reviewer opened it (optimistic locking on `version`): StaleRequest;
- the input is incomplete (deny without a reason, ask without a message, approve with nobody assigned):
  ReviewError.
Nothing is changed when a service raises. Emails to the EP are outbox rows keyed by the StatusChange id, so a
decision sends exactly one email however often the task runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from .. import reasons, workflow
from ..models import (
    AdjustmentYear,
    ExemptionRequest,
    Extension,
    InformationRequest,
    OutboundEmail,
    StatusChange,
    User,
)
from ..windows import format_et
from .outbox import outbox_enqueue
from .transitions import StaleRequest, apply_transition

S = ExemptionRequest.Status
DECISION_TARGETS = {reasons.Decision.APPROVE: S.APPROVED, reasons.Decision.DENY: S.DENIED}


class ReviewError(Exception):
    """The reviewer's input cannot be accepted; nothing was changed. The message says what to fix."""


class AlreadyDecided(ReviewError):
    """Someone decided this request first; nothing was changed."""


__all__ = ["AlreadyDecided", "ReviewError", "StaleRequest"]


# --- helpers ---------------------------------------------------------------------------------------------------


def _lock(request: ExemptionRequest, expected_version: int | None, *, deciding: bool) -> ExemptionRequest:
    locked = ExemptionRequest.objects.select_for_update().get(pk=request.pk)
    if deciding and locked.status in workflow.FINAL:
        raise AlreadyDecided(already_decided_message(locked))
    if expected_version is not None and locked.version != expected_version:
        raise StaleRequest(
            f"Request {locked} was changed by {last_editor(locked)} since you opened it. "
            "Nothing was saved: reload the page to see the change, then try again."
        )
    return locked


def already_decided_message(request: ExemptionRequest) -> str:
    change = request.status_changes.filter(to_status=request.status).select_related("actor").last()
    who = change.actor if change and change.actor else "someone else"
    when = f" at {format_et(change.at)}" if change else ""
    return f"Request {request} was already decided by {who}: {request.get_status_display().lower()}{when}."


def last_editor(request: ExemptionRequest) -> str:
    """Who made the latest change: field history (simple-history) or a status change, whichever is newer."""
    record = request.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    change = request.status_changes.select_related("actor").order_by("-at", "-id").first()
    if record and (change is None or record.history_date >= change.at) and record.history_user:
        return str(record.history_user)
    if change and change.actor:
        return str(change.actor)
    return "someone else"


def ep_recipients(request: ExemptionRequest) -> list[str]:
    """The account holder and the contact person (the group's contact for GPRO); duplicates removed later."""
    return [request.owner.email, request.contact_email]


def _message_or_default(message: str, reason_code: str) -> str:
    return (message or "").strip() or reasons.default_message(reason_code)


def _check_reason(reason_code: str, decision: str) -> None:
    if reason_code and reasons.BY_CODE.get(reason_code, None) is None:
        raise ReviewError(f"Unknown reason code {reason_code!r}.")
    if reason_code and reasons.BY_CODE[reason_code].decision != decision:
        raise ReviewError(f"Reason {reasons.label(reason_code)!r} does not belong to this kind of decision.")


def _enqueue_ep_email(kind: str, request: ExemptionRequest, change: StatusChange, **context) -> OutboundEmail:
    email, _created = outbox_enqueue(
        kind=kind,
        key=f"{'decision' if kind != OutboundEmail.Kind.INFO_REQUESTED else 'info'}:{change.pk}",
        recipients=ep_recipients(request),
        request=request,
        user=request.owner,
        context={"status_change_id": change.pk, **context},
    )
    return email


# --- workflow services -----------------------------------------------------------------------------------------


@transaction.atomic
def request_start_review(
    *, request: ExemptionRequest, actor: User, at: dt.datetime, expected_version: int | None = None
) -> StatusChange:
    """Move a submitted (or resubmitted, or received) request to "under review" and assign it to `actor`."""
    locked = _lock(request, expected_version, deciding=True)
    change = apply_transition(
        exemption=locked, name="start_review", actor=actor, at=at, fields={"assigned_reviewer": actor}
    )
    request.refresh_from_db()
    return change


@transaction.atomic
def request_request_info(
    *,
    request: ExemptionRequest,
    actor: User,
    at: dt.datetime,
    message: str,
    reply_by: dt.date | None = None,
    reason_code: str = "",
    internal_note: str = "",
    expected_version: int | None = None,
) -> StatusChange:
    """Ask the EP for more information (message required); the EP gets an email and answers on the portal."""
    _check_reason(reason_code, reasons.Decision.REQUEST_INFO)
    message = _message_or_default(message, reason_code)
    if not message:
        raise ReviewError("Write the question for the EP: a request for more information needs a message.")
    if reply_by is not None and reply_by < at.date():
        raise ReviewError("The reply-by date is in the past.")
    locked = _lock(request, expected_version, deciding=True)
    change = apply_transition(
        exemption=locked,
        name="request_info",
        actor=actor,
        at=at,
        message_to_ep=message,
        internal_note=internal_note,
        reason_code=reason_code,
        fields={"assigned_reviewer": locked.assigned_reviewer or actor},
    )
    InformationRequest.objects.create(request=locked, asked_by=actor, asked_at=at, message=message, reply_by=reply_by)
    _enqueue_ep_email(
        OutboundEmail.Kind.INFO_REQUESTED, locked, change, reply_by=reply_by.isoformat() if reply_by else ""
    )
    request.refresh_from_db()
    return change


@transaction.atomic
def request_approve(
    *,
    request: ExemptionRequest,
    actor: User,
    at: dt.datetime,
    reason_code: str = "hardship_verified",
    message: str = "",
    internal_note: str = "",
    expected_version: int | None = None,
) -> StatusChange:
    """Approve (final). Needs an assigned reviewer. The EP is emailed the decision and the message."""
    return _decide(
        request=request,
        decision=reasons.Decision.APPROVE,
        actor=actor,
        at=at,
        reason_code=reason_code,
        message=message,
        internal_note=internal_note,
        expected_version=expected_version,
    )


@transaction.atomic
def request_deny(
    *,
    request: ExemptionRequest,
    actor: User,
    at: dt.datetime,
    reason_code: str,
    message: str = "",
    internal_note: str = "",
    expected_version: int | None = None,
) -> StatusChange:
    """Deny (final). A reason code and a message for the EP are required (the code's default counts)."""
    return _decide(
        request=request,
        decision=reasons.Decision.DENY,
        actor=actor,
        at=at,
        reason_code=reason_code,
        message=message,
        internal_note=internal_note,
        expected_version=expected_version,
    )


def _decide(
    *,
    request: ExemptionRequest,
    decision: str,
    actor: User,
    at: dt.datetime,
    reason_code: str,
    message: str,
    internal_note: str,
    expected_version: int | None,
) -> StatusChange:
    if decision == reasons.Decision.DENY and not reason_code:
        raise ReviewError("Choose a reason for the denial: the EP is told why.")
    _check_reason(reason_code, decision)
    message = _message_or_default(message, reason_code)
    if not message:
        raise ReviewError("Write the reason the EP will read: it cannot be empty.")
    locked = _lock(request, expected_version, deciding=True)
    workflow.check(decision, locked.status)
    if decision == reasons.Decision.APPROVE and locked.assigned_reviewer_id is None:
        raise ReviewError(f"Request {locked} has no assigned reviewer: start the review (or assign it) first.")
    change = apply_transition(
        exemption=locked,
        name=decision,
        actor=actor,
        at=at,
        message_to_ep=message,
        internal_note=internal_note,
        reason_code=reason_code,
        fields={"decided_at": at, "decision_reason_code": reason_code, "decision_message": message},
    )
    kind = (
        OutboundEmail.Kind.DECISION_APPROVED
        if decision == reasons.Decision.APPROVE
        else OutboundEmail.Kind.DECISION_DENIED
    )
    _enqueue_ep_email(kind, locked, change)
    request.refresh_from_db()
    return change


@transaction.atomic
def request_reopen(
    *, request: ExemptionRequest, actor: User, at: dt.datetime, reason: str, expected_version: int | None = None
) -> StatusChange:
    """Undo a final decision (a correction, not an appeal): back to "under review". Reason required, audited.

    The old decision stays in the status history; the request's decision fields are cleared so the EP's
    dashboard no longer shows a decision that no longer stands.
    """
    if not (reason or "").strip():
        raise ReviewError("Give the reason for reopening: it is kept in the audit trail.")
    locked = _lock(request, expected_version, deciding=False)
    change = apply_transition(
        exemption=locked,
        name="reopen",
        actor=actor,
        at=at,
        internal_note=reason.strip(),
        fields={"decided_at": None, "decision_reason_code": "", "decision_message": "", "assigned_reviewer": actor},
    )
    request.refresh_from_db()
    return change


@transaction.atomic
def request_assign(
    *, request: ExemptionRequest, actor: User, reviewer: User | None, expected_version: int | None = None
) -> ExemptionRequest:
    """Assign (or unassign, reviewer=None) an undecided request. Recorded in the field history."""
    locked = _lock(request, expected_version, deciding=True)
    if locked.status not in workflow.UNDECIDED:
        raise ReviewError(f"Request {locked} is {locked.get_status_display().lower()}: it cannot be assigned.")
    _save_fields(locked, actor, reason="assign", assigned_reviewer=reviewer)
    request.refresh_from_db()
    return request


@transaction.atomic
def request_update_notes(
    *, request: ExemptionRequest, actor: User, internal_notes: str, expected_version: int | None = None
) -> ExemptionRequest:
    """Staff notes (never shown to the EP). Refused if someone else changed the request meanwhile."""
    locked = _lock(request, expected_version, deciding=False)
    if locked.internal_notes != internal_notes:
        _save_fields(locked, actor, reason="internal notes edited", internal_notes=internal_notes)
    request.refresh_from_db()
    return request


def _save_fields(locked: ExemptionRequest, actor: User, *, reason: str, **values) -> None:
    for name, value in values.items():
        setattr(locked, name, value)
    locked.version = F("version") + 1
    locked._history_user = actor
    locked._change_reason = reason
    locked.save(update_fields=[*values, "version", "updated_at"])


@transaction.atomic
def extension_grant(
    *,
    actor: User,
    until: dt.datetime,
    reason: str,
    at: dt.datetime,
    request: ExemptionRequest | None = None,
    tin: str = "",
    year: AdjustmentYear | None = None,
    channel: str | None = None,
) -> Extension:
    """Let one request (or every request under `tin`) submit after its window closed, until `until`.

    The window rule (windows.window_state) honours it; nothing else needs to know. Audited by simple-history.
    """
    if not (reason or "").strip():
        raise ReviewError("Give the reason for the extension: it is shown to the EP and kept for audit.")
    if until <= at:
        raise ReviewError("The extension must end in the future.")
    if request is None and not tin:
        raise ReviewError("An extension names a request or a TIN.")
    extension = Extension(
        year=year or request.year,
        channel=channel or request.channel,
        request=request,
        tin="" if request is not None else tin,
        until=until,
        reason=reason.strip(),
        granted_by=actor,
    )
    extension._history_user = actor
    extension.save()
    return extension


# --- bulk ------------------------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    changed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self, verb: str) -> str:
        text = f"{len(self.changed)} request{'s' if len(self.changed) != 1 else ''} {verb}."
        if self.skipped:
            text += f" {len(self.skipped)} skipped: " + "; ".join(f"{ref} ({why})" for ref, why in self.skipped)
        return text


def request_bulk_decide(
    *, request_ids: list[int], decision: str, actor: User, at: dt.datetime, reason_code: str, message: str = ""
) -> BulkResult:
    """Approve or deny many requests with one reason. Each EP gets the same full email a single decision sends.

    Deliberately not one transaction: every request is decided (and committed) on its own through the same
    service as a single decision, so one request in the wrong state is skipped, not a reason to undo the rest.
    """
    service = {reasons.Decision.APPROVE: request_approve, reasons.Decision.DENY: request_deny}[decision]
    result = BulkResult()
    for obj in ExemptionRequest.objects.filter(pk__in=request_ids).order_by("pk"):
        try:
            service(request=obj, actor=actor, at=at, reason_code=reason_code, message=message)
        except (ReviewError, workflow.TransitionNotAllowed, StaleRequest) as exc:
            result.skipped.append((str(obj), _short_reason(obj, exc)))
        else:
            result.changed.append(str(obj))
    return result


def request_bulk_assign(*, request_ids: list[int], actor: User, reviewer: User) -> BulkResult:
    """Assign many undecided requests to `reviewer` (one transaction each, like the bulk decisions)."""
    result = BulkResult()
    for obj in ExemptionRequest.objects.filter(pk__in=request_ids).order_by("pk"):
        try:
            request_assign(request=obj, actor=actor, reviewer=reviewer)
        except ReviewError as exc:
            result.skipped.append((str(obj), _short_reason(obj, exc)))
        else:
            result.changed.append(str(obj))
    return result


def _short_reason(obj: ExemptionRequest, exc: Exception) -> str:
    if isinstance(exc, AlreadyDecided):
        return "already decided"
    if "no assigned reviewer" in str(exc):
        return "nobody assigned"
    obj.refresh_from_db(fields=["status"])
    return f"status {obj.get_status_display().lower()}"
