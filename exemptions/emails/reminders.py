"""Reminder emails. Each builder re-reads the current state at delivery time and returns None (the row becomes
"suppressed") when the reminder no longer applies: the draft was submitted, the EP opted out, the deadline
passed, or staff moved the deadline (a new reminder with the new deadline's key takes its place)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..completeness import request_problems
from ..models import ExemptionRequest, InformationRequest, OutboundEmail, SubmissionWindow
from ..services.reminders import info_deadline, stop_token
from ..windows import ET, ONE_SECOND, format_et, is_inside

S = ExemptionRequest.Status


def time_left_words(*, deadline: dt.datetime, at: dt.datetime) -> str:
    """'3 days left' (calendar days in ET) / 'closes today' / '45 minutes left'."""
    seconds = int((deadline + ONE_SECOND - at).total_seconds())
    if seconds < 2 * 3600:
        minutes = max(1, seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} left"
    days = (deadline.astimezone(ET).date() - at.astimezone(ET).date()).days
    if days <= 0:
        return f"{seconds // 3600} hours left (closes today)"
    return f"{days} day{'s' if days != 1 else ''} left"


def deadline_ics(*, uid: str, deadline: dt.datetime, summary: str, description: str, url: str) -> str:
    """A one-event iCalendar file ending at the deadline, with an alarm a day before (RFC 5545)."""
    stamp = "%Y%m%dT%H%M%SZ"
    start = deadline + ONE_SECOND - dt.timedelta(minutes=30)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//eRx hardship exemptions//Deadline reminders//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{timezone.now().astimezone(dt.UTC).strftime(stamp)}",
        f"DTSTART:{start.astimezone(dt.UTC).strftime(stamp)}",
        f"DTEND:{(deadline + ONE_SECOND).astimezone(dt.UTC).strftime(stamp)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"URL:{url}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-P1D",
        f"DESCRIPTION:{_ics_text(summary)}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    # RFC 5545: lines longer than 75 octets continue on the next line after a space.
    parts = []
    while len(line.encode()) > 75:
        cut = 74
        while len(line[:cut].encode()) > 74:
            cut -= 1
        parts.append(line[:cut])
        line = " " + line[cut:]
    parts.append(line)
    return "\r\n".join(parts)


def one_click_unsubscribe(stop_link: str) -> dict[str, str]:
    """RFC 8058: mail clients show an "Unsubscribe" button that POSTs to the stop link (no page, no login)."""
    return {"List-Unsubscribe": f"<{stop_link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _same_deadline(email: OutboundEmail, deadline: dt.datetime) -> bool:
    return dt.datetime.fromisoformat(email.context["closes_at"]) == deadline


def _common(email: OutboundEmail, request: ExemptionRequest, deadline: dt.datetime, link: str) -> dict:
    now = timezone.now()
    year = request.year
    what = "GPRO letter" if request.kind == ExemptionRequest.Kind.GROUP else "hardship exemption request"
    summary = f"Deadline: {year.year} eRx {what}"
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    ics = deadline_ics(
        uid=f"deadline-{request.public_id}-{int(deadline.timestamp())}@{host}",
        deadline=deadline,
        summary=summary,
        description=f"{summary}: {format_et(deadline)}. {link}",
        url=link,
    )
    stop_link = _absolute(reverse("exemptions:reminders_stop", args=[stop_token(request=request)]))
    return {
        "name": email.user.full_name if email.user and email.user.full_name else request.contact_name or "there",
        "request": request,
        "year": year,
        "deadline_et": format_et(deadline),
        "time_left": time_left_words(deadline=deadline, at=now),
        "link": link,
        "stop_link": stop_link,
        "preferences_link": _absolute(reverse("exemptions:reminder_preferences")),
        "attachments": [("deadline.ics", ics, "text/calendar")],
        "headers": one_click_unsubscribe(stop_link),
    }


def _reminders_wanted(email: OutboundEmail, request: ExemptionRequest) -> bool:
    return not request.reminders_opt_out and email.user is not None and email.user.email_reminders


# --- Reads shared by a batch ------------------------------------------------------------------------------------
# A sweep fans out ~100 emails per task, and 100,000 emails at a deadline. Inside reminder_batch() the window and
# each draft's categories and EPs (for "what is missing") are read once per batch instead of once per email; the
# status checks that decide whether to send at all still use the row delivery has just claimed and re-read.
_BATCH: ContextVar[dict | None] = ContextVar("reminder_batch", default=None)


@contextmanager
def reminder_batch(email_ids: list[int]) -> Iterator[None]:
    request_ids = OutboundEmail.objects.filter(pk__in=email_ids).values_list("request_id", flat=True)
    requests = (
        ExemptionRequest.objects.filter(pk__in=request_ids)
        .select_related("year")
        .prefetch_related("categories", "affected_eps")
    )
    token = _BATCH.set({"requests": {r.pk: r for r in requests}, "windows": {}})
    try:
        yield
    finally:
        _BATCH.reset(token)


def _window_for(email: OutboundEmail, request: ExemptionRequest) -> SubmissionWindow | None:
    batch = _BATCH.get()
    window_id = email.context["window_id"]
    if batch is not None and window_id in batch["windows"]:
        window = batch["windows"][window_id]
    else:
        window = SubmissionWindow.objects.select_related("year").filter(pk=window_id).first()
        if batch is not None:
            batch["windows"][window_id] = window
    if window is not None and window.year_id == request.year_id:
        request.year = window.year  # one query for both
    return window


def _missing(request: ExemptionRequest) -> list[str]:
    batch = _BATCH.get()
    prefetched = batch["requests"].get(request.pk) if batch is not None else None
    return request_problems(prefetched or request)


def draft_reminder(email: OutboundEmail):
    request = email.request
    window = _window_for(email, request)
    now = timezone.now()
    if (
        request.status != S.DRAFT
        or not _reminders_wanted(email, request)
        or window is None
        or not _same_deadline(email, window.closes_at)
        or not is_inside(window, now)
    ):
        return None
    link = _absolute(reverse("exemptions:request_edit", args=[request.public_id]))
    context = _common(email, request, window.closes_at, link)
    context["missing"] = _missing(request)
    context["extended_from"] = format_et(window.original_closes_at) if window.original_closes_at else ""
    return "reminder-draft", context


def letter_reminder(email: OutboundEmail):
    request = email.request
    window = _window_for(email, request)
    now = timezone.now()
    if (
        request.status != S.LETTER_GENERATED
        or request.mailed_on is not None
        or not _reminders_wanted(email, request)
        or window is None
        or not _same_deadline(email, window.closes_at)
        or not is_inside(window, now)
    ):
        return None
    link = _absolute(reverse("exemptions:group_detail", args=[request.public_id]))
    context = _common(email, request, window.closes_at, link)
    context["extended_from"] = format_et(window.original_closes_at) if window.original_closes_at else ""
    return "reminder-letter", context


def info_reminder(email: OutboundEmail):
    request = email.request
    question = InformationRequest.objects.filter(pk=email.context["question_id"]).first()
    if (
        question is None
        or question.answered_at is not None
        or question.reply_by is None
        or request.status != S.INFO_REQUESTED
        or not _reminders_wanted(email, request)
    ):
        return None
    deadline = info_deadline(question)
    if not _same_deadline(email, deadline) or timezone.now() >= deadline + ONE_SECOND:
        return None
    link = _absolute(reverse("exemptions:request_respond", args=[request.public_id]))
    context = _common(email, request, deadline, link)
    context["question"] = question
    return "reminder-info", context


def window_opening(email: OutboundEmail):
    from ..models import WindowOpeningSubscription

    window = SubmissionWindow.objects.select_related("year").filter(pk=email.context["window_id"]).first()
    subscription = WindowOpeningSubscription.objects.filter(pk=email.context["subscription_id"]).first()
    user = email.user
    if window is None or subscription is None or not user.email_reminders or not is_inside(window, timezone.now()):
        return None
    start = "exemptions:request_start" if window.channel == "online" else "exemptions:home"
    stop_link = _absolute(reverse("exemptions:reminders_stop", args=[stop_token(subscription=subscription)]))
    return "window-opening", {
        "name": user.full_name or "there",
        "window": window,
        "year": window.year,
        "opens_et": format_et(window.opens_at),
        "deadline_et": format_et(window.closes_at),
        "time_left": time_left_words(deadline=window.closes_at, at=timezone.now()),
        "link": _absolute(reverse(start)),
        "stop_link": stop_link,
        "preferences_link": _absolute(reverse("exemptions:reminder_preferences")),
        "headers": one_click_unsubscribe(stop_link),
    }
