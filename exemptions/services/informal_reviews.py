"""Informal reviews of a payment adjustment: the EP's draft, its documents and submission; staff review and decision.

Built like a hardship request (services/requests.py) and sharing its machinery: the window rule
(`windows.informal_review_state`), the reference counter (series "IR"), the upload checks and rollback-safe file
writes (`services/uploads`), the outbox. Every change locks the row first, so a double POST, two tabs or two
reviewers cannot both act.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import workflow
from ..models import AdjustmentYear, InformalReview, InformalReviewDocument, OutboundEmail, User
from ..windows import State, WindowState, informal_review_state
from .outbox import outbox_enqueue
from .references import reference_issue
from .requests import NotVerified, email_verified
from .uploads import atomic_with_files, documents_check, upload_store

S = InformalReview.Status
REFERENCE_PREFIX = "IR"
MAX_NPIS = 50  # one TIN's EPs on one request; more is a CSV job for CMS, not a form
DRAFT_FIELDS = ("tin", "npis", "reason", "contact_email")
DECISIONS = {"uphold": S.UPHELD, "reverse": S.REVERSED}


class ReviewLocked(Exception):
    """Only a draft can be edited or deleted."""


class ReviewWindowClosed(Exception):
    """Submission refused by the window rule (or no window for the year); the draft is untouched."""

    def __init__(self, state: WindowState, year: AdjustmentYear):
        self.state = state
        self.year = year
        super().__init__(window_refusal(state, year))


class DecisionRefused(Exception):
    """A staff decision that cannot be made (no reason, already decided); nothing changed."""


def window_refusal(state: WindowState, year: AdjustmentYear) -> str:
    """The one wording of "an informal review of this year cannot be submitted now"."""
    if state.state is State.NO_WINDOW:
        return (
            f"CMS did not publish an informal review window for the {year.year} payment adjustment, so an informal "
            "review of it cannot be submitted here."
        )
    return f"The informal review window for the {year.year} payment adjustment is not open. {state.describe()}."


def review_lock(review: InformalReview) -> InformalReview:
    """The row, locked for the caller's transaction (its year read in the same query, not locked)."""
    return InformalReview.objects.select_for_update(of=("self",)).select_related("year", "owner").get(pk=review.pk)


def _save(locked: InformalReview, *, actor: User | None, reason: str = "") -> None:
    locked._history_user = actor  # the audit trail (django-simple-history) names who did it
    if reason:
        locked._change_reason = reason[:100]
    locked.save()


@transaction.atomic
def review_create(*, owner: User, year: AdjustmentYear) -> InformalReview:
    review = InformalReview(owner=owner, year=year, contact_email=owner.email)
    _save(review, actor=owner, reason="created")
    return review


@atomic_with_files
def review_save_draft(*, review: InformalReview, actor: User, fields: dict, documents=()) -> InformalReview:
    """Save whatever was typed (complete or not) and add documents. Refused for a non-draft (ReviewLocked) or a
    refused set of documents (ValidationError): then nothing is saved and no file is left behind."""
    locked = review_lock(review)
    if locked.status != S.DRAFT:
        raise ReviewLocked("This informal review has been submitted and can no longer be edited.")
    for name in DRAFT_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    _save(locked, actor=actor, reason="draft saved")
    documents_add(review=locked, uploads=documents)
    review.refresh_from_db()
    return review


@atomic_with_files
def documents_add(*, review: InformalReview, uploads) -> list[InformalReviewDocument]:
    """Check the set as a whole (count under the row lock, each file by its content), then store each file."""
    uploads = list(uploads)
    if not uploads:
        return []
    locked = review_lock(review)
    types = documents_check(uploads, existing=locked.documents.count())
    return [
        upload_store(InformalReviewDocument(review=locked), upload, content_type=content_type)
        for upload, content_type in zip(uploads, types, strict=True)
    ]


@transaction.atomic
def document_remove(*, document: InformalReviewDocument) -> None:
    locked = review_lock(document.review)
    if locked.status != S.DRAFT:
        raise ReviewLocked("Documents of a submitted informal review are kept as submitted.")
    transaction.on_commit(partial(document.file.storage.delete, document.file.name), robust=True)
    document.delete()


