"""Reads of the staff review: who gets the EP's emails, who changed a request last, what the review screen lists."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..contact import unique_emails
from ..models import AffectedEP, ExemptionRequest, Extension, GroupLetter, InformationRequest, StatusChange
from ..windows import date_et, date_in_words, format_et, window_state
from ..workflow import ep_label
from .registry import Finding, RegistryFinding, registry_check_many

# What the review screen's "Registry" column says per EP (the message in plain words follows on a warning).
FINDING_LABELS = {
    Finding.NO_REGISTRY: "",
    Finding.INVALID: "not a valid NPI",
    Finding.NOT_FOUND: "not found",
    Finding.DEACTIVATED: "deactivated",
    Finding.ORGANIZATION: "an organization's NPI",
    Finding.NAME_DIFFERS: "name differs",
    Finding.MATCH: "match",
}
WARNINGS_LISTED = 5  # on the decision page; the review screen lists every one


def ep_recipients(exemption: ExemptionRequest) -> list[str]:
    """Who hears of a decision: the account holder, the contact person (the group's contact for GPRO) and every
    affected EP with an email, each address once (compared case-insensitively)."""
    eps = exemption.affected_eps.exclude(email="").order_by("position", "id").values_list("email", flat=True)
    return unique_emails([exemption.owner.email, exemption.contact_email, *eps])


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
        "registry": ep_registry_report(exemption),
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


@dataclass(frozen=True)
class EPRow:
    """One affected EP and what the NPI registry says about it."""

    ep: AffectedEP
    finding: RegistryFinding

    @property
    def label(self) -> str:
        return FINDING_LABELS[self.finding.finding]


@dataclass(frozen=True)
class RegistryReport:
    rows: list[EPRow]

    @property
    def checked(self) -> bool:
        """False without a loaded registry: then the screens show nothing about it."""
        return bool(self.rows) and all(row.finding.finding is not Finding.NO_REGISTRY for row in self.rows)

    @property
    def file_date(self) -> dt.date | None:
        return next((row.finding.file_date for row in self.rows if row.finding.file_date), None)

    @property
    def warnings(self) -> list[EPRow]:
        return [row for row in self.rows if row.finding.is_warning]

    @property
    def heading(self) -> str:
        """ "2 of 32 EPs do not match the NPI registry of June 8, 2025" (or "All 32 EPs match ...")."""
        of = f"the NPI registry of {date_in_words(self.file_date)}" if self.file_date else "the NPI registry"
        count, total = len(self.warnings), len(self.rows)
        if not count:
            return f"All {total} EPs match {of}" if total > 1 else f"The EP matches {of}"
        verb = "does" if count == 1 else "do"
        return f"{count} of {total} EP{'s' if total > 1 else ''} {verb} not match {of}"


def ep_registry_report(exemption: ExemptionRequest) -> RegistryReport:
    """The request's EPs in order, each with its registry finding: one registry query for all (2,500 EPs too)."""
    eps = list(exemption.affected_eps.all())
    findings = registry_check_many((ep.npi, ep.name) for ep in eps)
    return RegistryReport([EPRow(ep, finding) for ep, finding in zip(eps, findings, strict=True)])


def registry_warning(exemption: ExemptionRequest) -> str:
    """What a decision page says when some EP does not match the registry ("" when all match or no registry).

    A warning only: names change and the registry lags, so the reviewer decides.
    """
    report = ep_registry_report(exemption)
    warnings = report.warnings
    if not report.checked or not warnings:
        return ""
    listed = " ".join(row.finding.message for row in warnings[:WARNINGS_LISTED])
    more = len(warnings) - WARNINGS_LISTED
    tail = f" And {more} more: see the review screen." if more > 0 else ""
    return f"{report.heading}: {listed}{tail}"


def registry_summary_of(findings: Sequence[RegistryFinding]) -> str:
    """The request's summary for the staff list: not checked (no registry, no EP), all match, or a warning."""
    summary = ExemptionRequest.RegistrySummary
    if not findings or any(f.finding is Finding.NO_REGISTRY for f in findings):
        return summary.NOT_CHECKED
    return summary.WARNING if any(f.is_warning for f in findings) else summary.MATCH


# --- the reviewer's queues -------------------------------------------------------------------------------------
S = ExemptionRequest.Status
CLAIMABLE = (S.SUBMITTED, S.RECEIVED, S.RESUBMITTED, S.UNDER_REVIEW)  # staff work, nobody on it yet
OPEN_WORK = (S.SUBMITTED, S.RECEIVED, S.UNDER_REVIEW, S.INFO_REQUESTED, S.RESUBMITTED)
QUEUE_ORDER = (F("submitted_at").asc(nulls_last=True), "id")  # oldest submission first
COUNT_CAP = 1000  # the staff home says "1,000+" past this: never an unbounded COUNT on a million rows


@dataclass(frozen=True)
class Queue:
    """One reviewer's queue: a filter on the request list, oldest submission first."""

    key: str
    label: str
    help: str
    claims: bool = False  # "Decide and open next" assigns the next request to the reviewer (row lock)

    def condition(self, user, *, today: dt.date | None = None) -> Q:
        mine = Q(assigned_reviewer=user)
        if self.key == "unassigned":
            return Q(assigned_reviewer__isnull=True, status__in=CLAIMABLE)
        if self.key == "mine":
            return mine & Q(status__in=(S.SUBMITTED, S.RECEIVED, S.UNDER_REVIEW))
        if self.key == "waiting":
            return mine & Q(status=S.INFO_REQUESTED)
        if self.key == "overdue":
            late = InformationRequest.objects.filter(
                answered_at__isnull=True, reply_by__lt=today or date_et(timezone.now())
            )
            return mine & Q(status=S.INFO_REQUESTED, pk__in=late.values("request_id"))
        if self.key == "ready":
            return mine & Q(status=S.RESUBMITTED)
        if self.key == "letters":
            return Q(kind=ExemptionRequest.Kind.GROUP, status__in=(S.LETTER_GENERATED, S.MAILED))
        if self.key == "open":
            return Q(status__in=OPEN_WORK)
        return Q()  # "all"


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in [
        Queue("unassigned", "Unassigned", "Submitted requests nobody is reviewing yet.", claims=True),
        Queue("mine", "Mine in review", "Assigned to you, not decided."),
        Queue("waiting", "Waiting for the EP", "You asked for more information; no answer yet."),
        Queue("overdue", "Replies overdue", "Waiting for the EP past the reply-by date."),
        Queue("ready", "Ready to decide", "The EP answered your question: decide now."),
        Queue("letters", "Letters not yet received", "GPRO letters printed or mailed, not received by CMS."),
        Queue("open", "Open work queue", "Every request that needs staff or an EP answer.", claims=True),
        Queue("all", "All requests", "Every request, drafts and decided ones included."),
    ]
}
HOME_QUEUES = ("unassigned", "mine", "waiting", "overdue", "ready", "letters")
DEFAULT_QUEUE = "open"


