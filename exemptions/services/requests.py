"""The EP's side of a request: create, save a draft, submit, withdraw, answer staff, documents."""

from __future__ import annotations

import datetime as dt
import hashlib

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .. import workflow
from ..models import (
    AdjustmentYear,
    AffectedEP,
    Channel,
    ExemptionRequest,
    InformationRequest,
    OutboundEmail,
    SupportingDocument,
    User,
)
from ..windows import WindowState, window_state
from .outbox import outbox_enqueue
from .references import reference_issue
from .transitions import apply_transition

S = ExemptionRequest.Status
EP_FIELDS = ["npi", "name", "address_line1", "address_line2", "city", "state", "zip_code", "email"]
DRAFT_FIELDS = [
    "tin",
    "contact_phone",
    "justification",
    "cehrt_id",
    "attested",
    "contact_name",
    "contact_title",
    "contact_email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip_code",
    "group_name",
    "gpro_option",
    "gpro_program_year",
]


class RequestLocked(Exception):
    """Only drafts can be edited; a submitted request is locked."""


class WindowClosed(Exception):
    """Submission refused by the window rule; the draft is untouched. `state` says why in plain words."""

    def __init__(self, state: WindowState):
        self.state = state
        super().__init__(state.describe())


class NotVerified(Exception):
    """The account's email address must be verified before the first submission."""


def email_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


@transaction.atomic
def request_create(
    *, owner: User, year: AdjustmentYear, kind: str = ExemptionRequest.Kind.INDIVIDUAL
) -> ExemptionRequest:
    request = ExemptionRequest.objects.create(
        owner=owner, year=year, kind=kind, contact_email=owner.email, contact_name=owner.full_name
    )
    if kind == ExemptionRequest.Kind.INDIVIDUAL:
        AffectedEP.objects.create(request=request, position=0, name=owner.full_name, email=owner.email)
        _refresh_summary(request)
    return request


@transaction.atomic
def request_save_draft(
    *,
    request: ExemptionRequest,
    actor: User,
    fields: dict,
    categories=None,
    eps: list[dict] | None = None,
    documents=(),
) -> ExemptionRequest:
    """Save whatever the EP typed (complete or not). Refused only for a non-draft (RequestLocked)."""
    locked = ExemptionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != S.DRAFT:
        raise RequestLocked("This request has been submitted and can no longer be edited.")
    for name in DRAFT_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.version = F("version") + 1
    locked._history_user = actor
    locked.save()
    if categories is not None:
        locked.categories.set(categories)
    if eps is not None:
        _replace_eps(locked, eps)
    for upload in documents:
        document_add(request=locked, upload=upload)
    _refresh_summary(locked)
    request.refresh_from_db()
    return request


def _replace_eps(request: ExemptionRequest, eps: list[dict]) -> None:
    request.affected_eps.all().delete()
    AffectedEP.objects.bulk_create(
        [
            AffectedEP(request=request, position=i, **{k: row.get(k, "") for k in EP_FIELDS})
            for i, row in enumerate(eps)
        ],
        batch_size=1000,
    )


def _refresh_summary(request: ExemptionRequest) -> None:
    """Denormalised columns for the staff list: no join per row there."""
    first = request.affected_eps.order_by("position", "id").first()
    if request.kind == ExemptionRequest.Kind.GROUP:
        name = request.group_name
    else:
        name = first.name if first else request.contact_name
    ExemptionRequest.objects.filter(pk=request.pk).update(
        display_name=(name or "")[:200], first_npi=first.npi if first else "", ep_count=request.affected_eps.count()
    )


@transaction.atomic
def document_add(*, request: ExemptionRequest, upload, information_request: InformationRequest | None = None):
    """Store one already-validated upload under a random name, with its hash. At most N per request."""
    limit = settings.PORTAL_DOCUMENTS_PER_REQUEST
    if request.documents.count() >= limit:
        raise ValidationError(f"A request may have at most {limit} documents; remove one to add “{upload.name}”.")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return SupportingDocument.objects.create(
        request=request,
        information_request=information_request,
        file=upload,
        original_name=upload.name[:255],
        content_type=getattr(upload, "detected_type", upload.content_type or ""),
        size=upload.size,
        sha256=digest.hexdigest(),
    )


