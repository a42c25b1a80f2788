"""Deadline reminders: which are due at an instant (read from the database), the sweep that claims them, and the
EP's reminder preferences.

A reminder is named by its key, ``reminder:<kind>:<request or user>:<window or question>:<offset>:<deadline epoch>``.
The key is the claim: the outbox's unique constraint lets one row exist per key, so a repeated sweep, a second
beat or two sweeps at once insert nothing new, and delivery claims each row again before sending. The deadline
is part of the key: when staff move a window's close the schedule starts over for the new deadline, and a
reminder queued for the old one is suppressed at delivery (emails/reminders.py checks it).

The due rule. Every offset gives an instant before the deadline: a whole-day offset goes out at the policy's send
time (ET) that many days before the closing day; any other offset exactly that many minutes before the deadline.
The latest instant that has passed is the one due (older ones are superseded: a draft started 2 days before the
close gets the "1 day" reminder, not three at once). It stays due until the deadline, so a missed or failed sweep
catches up; nothing is due once the deadline has passed. A reminder covers only what existed at its instant.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core import signing
from django.db import connection, transaction
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from ..models import (
    AdjustmentYear,
    Channel,
    ExemptionRequest,
    InformationRequest,
    OutboundEmail,
    ReminderPolicy,
    SubmissionWindow,
    User,
    WindowOpeningSubscription,
)
from ..windows import ET, ONE_SECOND, is_inside

log = logging.getLogger(__name__)

S = ExemptionRequest.Status
K = OutboundEmail.Kind
MINUTES_PER_DAY = 24 * 60
REMINDER_KINDS = [K.REMINDER_DRAFT, K.REMINDER_LETTER, K.REMINDER_INFO, K.WINDOW_OPENING]
KEY_NAMES = {
    K.REMINDER_DRAFT: "draft",
    K.REMINDER_LETTER: "letter",
    K.REMINDER_INFO: "info",
    K.WINDOW_OPENING: "opening",
}
STOP_SALT = "exemptions.reminders.stop"


@dataclass(frozen=True)
class DueReminder:
    key: str
    kind: str
    recipient: str
    request_id: int | None
    user_id: int
    context: dict = field(default_factory=dict)


# --- The schedule ----------------------------------------------------------------------------------------------


def policy_for(window: SubmissionWindow | None) -> ReminderPolicy:
    """The window's policy, or the defaults (14, 3 and 1 days at 9:00 ET, every kind on) when staff set none."""
    if window is not None:
        try:
            return window.reminder_policy
        except ReminderPolicy.DoesNotExist:
            pass
    return ReminderPolicy(window=window)


def clean_offsets(raw) -> list[int]:
    """Offsets as staff typed them (JSON): keep positive whole minutes, largest first, each once."""
    values = raw if isinstance(raw, list) else [raw]
    offsets = set()
    for value in values:
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            continue
        if minutes > 0 and minutes == value:
            offsets.add(minutes)
    return sorted(offsets, reverse=True)


