"""Decision and information-request emails to the account holder, the contact and every affected EP.

One function (`decision_email`) builds the template name and context from an exemption and its StatusChange; the
outbox builders call it with the recorded change and the admin's preview calls it with the change about to be
made, so the preview is exactly what the EP receives. Internal notes are never put in the context.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from ..models import ExemptionRequest, OutboundEmail, StatusChange
from ..windows import ET, format_date_et, format_et

S = ExemptionRequest.Status
TEMPLATES = {S.APPROVED: "decision-approved", S.DENIED: "decision-denied", S.INFO_REQUESTED: "info-requested"}


def decision_email(exemption: ExemptionRequest, change: StatusChange, *, reply_by: dt.date | None = None):
    """(template name, context) for the email about `change` (approved, denied or more information requested)."""
    return TEMPLATES[change.to_status], {
        "name": greeting_name(exemption),
        "eps": list(exemption.affected_eps.order_by("position", "id").values("name", "npi")),
        "request": exemption,  # the templates' name for it
        "year": exemption.year,
        "message": change.message_to_ep,
        "decided_at_et": format_et(change.at),
        "reply_by": format_date_et(_noon_et(reply_by)) if reply_by else "",
        "link": reverse("exemptions:request_detail", args=[exemption.public_id]),
        "respond_link": reverse("exemptions:request_respond", args=[exemption.public_id]),
        "is_group": exemption.kind == ExemptionRequest.Kind.GROUP,
    }


def greeting_name(exemption: ExemptionRequest, user=None) -> str:
    """Whom an email about `exemption` greets: the account holder's name, else the contact's ("" greets "Hello,")."""
    user = user or exemption.owner
    return (getattr(user, "full_name", "") or exemption.contact_name or "").strip()


def _noon_et(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=ET)


def decision(email: OutboundEmail):
    """Approved, denied or more information requested: the recorded StatusChange says which."""
    change = StatusChange.objects.select_related("request__year").filter(pk=email.context.get("status_change_id"))
    change = change.first()
    if change is None:
        return None
    reply_by = email.context.get("reply_by") or None
    return decision_email(change.request, change, reply_by=dt.date.fromisoformat(reply_by) if reply_by else None)


def reopened_email(exemption: ExemptionRequest, change: StatusChange):
    """(template name, context) telling the EP that a decision they were sent no longer stands."""
    return "decision-reopened", {
        "name": greeting_name(exemption),
        "request": exemption,
        "year": exemption.year,
        "previous": ExemptionRequest.Status(change.from_status).label.upper() if change.from_status else "",
        "reopened_at_et": format_et(change.at),
        "link": reverse("exemptions:request_detail", args=[exemption.public_id]),
    }


def reopened(email: OutboundEmail):
    """Decision reopened: sent even if decided again since (the reopening is part of the record, like a question)."""
    changes = StatusChange.objects.select_related("request__year", "request__owner")
    change = changes.filter(pk=email.context.get("status_change_id")).first()
    return reopened_email(change.request, change) if change is not None else None
