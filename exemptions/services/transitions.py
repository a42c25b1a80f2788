"""Apply one workflow transition: lock, check the table, change, record history. Used by every service."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from .. import workflow
from ..models import ExemptionRequest, StatusChange, User


class StaleRequest(Exception):
    """The request changed since the caller read it (optimistic locking)."""


@transaction.atomic
def apply_transition(
    *,
    request: ExemptionRequest,
    name: str,
    actor: User | None,
    at: dt.datetime,
    message_to_ep: str = "",
    internal_note: str = "",
    reason_code: str = "",
    expected_version: int | None = None,
    fields: dict | None = None,
) -> StatusChange:
    """Move `request` along transition `name`; raise TransitionNotAllowed (nothing changed) if illegal.

    The row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers) so two people acting at
    once cannot both succeed. `fields` are set on the request in the same UPDATE. `request` is refreshed.
    """
    locked = ExemptionRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRequest(_stale_message(locked))
    transition = workflow.check(name, locked.status)
    previous = locked.status
    for field, value in (fields or {}).items():
        setattr(locked, field, value)
    locked.status = transition.target
    locked.version = F("version") + 1
    locked._history_user = actor
    locked._change_reason = f"{name}: {reason_code or message_to_ep or internal_note}"[:100]
    locked.save()
    locked.refresh_from_db()
    change = StatusChange.objects.create(
        request=locked,
        from_status=previous,
        to_status=transition.target,
        actor=actor,
        at=at,
        reason_code=reason_code,
        message_to_ep=message_to_ep,
        internal_note=internal_note,
    )
    request.refresh_from_db()
    return change


def _stale_message(locked: ExemptionRequest) -> str:
    last = locked.status_changes.select_related("actor").order_by("-at", "-id").first()
    who = last.actor if last and last.actor else "someone else"
    return f"This request was changed by {who} since you opened it. Reload it and try again."