def reminder_instant(*, closes_at: dt.datetime, offset_minutes: int, send_time: dt.time) -> dt.datetime:
    if offset_minutes % MINUTES_PER_DAY == 0:
        day = closes_at.astimezone(ET).date() - dt.timedelta(days=offset_minutes // MINUTES_PER_DAY)
        return dt.datetime.combine(day, send_time, tzinfo=ET)
    # closes_at is the last accepted second, so "15 minutes before" means 15 minutes before the next second.
    return closes_at + ONE_SECOND - dt.timedelta(minutes=offset_minutes)


def latest_due_offset(
    *, policy: ReminderPolicy, closes_at: dt.datetime, at: dt.datetime
) -> tuple[int, dt.datetime] | None:
    """(offset, instant) of the reminder due at `at` for a deadline, or None (none passed yet, or too late)."""
    if at >= closes_at + ONE_SECOND:
        return None
    best = None
    for offset in clean_offsets(policy.offsets_minutes):
        instant = reminder_instant(closes_at=closes_at, offset_minutes=offset, send_time=policy.send_time)
        if instant <= at and (best is None or instant > best[1]):
            best = (offset, instant)
    return best


def schedule(*, policy: ReminderPolicy, closes_at: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """Every (offset, instant) of a deadline, soonest first: for the dry run and the admin."""
    return sorted(
        (
            (o, reminder_instant(closes_at=closes_at, offset_minutes=o, send_time=policy.send_time))
            for o in clean_offsets(policy.offsets_minutes)
        ),
        key=lambda pair: pair[1],
    )


def reminder_key(kind: str, subject_id: int, scope_id: int, offset: int, deadline: dt.datetime) -> str:
    return f"reminder:{KEY_NAMES[kind]}:{subject_id}:{scope_id}:{offset}:{int(deadline.timestamp())}"


def info_deadline(question: InformationRequest) -> dt.datetime:
    """The last second of the reply-by day in ET (the same convention as windows)."""
    return dt.datetime.combine(question.reply_by, dt.time(23, 59, 59), tzinfo=ET)


# --- What is due -----------------------------------------------------------------------------------------------


def reminders_due(*, at: dt.datetime) -> list[DueReminder]:
    """Every reminder due at `at` and not yet claimed. Reads only; a few queries whatever the number of drafts."""
    due: list[DueReminder] = []
    for window in open_windows(at=at):
        policy = policy_for(window)
        for kind in _request_kinds(window, policy):
            due += _request_reminders(window, policy, at, kind)
        if policy.opening_notices:
            due += _opening_notices(window)
    due += _info_reminders(at)
    return due


def open_windows(*, at: dt.datetime) -> list[SubmissionWindow]:
    # The database narrows the candidates; the window rule decides.
    candidates = SubmissionWindow.objects.filter(closes_at__gte=at - dt.timedelta(days=1), opens_at__lte=at)
    return [w for w in candidates.select_related("year", "reminder_policy").order_by("pk") if is_inside(w, at)]


def _unclaimed(queryset: QuerySet, kind: str, subject: str, suffix: str) -> QuerySet:
    """Leave out rows whose key (built in SQL from `subject`) is already in the outbox."""
    key = Concat(
        Value(f"reminder:{KEY_NAMES[kind]}:"),
        Cast(OuterRef(subject), CharField()),
        Value(suffix),
        output_field=CharField(),
    )
    return queryset.filter(~Exists(OutboundEmail.objects.filter(key=key)))


def _request_kinds(window: SubmissionWindow, policy: ReminderPolicy) -> list[str]:
    if window.channel == Channel.ONLINE:
        return [K.REMINDER_DRAFT] if policy.draft_reminders else []
    return [K.REMINDER_LETTER] if policy.letter_reminders else []


@dataclass(frozen=True)
class _Candidates:
    """Requests due for one reminder of one window, as a query (100,000s of rows never pass through Python)."""

    kind: str
    window: SubmissionWindow
    offset: int
    requests: QuerySet

    @property
    def suffix(self) -> str:
        return f":{self.window.pk}:{self.offset}:{int(self.window.closes_at.timestamp())}"

    @property
    def context(self) -> dict:
        return {"window_id": self.window.pk, "offset": self.offset, "closes_at": self.window.closes_at.isoformat()}


def _request_candidates(window: SubmissionWindow, policy: ReminderPolicy, at: dt.datetime, kind: str):
    found = latest_due_offset(policy=policy, closes_at=window.closes_at, at=at)
    if found is None:
        return None
    offset, instant = found
    if kind == K.REMINDER_DRAFT:
        requests = ExemptionRequest.objects.filter(kind=ExemptionRequest.Kind.INDIVIDUAL, status=S.DRAFT)
    else:
        requests = ExemptionRequest.objects.filter(kind=ExemptionRequest.Kind.GROUP, status=S.LETTER_GENERATED)
    requests = requests.filter(
        year_id=window.year_id,
        created_at__lte=instant,
        reminders_opt_out=False,
        owner__email_reminders=True,
        owner__is_active=True,
    )
    suffix = f":{window.pk}:{offset}:{int(window.closes_at.timestamp())}"
    return _Candidates(kind, window, offset, _unclaimed(requests, kind, "pk", suffix))


def _request_reminders(window: SubmissionWindow, policy: ReminderPolicy, at: dt.datetime, kind: str):
    found = _request_candidates(window, policy, at, kind)
    if found is None:
        return []
    rows = found.requests.values_list("pk", "owner_id", "owner__email").order_by("pk")
    closes_at = window.closes_at
    return [
        DueReminder(
            reminder_key(kind, pk, window.pk, found.offset, closes_at), kind, email, pk, owner_id, found.context
        )
        for pk, owner_id, email in rows.iterator(chunk_size=5000)
    ]


def _opening_notices(window: SubmissionWindow) -> list[DueReminder]:
    subscriptions = WindowOpeningSubscription.objects.filter(
        year_id=window.year_id, channel=window.channel, user__email_reminders=True, user__is_active=True
    )
    suffix = f":{window.pk}:0:{int(window.opens_at.timestamp())}"
    rows = _unclaimed(subscriptions, K.WINDOW_OPENING, "user_id", suffix).values_list("pk", "user_id", "user__email")
    return [
        DueReminder(
            reminder_key(K.WINDOW_OPENING, user_id, window.pk, 0, window.opens_at),
            K.WINDOW_OPENING,
            email,
            None,
            user_id,
            {"window_id": window.pk, "subscription_id": pk},
        )
        for pk, user_id, email in rows
    ]


def _info_reminders(at: dt.datetime) -> list[DueReminder]:
    questions = InformationRequest.objects.filter(
        answered_at__isnull=True,
        reply_by__gte=at.astimezone(ET).date(),
        request__status=S.INFO_REQUESTED,
        request__reminders_opt_out=False,
        request__owner__email_reminders=True,
        request__owner__is_active=True,
    ).select_related("request__owner", "request__submitted_window__reminder_policy")
    due = []
    for question in questions:
        policy = policy_for(question.request.submitted_window)
        deadline = info_deadline(question)
        found = latest_due_offset(policy=policy, closes_at=deadline, at=at) if policy.info_reminders else None
        if found is None or found[1] < question.asked_at:
            continue
        offset = found[0]
        owner = question.request.owner
        context = {"question_id": question.pk, "offset": offset, "closes_at": deadline.isoformat()}
        key = reminder_key(K.REMINDER_INFO, question.request_id, question.pk, offset, deadline)
        due.append(DueReminder(key, K.REMINDER_INFO, owner.email, question.request_id, owner.pk, context))
    claimed = set(OutboundEmail.objects.filter(key__in=[d.key for d in due]).values_list("key", flat=True))
    return [d for d in due if d.key not in claimed]


# --- The sweep -------------------------------------------------------------------------------------------------


def reminders_sweep(*, at: dt.datetime, batch_size: int = 2000, per_task: int = 100) -> dict[str, int]:
    """Claim every reminder due at `at` (one outbox row per key) and publish every unpublished reminder row.

    Returns {"due": reminders newly claimed by this sweep, "published": rows handed to the broker}. Safe to run twice
    or concurrently: a key already claimed is not inserted again, and a row published twice is sent once (delivery
    claims it). Must run outside a transaction: claims commit before they are published, so a broker outage
    mid-sweep leaves committed rows that the next sweep (or the outbox drain) publishes.
    """
    claimed = 0
    for window in open_windows(at=at):
        policy = policy_for(window)
        for kind in _request_kinds(window, policy):
            found = _request_candidates(window, policy, at, kind)
            claimed += reminders_claim_query(candidates=found) if found else 0
        if policy.opening_notices:
            claimed += _claim_in_batches(_opening_notices(window), batch_size)
    claimed += _claim_in_batches(_info_reminders(at), batch_size)
    return {"due": claimed, "published": reminders_publish_pending(per_task=per_task)}


def _claim_in_batches(due: list[DueReminder], batch_size: int) -> int:
    for batch in _chunks(due, batch_size):
        reminders_claim(due=batch)
    return len(due)


@transaction.atomic
def reminders_claim_query(*, candidates: _Candidates) -> int:
    """INSERT … SELECT … ON CONFLICT DO NOTHING: the database claims every due request of a window in one
    statement (100,000 drafts at a deadline never pass through Python). Returns the number of new claims."""
    prefix = f"reminder:{KEY_NAMES[candidates.kind]}:"
    rows = (
        candidates.requests.annotate(
            r_key=Concat(Value(prefix), Cast("pk", CharField()), Value(candidates.suffix), output_field=CharField()),
            r_id=F("pk"),
            r_owner=F("owner_id"),
            r_email=F("owner__email"),
        )
        .values("r_key", "r_id", "r_owner", "r_email")
        .order_by()
    )
    select_sql, select_params = rows.query.sql_with_params()
    postgres = connection.vendor == "postgresql"
    meta = OutboundEmail._meta
    names = ["key", "kind", "request", "user", "recipients", "context", "status", "attempts", "last_error"]
    columns = ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in [*names, "subject", "created_at"])
    recipients = "jsonb_build_array(q.r_email)" if postgres else "json_array(q.r_email)"
    context = "%s::jsonb" if postgres else "%s"
    # Only identifiers from the model's metadata and ORM-generated SQL are interpolated; every value is a parameter.
    table, key = connection.ops.quote_name(meta.db_table), connection.ops.quote_name("key")
    insert = f"INSERT INTO {table} ({columns}) "
    select = f"SELECT q.r_key, %s, q.r_id, q.r_owner, {recipients}, {context}, %s, 0, '', '', %s "  # noqa: S608
    sql = insert + select + f"FROM ({select_sql}) AS q WHERE true ON CONFLICT ({key}) DO NOTHING"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [candidates.kind, json.dumps(candidates.context), OutboundEmail.Status.PENDING, now, *select_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


@transaction.atomic
def reminders_claim(*, due: list[DueReminder]) -> None:
    """Insert one outbox row per key; a key that exists (another sweep got there first) is skipped by the DB."""
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                key=d.key,
                kind=d.kind,
                request_id=d.request_id,
                user_id=d.user_id,
                recipients=[d.recipient],
                context=d.context,
            )
            for d in due
        ],
        ignore_conflicts=True,
    )