@transaction.atomic
def review_delete_draft(*, review: InformalReview) -> None:
    locked = review_lock(review)
    if locked.status != S.DRAFT:
        raise ReviewLocked("Only a draft can be deleted.")
    for document in locked.documents.all():
        transaction.on_commit(partial(document.file.storage.delete, document.file.name), robust=True)
    locked.delete()


def review_problems(review: InformalReview) -> list[str]:
    """What a complete informal review holds; each missing piece in words."""
    problems = []
    if not review.tin:
        problems.append("Enter the TIN the adjustment was applied to.")
    if not review.npis:
        problems.append("Enter at least one NPI.")
    elif len(review.npis) > MAX_NPIS:
        problems.append(f"An informal review may list at most {MAX_NPIS} NPIs.")
    if not (review.reason or "").strip():
        problems.append("Explain why you believe the payment adjustment is wrong.")
    if not review.contact_email:
        problems.append("Enter the email address CMS should write to.")
    return problems


@transaction.atomic
def review_submit(*, review: InformalReview, actor: User, at: dt.datetime) -> tuple[InformalReview, bool]:
    """Submit a draft if the year's informal review window is open at `at`. Idempotent: (review, created).

    A second call (double click, a concurrent POST) returns the existing submission with created=False and sends
    nothing. Refusals raise (ReviewWindowClosed, NotVerified, ValidationError) and leave the draft as it was.
    """
    locked = review_lock(review)
    if locked.status != S.DRAFT:
        review.refresh_from_db()
        return review, False
    if not email_verified(actor):
        raise NotVerified("Confirm your email address before submitting: use the link we emailed you.")
    problems = review_problems(locked)
    if problems:
        raise ValidationError(problems)
    state = informal_review_state(year=locked.year, at=at)
    if not state.is_open:
        raise ReviewWindowClosed(state, locked.year)
    workflow.informal_review_check("submit", locked.status)
    locked.status = S.SUBMITTED
    locked.reference = reference_issue(year=locked.year.year, prefix=REFERENCE_PREFIX)
    locked.submitted_at = at
    locked.submitted_window = state.window
    _save(locked, actor=actor, reason="submitted")
    outbox_enqueue(
        kind=OutboundEmail.Kind.INFORMAL_REVIEW_CONFIRMATION,
        key=f"informal-review-confirmation:{locked.pk}",
        recipients=[actor.email, locked.contact_email],
        user=actor,
        context={"informal_review": locked.pk},
    )
    review.refresh_from_db()
    return review, True


@transaction.atomic
def review_start(*, review: InformalReview, actor: User, at: dt.datetime) -> InformalReview:
    """Staff take a submitted informal review into review (audited)."""
    locked = review_lock(review)
    workflow.informal_review_check("start_review", locked.status)
    locked.status = S.IN_REVIEW
    _save(locked, actor=actor, reason="review started")
    review.refresh_from_db()
    return review


@transaction.atomic
def review_decide(*, review: InformalReview, decision: str, actor: User, at: dt.datetime, message: str) -> bool:
    """Uphold or reverse the adjustment (final), with the reason the EP reads; the EP is emailed once.

    Returns False (nothing changed, nothing sent) when the review already carries this very decision: a second
    click. Raises DecisionRefused for no reason or another decision already made, TransitionNotAllowed otherwise.
    """
    if decision not in DECISIONS:
        raise ValueError(f"Not a decision: {decision!r}")
    message = (message or "").strip()
    if not message:
        raise DecisionRefused("Write the reason the EP will read: it cannot be empty.")
    locked = review_lock(review)
    if locked.status == DECISIONS[decision]:
        return False
    if locked.is_decided:
        raise DecisionRefused(f"Informal review {locked} was already decided ({locked.get_status_display()}).")
    workflow.informal_review_check(decision, locked.status)
    locked.status = DECISIONS[decision]
    locked.decided_at = at
    locked.decided_by = actor
    locked.decision_message = message
    _save(locked, actor=actor, reason=f"{decision}: {message}")
    outbox_enqueue(
        kind=OutboundEmail.Kind.INFORMAL_REVIEW_DECISION,
        key=f"informal-review-decision:{locked.pk}",
        recipients=[locked.owner.email, locked.contact_email],
        user=locked.owner,
        context={"informal_review": locked.pk},
    )
    review.refresh_from_db()
    return True
