"""Asking the EP for more information. The EP answers on the portal (`services.requests.request_respond`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ... import reasons
from ...models import ExemptionRequest, InformationRequest, OutboundEmail, StatusChange, User
from .errors import ReviewError
from .shared import check_reason, ep_email_enqueue, message_or_default, review_lock, review_transition


@transaction.atomic
def request_ask_for_information(
    *,
    exemption: ExemptionRequest,
    actor: User,
    at: dt.datetime,
    message: str,
    reply_by: dt.date | None = None,
    reason_code: str = "",
    internal_note: str = "",
    expected_version: int | None = None,
) -> StatusChange:
    """Ask the EP for more information (message required); the EP gets an email and answers on the portal."""
    check_reason(reason_code, reasons.Decision.REQUEST_INFO)
    message = message_or_default(message, reason_code)
    if not message:
        raise ReviewError("Write the question for the EP: a request for more information needs a message.")
    if reply_by is not None and reply_by < at.date():
        raise ReviewError("The reply-by date is in the past.")
    locked = review_lock(exemption, expected_version=expected_version, deciding=True)
    change = review_transition(
        locked,
        "request_info",
        actor=actor,
        at=at,
        message_to_ep=message,
        internal_note=internal_note,
        reason_code=reason_code,
        fields={"assigned_reviewer": locked.assigned_reviewer or actor},
    )
    InformationRequest.objects.create(request=locked, asked_by=actor, asked_at=at, message=message, reply_by=reply_by)
    ep_email_enqueue(
        kind=OutboundEmail.Kind.INFO_REQUESTED,
        key_prefix="info",
        exemption=locked,
        change=change,
        reply_by=reply_by.isoformat() if reply_by else "",
    )
    exemption.refresh_from_db()
    return change
