"""Reads of the staff review: who gets the EP's emails, who changed a request last, what the review screen lists."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet

from ..models import ExemptionRequest, Extension, GroupLetter
from ..windows import format_et, window_state
from ..workflow import ep_label


def ep_recipients(exemption: ExemptionRequest) -> list[str]:
    """The account holder and the contact person (the group's contact for GPRO); duplicates removed later."""
    return [exemption.owner.email, exemption.contact_email]


def last_editor(exemption: ExemptionRequest) -> str:
    """Who made the latest change: field history (simple-history) or a status change, whichever is newer."""
    record = exemption.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    change = exemption.status_changes.select_related("actor").order_by("-at", "-id").first()
    if record and (change is None or record.history_date >= change.at) and record.history_user:
        return str(record.history_user)
    if change and change.actor:
        return str(change.actor)
    return "someone else"


def stale_message(exemption: ExemptionRequest) -> str:
    """What a reviewer reads when the request changed since they opened it (the notes form and every service)."""
    return (
        f"Request {exemption} was changed by {last_editor(exemption)} since you opened it. "
        "Nothing was saved: reload the page to see the change, then try again."
    )


def already_decided_message(exemption: ExemptionRequest) -> str:
    change = exemption.status_changes.filter(to_status=exemption.status).select_related("actor").last()
    who = change.actor if change and change.actor else "someone else"
    when = f" at {format_et(change.at)}" if change else ""
    return f"Request {exemption} was already decided by {who}: {exemption.get_status_display().lower()}{when}."


def review_screen(exemption: ExemptionRequest, *, at: dt.datetime) -> dict:
    """Everything the review screen shows about one request: what the EP sent, its history, letters and emails."""
    return {
        "obj": exemption,
        "eps": exemption.affected_eps.all(),
        "categories": exemption.categories.all(),
        "documents": exemption.documents.all(),
        "letters": GroupLetter.objects.filter(request=exemption).order_by("-version"),
        "history": exemption.status_changes.select_related("actor").order_by("at", "id"),
        "questions": exemption.information_requests.select_related("asked_by"),
        "extensions": extension_grants(exemption),
        "emails": exemption.emails.order_by("-created_at")[:20],
        "ep_status": ep_label(exemption.status),
        "window": window_state(year=exemption.year, channel=exemption.channel, at=at, exemption=exemption),
    }


def extension_candidates(exemption: ExemptionRequest) -> QuerySet[ExemptionRequest]:
    """What staff may extend together with `exemption`: itself and every request under its TIN of the same year and
    channel (the kind decides the channel), oldest first."""
    same = Q(pk=exemption.pk) | Q(tin=exemption.tin) if exemption.tin else Q(pk=exemption.pk)
    return (
        ExemptionRequest.objects.filter(same, year_id=exemption.year_id, kind=exemption.kind)
        .select_related("owner")
        .order_by("created_at", "pk")
    )


def extension_grants(exemption: ExemptionRequest) -> list[tuple[Extension, list[ExemptionRequest]]]:
    """This request's extensions, newest first, each with the other requests the same grant extended."""
    extensions = list(exemption.extensions.select_related("granted_by"))
    together = defaultdict(list)
    rows = Extension.objects.filter(grant_id__in=[e.grant_id for e in extensions]).exclude(request_id=exemption.pk)
    for row in rows.select_related("request").order_by("request__created_at", "request_id"):
        together[row.grant_id].append(row.request)
    return [(extension, together[extension.grant_id]) for extension in extensions]
