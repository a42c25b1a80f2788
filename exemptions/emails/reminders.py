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
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from ..completeness import allowed_category_ids, request_problems
from ..models import ExemptionRequest, InformationRequest, OutboundEmail, SubmissionWindow, WindowOpeningSubscription
from ..services.reminders import info_deadline, stop_token
from ..windows import ONE_SECOND, format_et, is_inside, time_left_words
from .decisions import greeting_name
from .rendering import signature_rendered_once

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


# The three properties of a deadline's calendar entry that name one request; the rest is the same for every
# reminder of that deadline, so a batch serializes the calendar once and fills these in (`DeadlineIcs`).
_PER_REQUEST = {"uid": "XUIDX", "description": "XDESCRIPTIONX", "url": "XURLX"}


class DeadlineIcs:
    """`deadline_ics` for many requests of one deadline: the calendar serialized once, the three per-request
    properties (UID, DESCRIPTION, URL) encoded and folded by icalendar itself, line by line. Same bytes as
    `deadline_ics` at the same instant (a test compares them)."""

    def __init__(self, *, deadline: dt.datetime, summary: str) -> None:
        self.template = deadline_ics(deadline=deadline, summary=summary, **_PER_REQUEST)

    def __call__(self, *, uid: str, description: str, url: str) -> str:
        text = self.template
        for name, value in (("uid", uid), ("description", description), ("url", url)):
            text = text.replace(f"{name.upper()}:{_PER_REQUEST[name]}\r\n", _content_line(name, value), 1)
        return text


def _content_line(name: str, value: str) -> str:
    event = Event()
    event.add(name, value)
    return event.content_line(name.upper(), event[name.upper()]).to_ical().decode() + "\r\n"


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
    shared = _shared(deadline, summary)
    ics = shared["ics"](
        uid=f"deadline-{exemption.public_id}-{int(deadline.timestamp())}@{shared['host']}",
        description=f"{summary}: {shared['deadline_et']}. {link}",
        url=link,
    )
    stop_link = _absolute(reverse("exemptions:reminders_stop", args=[stop_token(exemption=exemption)]))
    return {
        "name": greeting_name(exemption, email.user),
        "request": exemption,  # the templates' name for it
        "year": year,
        "deadline_et": shared["deadline_et"],
        "time_left": shared["time_left"],
        "link": link,
        "stop_link": stop_link,
        "preferences_link": shared["preferences_link"],
        "attachments": [("deadline.ics", ics, "text/calendar")],
        "headers": one_click_unsubscribe(stop_link),
    }


def _shared(deadline: dt.datetime, summary: str) -> dict:
    """What every reminder of one deadline says alike: computed once per batch (per email outside a batch)."""
    batch = _BATCH.get()
    key = (deadline, summary)
    if batch is not None and key in batch["shared"]:
        return batch["shared"][key]
    now = batch["now"] if batch is not None else timezone.now()
    shared = {
        "host": urlsplit(settings.SITE_URL).hostname or "localhost",
        "deadline_et": format_et(deadline),
        "time_left": time_left_words(deadline=deadline, at=now),
        "preferences_link": _absolute(reverse("exemptions:reminder_preferences")),
        "ics": DeadlineIcs(deadline=deadline, summary=summary),
    }
    if batch is not None:
        batch["shared"][key] = shared
    return shared


def _reminders_wanted(email: OutboundEmail, exemption: ExemptionRequest) -> bool:
    return not exemption.reminders_opt_out and email.user is not None and email.user.email_reminders


# --- Reads and renders shared by a batch ------------------------------------------------------------------------
# A sweep fans out ~100 emails per task, and 100,000 emails at a deadline. Inside reminder_batch() the claimed rows'
# requests (with their year, categories and EPs), users and windows are read once per batch, and what every
# reminder of a deadline says alike (its time, time left, calendar entry, the signature) is rendered once. The
# checks that decide whether to send at all still read the rows delivery has just claimed.
_BATCH: ContextVar[dict | None] = ContextVar("reminder_batch", default=None)


@contextmanager
def reminder_batch(emails: list[OutboundEmail]) -> Iterator[None]:
    """Shared reads for `emails` (claimed outbox rows; their request and user are attached here, in a few queries
    for the whole batch) and shared renders, for the emails built inside."""
    prefetch_related_objects(
        emails,
        Prefetch(
            "request",
            queryset=ExemptionRequest.objects.select_related("year").prefetch_related("categories", "affected_eps"),
        ),
        "user",
    )
    batch = {"now": timezone.now(), "windows": {}, "allowed": {}, "shared": {}}
    token = _BATCH.set(batch)
    try:
        with signature_rendered_once():
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
    if batch is None:
        return request_problems(exemption)
    if exemption.year_id not in batch["allowed"]:
        batch["allowed"][exemption.year_id] = allowed_category_ids(exemption.year)
    return request_problems(exemption, allowed=batch["allowed"][exemption.year_id])


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
