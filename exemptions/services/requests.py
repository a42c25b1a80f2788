"""The EP's side of an exemption request: create, save a draft, submit, withdraw, answer staff, documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists

from .. import workflow
from ..completeness import request_problems
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
from .drafts import DRAFT_FIELDS, draft_apply, refresh_summary, replace_eps, set_summary
from .outbox import outbox_enqueue
from .references import reference_issue
from .registry_checks import eps_registry_summary
from .stored_files import stored_files_refresh, stored_receipt_queue
from .transitions import apply_transition, exemption_lock, exemption_save_version, transition_locked
from .uploads import atomic_with_files, documents_check, upload_store

S = ExemptionRequest.Status
__all__ = ["DRAFT_FIELDS", "refresh_summary", "replace_eps"]  # re-exported: the group services use them


class RequestLocked(Exception):
    """Only drafts can be edited; a submitted request is locked."""


class WindowClosed(Exception):
    """Submission refused by the window rule; the draft is untouched. `state` says why in plain words."""

    def __init__(self, state: WindowState):
        self.state = state
        super().__init__(state.describe())


class NotVerified(Exception):
    """The account's email address must be verified before the first submission."""


def verified_addresses(user: User):
    """The account's own address, verified: required before the first submission."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True)


def email_verified(user: User) -> bool:
    return verified_addresses(user).exists()


@transaction.atomic
def request_create(
    *, owner: User, year: AdjustmentYear, kind: str = ExemptionRequest.Kind.INDIVIDUAL
) -> ExemptionRequest:
    exemption = ExemptionRequest(
        owner=owner, year=year, kind=kind, contact_email=owner.email, contact_name=owner.full_name
    )
    eps = [{"name": owner.full_name, "email": owner.email}] if kind == ExemptionRequest.Kind.INDIVIDUAL else []
    set_summary(exemption, eps)
    exemption.save()
    AffectedEP.objects.bulk_create([AffectedEP(request=exemption, position=0, **row) for row in eps])
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
    documents (ValidationError): then nothing is saved, and no file is left behind. Only what changed is written:
    a save that changes nothing writes nothing."""
    locked = _lock_draft(exemption)
    changed = draft_apply(locked, fields=fields, categories=categories, eps=eps).changed
    if _documents_store(locked, uploads=documents) or changed:
        exemption_save_version(locked, actor=actor)
    _copy_into(exemption, locked)
    return exemption


@dataclass(frozen=True)
class SubmitAttempt:
    """What `request_save_and_submit` did: the draft is saved either way; `refusal` says why it was not submitted
    (WindowClosed, NotVerified or ValidationError), else `created` is True (a second click finds the request
    submitted and raises RequestLocked before writing anything)."""

    exemption: ExemptionRequest
    created: bool
    refusal: Exception | None = None


def request_save_and_submit(
    *,
    exemption: ExemptionRequest,
    actor: User,
    at: dt.datetime,
    fields: dict,
    categories=None,
    eps: list[dict] | None = None,
    documents=(),
) -> SubmitAttempt:
    """The edit page's "Submit": save the draft as typed, then submit it if the window is open at `at`, in one
    transaction with one row lock, the row written once.

    A refused submission still keeps the edits (the attempt carries the refusal); a refused set of documents
    (ValidationError) or a request submitted meanwhile (RequestLocked) raises and saves nothing.
    """
    with atomic_with_files():
        locked = _lock_draft(exemption, actor_verified=Exists(verified_addresses(actor)))
        draft = draft_apply(locked, fields=fields, categories=categories, eps=eps)
        changed = bool(_documents_store(locked, uploads=documents)) or draft.changed
        refusal = _submit_locked(
            locked, actor=actor, at=at, categories=draft.categories, eps=draft.eps, allowed=draft.allowed
        )
        if refusal is not None and changed:
            exemption_save_version(locked, actor=actor)
    _copy_into(exemption, locked)
    return SubmitAttempt(exemption, created=refusal is None, refusal=refusal)


