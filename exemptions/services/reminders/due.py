"""The due set: every reminder due at an instant and not yet claimed, as queries the database can list or claim.

Each `Candidates` is one query whose columns are the outbox rows to write (key, request, user, recipients,
context). The dry run lists it (`reminders_due`); the sweep hands it to the database whole (`claims.py`), so
100,000 drafts at a deadline never pass through Python. A reminder covers only what existed at its instant.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, JSONArray, JSONObject

from ...models import (
    Channel,
    ExemptionRequest,
    InformationRequest,
    OutboundEmail,
    ReminderPolicy,
    SubmissionWindow,
    WindowOpeningSubscription,
)
from ...reminder_keys import ReminderKey
from ...windows import ET, is_inside
from .schedule import info_deadline, latest_due_offset, policy_for

S = ExemptionRequest.Status
K = OutboundEmail.Kind
COLUMNS = ("r_key", "r_request", "r_user", "r_recipients", "r_context")


@dataclass(frozen=True)
class DueReminder:
    key: ReminderKey
    recipients: list[str]
    request_id: int | None
    user_id: int
    context: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.key.kind


@dataclass(frozen=True)
class Candidates:
    """The rows due for one reminder (one kind, one deadline, one offset), as `COLUMNS` of a query."""

    kind: str
    rows: QuerySet


def reminder_candidates(*, at: dt.datetime) -> list[Candidates]:
    """Every reminder due at `at`, one query per window and kind (and per deadline of information requests)."""
    found: list[Candidates] = []
    for window in open_windows(at=at):
        policy = policy_for(window)
        for kind in _request_kinds(window, policy):
            candidates = _request_candidates(window, policy, at, kind)
            found += [candidates] if candidates is not None else []
        if policy.opening_notices:
            found.append(_opening_candidates(window))
    return found + _info_candidates(at)


def reminders_due(*, at: dt.datetime) -> list[DueReminder]:
    """Every reminder due at `at` and not yet claimed. Reads only; a few queries whatever the number of drafts."""
    return [
        DueReminder(
            ReminderKey.parse(row["r_key"]), row["r_recipients"], row["r_request"], row["r_user"], row["r_context"]
        )
        for candidates in reminder_candidates(at=at)
        for row in candidates.rows.iterator(chunk_size=5000)
    ]


def open_windows(*, at: dt.datetime) -> list[SubmissionWindow]:
    # The database narrows the candidates; the window rule decides.
    candidates = SubmissionWindow.objects.filter(closes_at__gte=at - dt.timedelta(days=1), opens_at__lte=at)
    return [w for w in candidates.select_related("year", "reminder_policy").order_by("pk") if is_inside(w, at)]


def _candidates(kind: str, queryset: QuerySet, *, key, request, user, email: str, context: dict) -> Candidates:
    """`queryset` with the outbox columns of `kind`, leaving out rows whose key is already in the outbox."""
    rows = queryset.annotate(
        r_key=key,
        r_request=request,
        r_user=user,
        r_recipients=JSONArray(email),
        r_context=JSONObject(**context),
    ).filter(~Exists(OutboundEmail.objects.filter(key=OuterRef("r_key"))))
    return Candidates(kind, rows.values(*COLUMNS))


def _request_kinds(window: SubmissionWindow, policy: ReminderPolicy) -> list[str]:
    if window.channel == Channel.ONLINE:
        return [K.REMINDER_DRAFT] if policy.draft_reminders else []
    return [K.REMINDER_LETTER] if policy.letter_reminders else []


def _request_candidates(
    window: SubmissionWindow, policy: ReminderPolicy, at: dt.datetime, kind: str
) -> Candidates | None:
    """Unsubmitted drafts (online window) or generated letters not mailed (letter window) due for a reminder."""
    found = latest_due_offset(policy=policy, closes_at=window.closes_at, at=at)
    if found is None:
        return None
    offset, instant = found
    if kind == K.REMINDER_DRAFT:
        exemptions = ExemptionRequest.objects.filter(kind=ExemptionRequest.Kind.INDIVIDUAL, status=S.DRAFT)
    else:
        exemptions = ExemptionRequest.objects.filter(kind=ExemptionRequest.Kind.GROUP, status=S.LETTER_GENERATED)
    exemptions = exemptions.filter(
        year_id=window.year_id,
        created_at__lte=instant,
        reminders_opt_out=False,
        owner__email_reminders=True,
        owner__is_active=True,
    ).order_by("pk")
    deadline = window.closes_at
    return _candidates(
        kind,
        exemptions,
        key=ReminderKey.sql(kind=kind, subject=F("pk"), scope=window.pk, offset=offset, deadline=deadline),
        request=F("pk"),
        user=F("owner_id"),
        email="owner__email",
        context={"window_id": Value(window.pk), "offset": Value(offset), "closes_at": Value(deadline.isoformat())},
    )


def _opening_candidates(window: SubmissionWindow) -> Candidates:
    """Everyone who asked to be told when this year's window of this channel opens."""
    subscriptions = WindowOpeningSubscription.objects.filter(
        year_id=window.year_id, channel=window.channel, user__email_reminders=True, user__is_active=True
    ).order_by("pk")
    kind = K.WINDOW_OPENING
    return _candidates(
        kind,
        subscriptions,
        key=ReminderKey.sql(kind=kind, subject=F("user_id"), scope=window.pk, offset=0, deadline=window.opens_at),
        request=Cast(Value(None), output_field=BigIntegerField()),  # typed: PostgreSQL reads a bare NULL as text
        user=F("user_id"),
        email="user__email",
        context={"window_id": Value(window.pk), "subscription_id": F("pk")},
    )


def _info_candidates(at: dt.datetime) -> list[Candidates]:
    """Unanswered questions whose reply-by date comes closer; each request's window policy decides the offsets."""
    questions = InformationRequest.objects.filter(
        answered_at__isnull=True,
        reply_by__gte=at.astimezone(ET).date(),
        request__status=S.INFO_REQUESTED,
        request__reminders_opt_out=False,
        request__owner__email_reminders=True,
        request__owner__is_active=True,
    ).select_related("request__submitted_window__reminder_policy")
    due: dict[tuple[int, dt.datetime], list[int]] = defaultdict(list)
    for question in questions:
        policy = policy_for(question.request.submitted_window)
        deadline = info_deadline(question)
        found = latest_due_offset(policy=policy, closes_at=deadline, at=at) if policy.info_reminders else None
        if found is not None and found[1] >= question.asked_at:
            due[found[0], deadline].append(question.pk)
    kind = K.REMINDER_INFO
    return [
        _candidates(
            kind,
            InformationRequest.objects.filter(pk__in=ids).order_by("pk"),
            key=ReminderKey.sql(kind=kind, subject=F("request_id"), scope=F("pk"), offset=offset, deadline=deadline),
            request=F("request_id"),
            user=F("request__owner_id"),
            email="request__owner__email",
            context={"question_id": F("pk"), "offset": Value(offset), "closes_at": Value(deadline.isoformat())},
        )
        for (offset, deadline), ids in sorted(due.items())
    ]
