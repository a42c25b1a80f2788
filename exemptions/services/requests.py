"""The EP's side of an exemption request: create, save a draft, submit, withdraw, answer staff, documents."""

from __future__ import annotations

import datetime as dt
from functools import partial

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import workflow
from ..completeness import EP_FIELDS, GROUP_FIELDS, request_problems
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
from .registry_checks import request_check_registry
from .stored_files import stored_files_refresh
from .transitions import apply_transition, exemption_lock, exemption_save_version, transition_locked
from .uploads import atomic_with_files, documents_check, upload_store

S = ExemptionRequest.Status
DRAFT_FIELDS = GROUP_FIELDS  # one list for EP and group drafts: each form sends only its own fields


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
    exemption = ExemptionRequest.objects.create(
        owner=owner, year=year, kind=kind, contact_email=owner.email, contact_name=owner.full_name
    )
    if kind == ExemptionRequest.Kind.INDIVIDUAL:
        AffectedEP.objects.create(request=exemption, position=0, name=owner.full_name, email=owner.email)
        refresh_summary(exemption)
    return exemption


@atomic_with_files
def request_save_draft(
    *,
    exemption: ExemptionRequest,
    actor: User,
    fields: dict,
    categories=None,
    eps: list[dict] | None = None,
    documents=(),
) -> ExemptionRequest:
    """Save whatever the EP typed (complete or not). Refused for a non-draft (RequestLocked) or a refused set of
    documents (ValidationError): then nothing is saved, and no file is left behind."""
    locked = exemption_lock(exemption)
    if locked.status != S.DRAFT:
        raise RequestLocked("This request has been submitted and can no longer be edited.")
    for name in DRAFT_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    exemption_save_version(locked, actor=actor)
    if categories is not None:
        locked.categories.set(categories)
    if eps is not None:
        replace_eps(locked, eps)
    documents_add(exemption=locked, uploads=documents)
    refresh_summary(locked)
    exemption.refresh_from_db()
    return exemption


def replace_eps(exemption: ExemptionRequest, eps: list[dict]) -> None:
    exemption.affected_eps.all().delete()
    AffectedEP.objects.bulk_create(
        [
            AffectedEP(request=exemption, position=i, **{k: row.get(k, "") for k in EP_FIELDS})
            for i, row in enumerate(eps)
        ],
        batch_size=1000,
    )


def refresh_summary(exemption: ExemptionRequest) -> None:
    """Denormalized columns for the staff list: no join per row there."""
    first = exemption.affected_eps.order_by("position", "id").first()
    if exemption.kind == ExemptionRequest.Kind.GROUP:
        name = exemption.group_name
    else:
        name = first.name if first else exemption.contact_name
    ExemptionRequest.objects.filter(pk=exemption.pk).update(
        display_name=(name or "")[:200], first_npi=first.npi if first else "", ep_count=exemption.affected_eps.count()
    )


def document_add(*, exemption: ExemptionRequest, upload, information_request: InformationRequest | None = None):
    """Store one upload (checked first, like any set): see documents_add."""
    return documents_add(exemption=exemption, uploads=[upload], information_request=information_request)[0]


@atomic_with_files
def documents_add(
    *, exemption: ExemptionRequest, uploads, information_request: InformationRequest | None = None
) -> list[SupportingDocument]:
    """Store a set of uploads under random names with the extension of their detected type, with their hashes.

    The set is checked as a whole before any file is written (at most PORTAL_DOCUMENTS_PER_REQUEST per request,
    counted under the row lock so two tabs cannot both add the last one; each file by its content, size and, for a
    PDF, active content): a refusal raises ValidationError and writes nothing. A file written here is deleted again
    if the transaction rolls back (`atomic_with_files`).
    """
    uploads = list(uploads)
    if not uploads:
        return []
    locked = exemption_lock(exemption)
    types = documents_check(uploads, existing=locked.documents.count())
    return [
        _document_store(locked, upload, content_type=content_type, information_request=information_request)
        for upload, content_type in zip(uploads, types, strict=True)
    ]