def _lock_draft(exemption: ExemptionRequest, **annotations) -> ExemptionRequest:
    locked = exemption_lock(exemption, **annotations)
    if locked.status != S.DRAFT:
        raise RequestLocked("This request has been submitted and can no longer be edited.")
    return locked


def _copy_into(exemption: ExemptionRequest, locked: ExemptionRequest) -> None:
    """The caller's object as the row now is, without reading it again (the lock's read plus what we wrote)."""
    for field in ExemptionRequest._meta.concrete_fields:
        setattr(exemption, field.attname, getattr(locked, field.attname))
    exemption.year = locked.year


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
    return _documents_store(exemption_lock(exemption), uploads=uploads, information_request=information_request)


def _documents_store(
    locked: ExemptionRequest, *, uploads, information_request: InformationRequest | None = None
) -> list[SupportingDocument]:
    """documents_add on a row the caller locked."""
    uploads = list(uploads)
    if not uploads:
        return []
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


def request_submit(*, exemption: ExemptionRequest, actor: User, at: dt.datetime) -> tuple[ExemptionRequest, bool]:
    """Submit a draft if the online window is open at `at`. Idempotent: returns (exemption, created).

    A second call (double click, resubmit, a concurrent POST) returns the existing submission with
    created=False and sends nothing. Refusals raise (WindowClosed, NotVerified, ValidationError) and leave the
    draft exactly as it was.
    """
    with transaction.atomic():
        locked = exemption_lock(exemption)
        if locked.status != S.DRAFT:
            if locked.submitted_at is None:
                workflow.check("submit", locked.status)
            refusal, created = None, False
        else:
            refusal, created = _submit_locked(locked, actor=actor, at=at), True
    if refusal is not None:
        raise refusal  # nothing was written: every check comes before the first write
    _copy_into(exemption, locked)
    return exemption, created


def _submit_locked(
    locked: ExemptionRequest,
    *,
    actor: User,
    at: dt.datetime,
    categories=None,
    eps: list[dict] | None = None,
    allowed: set[int] | None = None,
) -> Exception | None:
    """Submit the draft the caller locked (inside its transaction): the refusal, with nothing written, or None.

    `categories`, `eps` and the year's `allowed` category ids, when given, are what the caller just stored or read:
    not read again (nor the verified address, when the lock read it as `actor_verified`). The row is written once
    (the typed fields, the status, the reference, the registry summary), then the status history, the confirmation
    email's outbox row and the receipt's build row: all in the caller's transaction.
    """
    verified = getattr(locked, "actor_verified", None)
    if not (email_verified(actor) if verified is None else verified):
        return NotVerified("Confirm your email address before submitting: use the link we emailed you.")
    problems = request_problems(locked, categories=categories, eps=eps, allowed=allowed)
    if problems:
        return ValidationError(problems)
    state = window_state(year=locked.year, channel=Channel.ONLINE, at=at, exemption=locked)
    if not state.is_open:
        return WindowClosed(state)
    if eps is None:
        eps = list(locked.affected_eps.order_by("position", "id").values("npi", "name"))
    fields = {
        "reference": reference_issue(year=locked.year.year),
        "submitted_at": at,
        "submitted_window": state.window,
        "attestation_text": locked.year.attestation_for(locked.kind),  # what was attested, as worded then
        "registry_summary": eps_registry_summary((ep["npi"], ep["name"]) for ep in eps),
    }
    transition_locked(locked, "submit", actor=actor, at=at, fields=fields)
    outbox_enqueue(
        kind=OutboundEmail.Kind.CONFIRMATION,
        key=f"confirmation:{locked.pk}",
        recipients=[actor.email, locked.contact_email],
        request=locked,
        user=actor,
        new=True,  # a draft was never submitted (no transition leads back to draft): its key is new
    )
    stored_receipt_queue(locked)
    return None


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