def reminders_publish_pending(*, per_task: int = 100, batch_size: int = 5000) -> int:
    """Publish never-published reminder rows, `per_task` ids per task. Stops at the first broker error."""
    from ..tasks.reminders import send_email_batch

    published = 0
    last_pk = 0
    while True:
        ids = list(
            OutboundEmail.objects.filter(
                pk__gt=last_pk,
                kind__in=REMINDER_KINDS,
                status=OutboundEmail.Status.PENDING,
                last_published_at__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return published
        last_pk = ids[-1]
        for chunk in _chunks(ids, per_task):
            try:
                send_email_batch.delay(chunk)
            except Exception as exc:  # broker down or hung: the rows stay unpublished for the next sweep/drain
                log.warning("reminder publish stopped after %s emails: %s", published, exc)
                return published
            OutboundEmail.objects.filter(pk__in=chunk).update(last_published_at=timezone.now())
            published += len(chunk)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Preferences: stop links, the account switch, "notify me when it opens" -----------------------------------


def stop_token(*, request: ExemptionRequest | None = None, subscription: WindowOpeningSubscription | None = None):
    """A signed, login-free token for one request's reminders or one opening notice. It never expires."""
    payload = {"r": request.pk} if request is not None else {"s": subscription.pk}
    return signing.dumps(payload, salt=STOP_SALT, compress=True)


def stop_target(token: str) -> ExemptionRequest | WindowOpeningSubscription | None:
    """What a stop token names, or None for a forged, mangled or stale (deleted) one."""
    try:
        payload = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    if "r" in payload:
        return ExemptionRequest.objects.select_related("year").filter(pk=payload["r"]).first()
    return WindowOpeningSubscription.objects.select_related("year").filter(pk=payload.get("s")).first()


@transaction.atomic
def reminders_stop(*, target: ExemptionRequest | WindowOpeningSubscription) -> None:
    """Stop reminders for one request, or drop one opening subscription. Idempotent (a second click is fine)."""
    if isinstance(target, ExemptionRequest):
        ExemptionRequest.objects.filter(pk=target.pk).update(reminders_opt_out=True)
    else:
        WindowOpeningSubscription.objects.filter(pk=target.pk).delete()


@transaction.atomic
def user_reminders_set(*, user: User, enabled: bool) -> None:
    User.objects.filter(pk=user.pk).update(email_reminders=enabled)
    user.email_reminders = enabled


@transaction.atomic
def window_subscription_create(
    *, user: User, year: AdjustmentYear, channel: str = Channel.ONLINE
) -> tuple[WindowOpeningSubscription, bool]:
    return WindowOpeningSubscription.objects.get_or_create(user=user, year=year, channel=channel)


@transaction.atomic
def window_subscription_delete(*, subscription: WindowOpeningSubscription) -> None:
    subscription.delete()
