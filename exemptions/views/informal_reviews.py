"""The EP's informal review pages. Every review is loaded through `owned_review`: anyone else gets 404."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import workflow
from ..documents.informal_reviews import informal_review_receipt_pdf
from ..downloads import content_download, stored_file_download
from ..forms import year_number
from ..forms_informal import InformalReviewForm
from ..identifiers import mask_tin
from ..models import AdjustmentYear, InformalReview, InformalReviewDocument
from ..outcomes import service_outcome
from ..selectors.informal_reviews import review_year, review_years
from ..services import informal_reviews as services
from ..services.requests import email_verified
from ..services.uploads import atomic_with_files
from ..windows import format_clock_et


def owned_review(request, public_id) -> InformalReview:
    return get_object_or_404(InformalReview.objects.select_related("year"), public_id=public_id, owner=request.user)


def informal_review_start(request):
    """Public: what an informal review is, each year's windows, and (signed in) a button to start one."""
    now = timezone.now()
    if request.method == "POST":
        return _start(request, now)
    return render(request, "informal_reviews/start.html", {"years": review_years(at=now)})


@login_required
def _start(request, now):
    number = year_number(request.POST.get("year"))
    year = get_object_or_404(AdjustmentYear, year=number) if number else None
    if year is None:
        messages.error(request, "Choose the adjustment year whose payment adjustment you want reviewed.")
        return redirect("exemptions:informal_review_start")
    found = review_year(year=year, at=now)
    if not found.can_start:
        if found.has_window:
            messages.error(
                request,
                f"Informal reviews of the {year.year} adjustment can no longer be started: {found.words}.",
            )
        else:
            messages.error(request, found.words)
        return redirect("exemptions:informal_review_start")
    draft = services.review_create(owner=request.user, year=year)
    return redirect("exemptions:informal_review_edit", draft.public_id)


@login_required
def informal_review_edit(request, public_id):
    draft = owned_review(request, public_id)
    if not draft.is_draft:
        return redirect("exemptions:informal_review_detail", draft.public_id)
    if request.method == "POST":
        form = InformalReviewForm(request.POST, request.FILES, instance=draft)
        if form.is_valid():
            # One commit for save + submit: a refused submit rolls back only its own savepoint, never the draft.
            with atomic_with_files():
                return _save_and_maybe_submit(request, draft, form)
        status = 400
    else:
        form = InformalReviewForm(instance=draft)
        status = 200
    return _render_edit(request, draft, form, status=status)


def _save_and_maybe_submit(request, draft, form):
    fields = {k: v for k, v in form.cleaned_data.items() if k != "documents"}
    save = partial(
        services.review_save_draft,
        review=draft,
        actor=request.user,
        fields=fields,
        documents=form.cleaned_data["documents"],
    )
    try:
        saved = service_outcome(request, save, refusals=ValidationError, success=None, form=form, field="documents")
    except services.ReviewLocked:  # submitted from another tab meanwhile
        return redirect("exemptions:informal_review_detail", draft.public_id)
    if not saved:
        return _render_edit(request, draft, form, status=400)
    if request.POST.get("action") != "submit":
        messages.success(request, f"Draft saved at {format_clock_et(timezone.now())}.")
        return redirect("exemptions:informal_review_edit", draft.public_id)
    outcome = service_outcome(
        request,
        partial(services.review_submit, review=draft, actor=request.user, at=timezone.now()),
        refusals=(services.ReviewWindowClosed, services.NotVerified, ValidationError),
        refused_prefix="Your draft is saved, but it was not submitted. ",
        success=None,
    )
    if not outcome:
        return redirect("exemptions:informal_review_edit", draft.public_id)
    submitted, _created = outcome.result
    messages.success(request, f"Informal review {submitted.reference} submitted. We emailed you a confirmation.")
    return redirect("exemptions:informal_review_detail", submitted.public_id)


def _render_edit(request, draft, form, status=200):
    context = {
        "draft": draft,
        "form": form,
        "year": review_year(year=draft.year, at=timezone.now()),
        "documents": draft.documents.all(),
        "verified": email_verified(request.user),
        "error_count": len(form.errors),
    }
    return render(request, "informal_reviews/edit.html", context, status=status)


@login_required
def informal_review_detail(request, public_id):
    review = owned_review(request, public_id)
    context = {
        "review": review,
        "ep_status": workflow.INFORMAL_REVIEW_EP_LABELS[review.status],
        "masked_tin": mask_tin(review.tin),
        "documents": review.documents.all(),
        "year": review_year(year=review.year, at=timezone.now()),
    }
    return render(request, "informal_reviews/detail.html", context)


@login_required
def informal_review_receipt(request, public_id):
    review = owned_review(request, public_id)
    if review.submitted_at is None:
        return redirect("exemptions:informal_review_edit", review.public_id)
    pdf = informal_review_receipt_pdf(review)
    return content_download(pdf, filename=f"receipt-{review.reference}.pdf", content_type="application/pdf")


def owned_document(request, public_id) -> InformalReviewDocument:
    return get_object_or_404(
        InformalReviewDocument.objects.select_related("review"), public_id=public_id, review__owner=request.user
    )


@login_required
def informal_review_document(request, public_id):
    document = owned_document(request, public_id)
    return stored_file_download(document.file, filename=document.download_name, content_type=document.content_type)


@login_required
@require_POST
def informal_review_document_delete(request, public_id):
    document = owned_document(request, public_id)
    review = document.review
    service_outcome(
        request,
        partial(services.document_remove, document=document),
        refusals=services.ReviewLocked,
        success=f"Removed {document.original_name}.",
    )
    return redirect("exemptions:informal_review_edit", review.public_id)


@login_required
@require_POST
def informal_review_delete(request, public_id):
    draft = owned_review(request, public_id)
    if service_outcome(
        request,
        partial(services.review_delete_draft, review=draft),
        refusals=services.ReviewLocked,
        success="The informal review draft was deleted.",
    ):
        return redirect("exemptions:dashboard")
    return redirect("exemptions:informal_review_detail", draft.public_id)


urlpatterns = [
    path("informal-review/", informal_review_start, name="informal_review_start"),
    path("informal-reviews/<uuid:public_id>/", informal_review_detail, name="informal_review_detail"),
    path("informal-reviews/<uuid:public_id>/edit/", informal_review_edit, name="informal_review_edit"),
    path("informal-reviews/<uuid:public_id>/delete/", informal_review_delete, name="informal_review_delete"),
    path("informal-reviews/<uuid:public_id>/receipt.pdf", informal_review_receipt, name="informal_review_receipt"),
    path("informal-reviews/documents/<uuid:public_id>/", informal_review_document, name="informal_review_document"),
    path(
        "informal-reviews/documents/<uuid:public_id>/delete/",
        informal_review_document_delete,
        name="informal_review_document_delete",
    ),
]
