"""Steps every review service takes: lock the request, check the reason, queue the EP's email."""

from __future__ import annotations

from ... import reasons, workflow
from ...models import ExemptionRequest, OutboundEmail, StatusChange
from ...selectors.review import already_decided_message, ep_recipients, stale_message
from ..outbox import outbox_enqueue
from ..stored_files import stored_files_refresh
from ..transitions import StaleRequest, exemption_lock, exemption_save_version, transition_locked
from .errors import AlreadyDecided, ReviewError


def review_lock(exemption: ExemptionRequest, *, expected_version: int | None, deciding: bool) -> ExemptionRequest:
    """The locked row, or a refusal (nothing changed).

    "Already decided" is checked before the version: when two reviewers click Approve at once, the second reads
    who decided, not only that the request changed.
    """
    locked = exemption_lock(exemption)
    if deciding and locked.status in workflow.FINAL:
        raise AlreadyDecided(already_decided_message(locked))
    if expected_version is not None and locked.version != expected_version:
        raise StaleRequest(stale_message(locked))
    return locked


def review_transition(locked: ExemptionRequest, name: str, *, actor, at, **details) -> StatusChange:
    """A review step's status change on a row `review_lock` locked. The audit bundle lists the status history, so
    it is rebuilt (after commit, by a worker)."""
    change = transition_locked(locked, name, actor=actor, at=at, **details)
    stored_files_refresh(exemption=locked)
    return change


def review_save_fields(locked: ExemptionRequest, *, actor, reason: str, **values) -> None:
    """A plain edit of a locked request (no status change): a new version, recorded in the field history."""
    for name, value in values.items():
        setattr(locked, name, value)
    exemption_save_version(locked, actor=actor, reason=reason, update_fields=list(values))


def message_or_default(message: str, reason_code: str) -> str:
    return (message or "").strip() or reasons.default_message(reason_code)


def check_reason(reason_code: str, decision: str) -> None:
    if reason_code and reason_code not in reasons.BY_CODE:
        raise ReviewError(f"Unknown reason code {reason_code!r}.")
    if reason_code and reasons.BY_CODE[reason_code].decision != decision:
        raise ReviewError(f"Reason {reasons.label(reason_code)!r} does not belong to this kind of decision.")


def ep_email_enqueue(
    *, kind: str, key_prefix: str, exemption: ExemptionRequest, change: StatusChange, **context
) -> OutboundEmail:
    """One email per status change (the key), however often the task runs."""
    email, _created = outbox_enqueue(
        kind=kind,
        key=f"{key_prefix}:{change.pk}",
        recipients=ep_recipients(exemption),
        request=exemption,
        user=exemption.owner,
        context={"status_change_id": change.pk, **context},
    )
    return email