def queue_requests(queue: Queue, user) -> QuerySet[ExemptionRequest]:
    return ExemptionRequest.objects.filter(queue.condition(user)).order_by(*QUEUE_ORDER)


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def text(self) -> str:
        return f"{COUNT_CAP:,}+" if self.capped else f"{self.count:,}"


def queue_counts(user, keys=HOME_QUEUES) -> list[QueueCount]:
    """Each queue's size, counted up to COUNT_CAP + 1 rows (so at most that many index entries read per queue),
    all in ONE query."""
    parts, params = [], []
    for key in keys:
        capped = queue_requests(QUEUES[key], user).order_by().values("pk")[: COUNT_CAP + 1]
        try:
            sql, sql_params = capped.query.sql_with_params()
        except EmptyResultSet:
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q_{key})")  # noqa: S608 (Django-compiled SQL)
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)  # noqa: S608 (Django-compiled SQL, params bound)
        row = cursor.fetchone()
    return [QueueCount(QUEUES[key], int(count)) for key, count in zip(keys, row, strict=True)]


def queue_next(queue: Queue, user, *, after: ExemptionRequest | None = None) -> ExemptionRequest | None:
    """The next request of a queue that does not claim (the reviewer's own work): after `after` in queue order,
    else from the start (never `after` itself)."""
    requests = queue_requests(queue, user)
    if after is not None:
        requests = requests.exclude(pk=after.pk)
        if after.submitted_at is not None:
            later = Q(submitted_at__gt=after.submitted_at) | Q(submitted_at=after.submitted_at, pk__gt=after.pk)
            found = requests.filter(later | Q(submitted_at__isnull=True)).first()
            if found is not None:
                return found
    return requests.first()


def decided_by(exemption: ExemptionRequest) -> StatusChange | None:
    """The status change that made a final decision stand (who and when), or None for an undecided request."""
    if exemption.status not in (S.APPROVED, S.DENIED):
        return None
    return (
        exemption.status_changes.filter(to_status=exemption.status).select_related("actor").order_by("at", "id").last()
    )
