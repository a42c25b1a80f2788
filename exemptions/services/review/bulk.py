"""Many requests at once, each through the same service as a single one (one transaction each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ...models import ExemptionRequest, User
from .assignment import request_assign
from .decisions import request_decide
from .errors import REFUSALS, AlreadyDecided, NoReviewerAssigned, ReviewError


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
    *, exemption_ids: list[int], decision: str, actor: User, at: dt.datetime, reason_code: str, message: str = ""
) -> BulkResult:
    """Approve or deny many requests with one reason. Each EP gets the same full email a single decision sends.

    Deliberately not one transaction: every request is decided (and committed) on its own through the same
    service as a single decision, so one request in the wrong state is skipped, not a reason to undo the rest.
    """
    result = BulkResult()
    for exemption in ExemptionRequest.objects.filter(pk__in=exemption_ids).order_by("pk"):
        try:
            request_decide(
                exemption=exemption, decision=decision, actor=actor, at=at, reason_code=reason_code, message=message
            )
        except REFUSALS as exc:
            result.skipped.append((str(exemption), _short_reason(exemption, exc)))
        else:
            result.changed.append(str(exemption))
    return result


def request_bulk_assign(*, exemption_ids: list[int], actor: User, reviewer: User) -> BulkResult:
    """Assign many undecided requests to `reviewer` (one transaction each, like the bulk decisions)."""
    result = BulkResult()
    for exemption in ExemptionRequest.objects.filter(pk__in=exemption_ids).order_by("pk"):
        try:
            request_assign(exemption=exemption, actor=actor, reviewer=reviewer)
        except ReviewError as exc:
            result.skipped.append((str(exemption), _short_reason(exemption, exc)))
        else:
            result.changed.append(str(exemption))
    return result


def _short_reason(exemption: ExemptionRequest, exc: Exception) -> str:
    if isinstance(exc, AlreadyDecided):
        return "already decided"
    if isinstance(exc, NoReviewerAssigned):
        return "nobody assigned"
    exemption.refresh_from_db(fields=["status"])
    return f"status {exemption.get_status_display().lower()}"
