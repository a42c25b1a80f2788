"""Change one exemption request's row: a workflow transition, or a plain edit. Every service goes through here.

Both bump `version` (the optimistic lock that staff pages send back) and record who did it in the history.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .. import workflow
from ..models import ExemptionRequest, StatusChange, User


class StaleRequest(Exception):
    """The request changed since the caller read it (optimistic locking: staff pages send back `version`)."""


def exemption_lock(exemption: ExemptionRequest, **annotations) -> ExemptionRequest:
    """The row, locked for the caller's transaction (SELECT … FOR UPDATE; SQLite serializes writers anyway).

    Only the request's own row: the year is read in the same query but not locked (`of`), or every write of one
    adjustment year would queue behind every other on deadline day. `annotations` are read in the same query
    (a check that needs no lock of its own, e.g. the submitter's verified address).
    """
    rows = ExemptionRequest.objects.select_for_update(of=("self",)).select_related("year")
    return rows.annotate(**annotations).get(pk=exemption.pk) if annotations else rows.get(pk=exemption.pk)


def exemption_save_version(
    locked: ExemptionRequest, *, actor: User | None, reason: str = "", update_fields: list[str] | None = None
) -> None:
    """Save a locked row as a new version: `version` + 1 in the same UPDATE, the actor and reason in the history.

    The row is locked (`exemption_lock`; SQLite takes its write lock at BEGIN), so the version read with the lock
    is the current one: the next is known without reading the row again.
    """
    locked.version += 1
    locked._history_user = actor
    if reason:
        locked._change_reason = reason[:100]
    if update_fields is None:
        locked.save()
    else:
        locked.save(update_fields=[*update_fields, "version", "updated_at"])


def transition_locked(
    locked: ExemptionRequest,
    name: str,
    *,
    actor: User | None,
    at: dt.datetime,
    message_to_ep: str = "",
    internal_note: str = "",
    reason_code: str = "",
    fields: dict | None = None,
) -> StatusChange:
    """Move a row the caller locked (`exemption_lock`, same transaction) along transition `name`.

    Raises TransitionNotAllowed (nothing changed) if the workflow table forbids it. `fields` are set on the request
    in the same UPDATE; the status history records who, when, the reason code and both messages.
    """
    transition = workflow.check(name, locked.status)
    previous = locked.status
    for field, value in (fields or {}).items():
        setattr(locked, field, value)
    locked.status = transition.target
    exemption_save_version(locked, actor=actor, reason=f"{name}: {reason_code or message_to_ep or internal_note}")
    return StatusChange.objects.create(
        request=locked,
        from_status=previous,
        to_status=transition.target,
        actor=actor,
        at=at,
        reason_code=reason_code,
        message_to_ep=message_to_ep,
        internal_note=internal_note,
    )


@transaction.atomic
def apply_transition(
    *, exemption: ExemptionRequest, name: str, actor: User | None, at: dt.datetime, **details
) -> StatusChange:
    """Lock `exemption`, then `transition_locked` (two people acting at once cannot both succeed); refreshes it."""
    change = transition_locked(exemption_lock(exemption), name, actor=actor, at=at, **details)
    exemption.refresh_from_db()
    return change
