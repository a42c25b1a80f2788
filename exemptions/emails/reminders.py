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
from icalendar import Alarm, Calendar, Event

from ..completeness import request_problems
from ..models import ExemptionRequest, InformationRequest, OutboundEmail, SubmissionWindow, WindowOpeningSubscription
from ..services.reminders import info_deadline, stop_token
from ..windows import ONE_SECOND, format_et, is_inside, time_left_words
from .decisions import greeting_name

S = ExemptionRequest.Status


def deadline_ics(*, uid: str, deadline: dt.datetime, summary: str, description: str, url: str) -> str:
    """A one-event iCalendar file (RFC 5545): the last half hour before the deadline, with an alarm a day before."""
    end = (deadline + ONE_SECOND).astimezone(dt.UTC)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", end - dt.timedelta(minutes=30))
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -dt.timedelta(days=1))
    alarm.add("description", summary)
    event.add_component(alarm)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//eRx hardship exemptions//Deadline reminders//EN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def one_click_unsubscribe(stop_link: str) -> dict[str, str]:
    """RFC 8058: mail clients show an "Unsubscribe" button that POSTs to the stop link (no page, no login)."""
    return {"List-Unsubscribe": f"<{stop_link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _same_deadline(email: OutboundEmail, deadline: dt.datetime) -> bool:
    return dt.datetime.fromisoformat(email.context["closes_at"]) == deadline


def _common(email: OutboundEmail, exemption: ExemptionRequest, deadline: dt.datetime, link: str) -> dict:
    year = exemption.year
    what = "GPRO letter" if exemption.kind == ExemptionRequest.Kind.GROUP else "hardship exemption request"
    summary = f"Deadline: {year.year} eRx {what}"
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    ics = deadline_ics(
        uid=f"deadline-{exemption.public_id}-{int(deadline.timestamp())}@{host}",
        deadline=deadline,
        summary=summary,
        description=f"{summary}: {format_et(deadline)}. {link}",
        url=link,
    )
    stop_link = _absolute(reverse("exemptions:reminders_stop", args=[stop_token(exemption=exemption)]))
    return {
        "name": greeting_name(exemption, email.user),
        "request": exemption,  # the templates' name for it
        "year": year,
        "deadline_et": format_et(deadline),
        "time_left": time_left_words(deadline=deadline, at=timezone.now()),
        "link": link,
        "stop_link": stop_link,
        "preferences_link": _absolute(reverse("exemptions:reminder_preferences")),
        "attachments": [("deadline.ics", ics, "text/calendar")],
        "headers": one_click_unsubscribe(stop_link),
    }


def _reminders_wanted(email: OutboundEmail, exemption: ExemptionRequest) -> bool:
    return not exemption.reminders_opt_out and email.user is not None and email.user.email_reminders


# --- Reads shared by a batch ------------------------------------------------------------------------------------
# A sweep fans out ~100 emails per task, and 100,000 emails at a deadline. Inside reminder_batch() the window and
# each draft's categories and EPs (for "what is missing") are read once per batch instead of once per email; the
# status checks that decide whether to send at all still use the row delivery has just claimed and re-read.
_BATCH: ContextVar[dict | None] = ContextVar("reminder_batch", default=None)


@contextmanager
def reminder_batch(email_ids: list[int]) -> Iterator[None]:
    exemption_ids = OutboundEmail.objects.filter(pk__in=email_ids).values_list("request_id", flat=True)
    exemptions = (
        ExemptionRequest.objects.filter(pk__in=exemption_ids)
        .select_related("year")
        .prefetch_related("categories", "affected_eps")
    )
    token = _BATCH.set({"exemptions": {e.pk: e for e in exemptions}, "windows": {}})
    try:
        yield
    finally:
        _BATCH.reset(token)


def _window_for(email: OutboundEmail, exemption: ExemptionRequest) -> SubmissionWindow | None:
    batch = _BATCH.get()
    window_id = email.context["window_id"]
    if batch is not None and window_id in batch["windows"]:
        window = batch["windows"][window_id]
    else:
        window = SubmissionWindow.objects.select_related("year").filter(pk=window_id).first()
        if batch is not None:
            batch["windows"][window_id] = window
    if window is not None and window.year_id == exemption.year_id:
        exemption.year = window.year  # one query for both
    return window


def _missing(exemption: ExemptionRequest) -> list[str]:
    batch = _BATCH.get()
    prefetched = batch["exemptions"].get(exemption.pk) if batch is not None else None
    return request_problems(prefetched or exemption)


def _window_reminder(email: OutboundEmail, *, status: str, link_name: str) -> dict | None:
    """The context of a reminder before a window's close, or None once it no longer applies: the request moved on
    from `status`, the EP opted out, the window closed or staff moved its close (the key's deadline is stale)."""
    exemption = email.request
    window = _window_for(email, exemption)
    if (
        exemption.status != status
        or not _reminders_wanted(email, exemption)
        or window is None
        or not _same_deadline(email, window.closes_at)
        or not is_inside(window, timezone.now())
    ):
        return None
    link = _absolute(reverse(link_name, args=[exemption.public_id]))
    context = _common(email, exemption, window.closes_at, link)
    context["extended_from"] = format_et(window.original_closes_at) if window.original_closes_at else ""
    return context


def draft_reminder(email: OutboundEmail):
    context = _window_reminder(email, status=S.DRAFT, link_name="exemptions:request_edit")
    if context is None:
        return None
    context["missing"] = _missing(email.request)
    return "reminder-draft", context


def letter_reminder(email: OutboundEmail):
    if email.request.mailed_on is not None:
        return None
    context = _window_reminder(email, status=S.LETTER_GENERATED, link_name="exemptions:group_detail")
    return None if context is None else ("reminder-letter", context)


def info_reminder(email: OutboundEmail):
    exemption = email.request
    question = InformationRequest.objects.filter(pk=email.context["question_id"]).first()
    if (
        question is None
        or question.answered_at is not None
        or question.reply_by is None
        or exemption.status != S.INFO_REQUESTED
        or not _reminders_wanted(email, exemption)
    ):
        return None
    deadline = info_deadline(question)
    if not _same_deadline(email, deadline) or timezone.now() >= deadline + ONE_SECOND:
        return None
    link = _absolute(reverse("exemptions:request_respond", args=[exemption.public_id]))
    context = _common(email, exemption, deadline, link)
    context["question"] = question
    return "reminder-info", context


def window_opening(email: OutboundEmail):
    window = SubmissionWindow.objects.select_related("year").filter(pk=email.context["window_id"]).first()
    subscription = WindowOpeningSubscription.objects.filter(pk=email.context["subscription_id"]).first()
    user = email.user
    now = timezone.now()
    if window is None or subscription is None or not user.email_reminders or not is_inside(window, now):
        return None
    start = "exemptions:request_start" if window.channel == "online" else "exemptions:home"
    stop_link = _absolute(reverse("exemptions:reminders_stop", args=[stop_token(subscription=subscription)]))
    return "window-opening", {
        "name": user.full_name,
        "window": window,
        "year": window.year,
        "opens_et": format_et(window.opens_at),
        "deadline_et": format_et(window.closes_at),
        "time_left": time_left_words(deadline=window.closes_at, at=now),
        "link": _absolute(reverse(start)),
        "stop_link": stop_link,
        "preferences_link": _absolute(reverse("exemptions:reminder_preferences")),
        "headers": one_click_unsubscribe(stop_link),
    }