def _document_store(exemption, upload, *, content_type: str, information_request) -> SupportingDocument:
    document = SupportingDocument(request=exemption, information_request=information_request)
    return upload_store(document, upload, content_type=content_type)


@transaction.atomic
def document_remove(*, document: SupportingDocument) -> None:
    if document.request.status != S.DRAFT:
        raise RequestLocked("Documents of a submitted request are kept as submitted.")
    _delete_files_on_commit([document])
    document.delete()


def _delete_files_on_commit(documents) -> None:
    # After the commit: a rollback keeps the row, so it must keep its file too. robust: a file that cannot be
    # deleted is logged (and left to the orphan sweep), never an error page for a removal that succeeded.
    for document in documents:
        transaction.on_commit(partial(document.file.storage.delete, document.file.name), robust=True)


@transaction.atomic
def request_submit(*, exemption: ExemptionRequest, actor: User, at: dt.datetime) -> tuple[ExemptionRequest, bool]:
    """Submit a draft if the online window is open at `at`. Idempotent: returns (exemption, created).

    A second call (double click, resubmit, a concurrent POST) returns the existing submission with
    created=False and sends nothing. Refusals raise (WindowClosed, NotVerified, ValidationError) and leave the
    draft exactly as it was.
    """
    locked = exemption_lock(exemption)
    if locked.status != S.DRAFT:
        if locked.submitted_at is not None:
            exemption.refresh_from_db()
            return exemption, False
        workflow.check("submit", locked.status)
    if not email_verified(actor):
        raise NotVerified("Confirm your email address before submitting: use the link we emailed you.")
    problems = request_problems(locked)
    if problems:
        raise ValidationError(problems)
    state = window_state(year=locked.year, channel=Channel.ONLINE, at=at, exemption=locked)
    if not state.is_open:
        raise WindowClosed(state)
    transition_locked(
        locked,
        "submit",
        actor=actor,
        at=at,
        fields={
            "reference": reference_issue(year=locked.year.year),
            "submitted_at": at,
            "submitted_window": state.window,
            "attestation_text": locked.year.attestation_for(locked.kind),  # what was attested, as worded then
        },
    )
    outbox_enqueue(
        kind=OutboundEmail.Kind.CONFIRMATION,
        key=f"confirmation:{locked.pk}",
        recipients=[actor.email, locked.contact_email],
        request=locked,
        user=actor,
    )
    stored_files_refresh(exemption=locked, person_waits=True)
    request_check_registry(exemption=locked)
    exemption.refresh_from_db()
    return exemption, True


@transaction.atomic
def request_withdraw(*, exemption: ExemptionRequest, actor: User, at: dt.datetime, reason: str = "") -> None:
    apply_transition(exemption=exemption, name="withdraw", actor=actor, at=at, message_to_ep=reason)
    stored_files_refresh(exemption=exemption, person_waits=True)


@transaction.atomic
def request_delete_draft(*, exemption: ExemptionRequest) -> None:
    locked = exemption_lock(exemption)
    if locked.status != S.DRAFT:
        raise RequestLocked("Only drafts can be deleted. A submitted request can be withdrawn instead.")
    _delete_files_on_commit(locked.documents.all())
    locked.delete()


@atomic_with_files
def request_respond(*, exemption: ExemptionRequest, actor: User, at: dt.datetime, answer: str, documents=()) -> None:
    """The EP answers the open question from staff and resubmits."""
    question = exemption.information_requests.filter(answered_at__isnull=True).order_by("-asked_at").first()
    apply_transition(exemption=exemption, name="respond", actor=actor, at=at, message_to_ep=answer[:2000])
    if question is not None:
        InformationRequest.objects.filter(pk=question.pk).update(answer=answer, answered_at=at)
    documents_add(exemption=exemption, uploads=documents, information_request=question)
    stored_files_refresh(exemption=exemption, person_waits=True)