@transaction.atomic
def document_remove(*, document: SupportingDocument) -> None:
    if document.request.status != S.DRAFT:
        raise RequestLocked("Documents of a submitted request are kept as submitted.")
    document.file.delete(save=False)
    document.delete()


def hardship_problems(request: ExemptionRequest) -> list[str]:
    """Categories allowed for the year, CEHRT ID when needed, justification, attestation: shared by EP and group."""
    problems = []
    categories = list(request.categories.all())
    allowed = set(request.year.year_categories.filter(information_only=False).values_list("category_id", flat=True))
    if not categories:
        problems.append("Choose at least one hardship category.")
    elif any(c.pk not in allowed for c in categories):
        problems.append(f"A chosen category is not allowed for the {request.year.year} adjustment.")
    if any(c.requires_cehrt_id for c in categories) and not request.cehrt_id.strip():
        problems.append("CEHRT certification ID is required for the chosen category.")
    if not request.justification.strip():
        problems.append("Justification is missing.")
    if not request.attested:
        problems.append("The attestation is not ticked.")
    return problems


def completeness_problems(request: ExemptionRequest) -> list[str]:
    """The server's own check of a draft before submission (the form checks the same for the person)."""
    problems = []
    if not request.tin:
        problems.append("TIN is missing.")
    problems += hardship_problems(request)
    eps = list(request.affected_eps.all())
    if not eps:
        problems.append("Add at least one affected EP.")
    for number, ep in enumerate(eps, start=1):
        missing = [
            f for f in ("npi", "name", "address_line1", "city", "state", "zip_code", "email") if not getattr(ep, f)
        ]
        if missing:
            problems.append(f"EP {number} is missing: {', '.join(missing)}.")
    return problems


@transaction.atomic
def request_submit(*, request: ExemptionRequest, actor: User, at: dt.datetime) -> tuple[ExemptionRequest, bool]:
    """Submit a draft if the online window is open at `at`. Idempotent: returns (request, created).

    A second call (double click, resubmit, a concurrent POST) returns the existing submission with
    created=False and sends nothing. Refusals raise (WindowClosed, NotVerified, ValidationError) and leave the
    draft exactly as it was.
    """
    locked = ExemptionRequest.objects.select_for_update().select_related("year").get(pk=request.pk)
    if locked.status != S.DRAFT:
        if locked.submitted_at is not None:
            request.refresh_from_db()
            return request, False
        workflow.check("submit", locked.status)
    if not email_verified(actor):
        raise NotVerified("Confirm your email address before submitting: use the link we emailed you.")
    problems = completeness_problems(locked)
    if problems:
        raise ValidationError(problems)
    state = window_state(year=locked.year, channel=Channel.ONLINE, at=at, request=locked)
    if not state.is_open:
        raise WindowClosed(state)
    apply_transition(
        request=locked,
        name="submit",
        actor=actor,
        at=at,
        fields={
            "reference": reference_issue(year=locked.year.year),
            "submitted_at": at,
            "submitted_window": state.window,
        },
    )
    outbox_enqueue(
        kind=OutboundEmail.Kind.CONFIRMATION,
        key=f"confirmation:{locked.pk}",
        recipients=[actor.email, locked.contact_email],
        request=locked,
        user=actor,
    )
    request.refresh_from_db()
    return request, True


@transaction.atomic
def request_withdraw(*, request: ExemptionRequest, actor: User, at: dt.datetime, reason: str = "") -> None:
    apply_transition(request=request, name="withdraw", actor=actor, at=at, message_to_ep=reason)


@transaction.atomic
def request_delete_draft(*, request: ExemptionRequest) -> None:
    locked = ExemptionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != S.DRAFT:
        raise RequestLocked("Only drafts can be deleted. A submitted request can be withdrawn instead.")
    for document in locked.documents.all():
        document.file.delete(save=False)
    locked.delete()


@transaction.atomic
def request_respond(*, request: ExemptionRequest, actor: User, at: dt.datetime, answer: str, documents=()) -> None:
    """The EP answers the open question from staff and resubmits."""
    question = request.information_requests.filter(answered_at__isnull=True).order_by("-asked_at").first()
    apply_transition(request=request, name="respond", actor=actor, at=at, message_to_ep=answer[:2000])
    if question is not None:
        InformationRequest.objects.filter(pk=question.pk).update(answer=answer, answered_at=at)
    for upload in documents:
        document_add(request=request, upload=upload, information_request=question)
