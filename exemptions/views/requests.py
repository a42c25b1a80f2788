"""The EP's own pages. Every object is loaded through an owner-scoped helper: anyone else gets 404."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import workflow
from ..downloads import stored_file_download, stored_file_response
from ..forms import InformationResponseForm, WithdrawForm, year_number
from ..models import AdjustmentYear, ExemptionRequest, StoredFile, SupportingDocument
from ..outcomes import service_outcome
from ..selectors import online_year_choices, request_rows
from ..services import requests as services
from ..services.stored_files import stored_files_refresh
from ..urgency import received_words
from ..windows import window_state
from .registry import ep_findings

S = ExemptionRequest.Status


def owned_request(request, public_id, **filters) -> ExemptionRequest:
    return get_object_or_404(
        ExemptionRequest.objects.select_related("year"), public_id=public_id, owner=request.user, **filters
    )


@login_required
def dashboard(request):
    return render(request, "exemptions/dashboard.html", {"rows": request_rows(owner=request.user, at=timezone.now())})


@login_required
def request_start(request):
    now = timezone.now()
    if request.method == "POST":
        number = year_number(request.POST.get("year"))
        if number is None:
            messages.error(request, "Choose the adjustment year of your request.")
            return redirect("exemptions:request_start")
        year = get_object_or_404(AdjustmentYear, year=number)
        choice = next((c for c in online_year_choices(at=now) if c.year.pk == year.pk), None)
        if choice is None or not choice.selectable:
            messages.error(request, f"Requests for {year.year} can no longer be started: the window has closed.")
            return redirect("exemptions:request_start")
        draft = services.request_create(owner=request.user, year=year)
        return redirect("exemptions:request_step", draft.public_id, "eps")
    return render(request, "exemptions/request_start.html", {"choices": online_year_choices(at=now)})


@login_required
def request_detail(request, public_id):
    exemption = owned_request(request, public_id)
    history = exemption.status_changes.select_related("actor").order_by("at", "id")
    state = window_state(year=exemption.year, channel=exemption.channel, at=timezone.now(), exemption=exemption)
    return render(
        request,
        "exemptions/request_detail.html",
        {
            "obj": exemption,
            "history": history,
            "window": state,
            "eps": ep_findings(exemption.affected_eps.all()),
            "categories": exemption.categories.all(),
            "documents": exemption.documents.all(),
            "questions": exemption.information_requests.all(),
            "ep_status": workflow.ep_label(exemption.status),
            "can_withdraw": workflow.allowed("withdraw", exemption.status),
            "can_respond": exemption.status == S.INFO_REQUESTED,
            "files": stored_files_refresh(exemption=exemption),
        },
    )


@login_required
def request_submitted(request, public_id):
    exemption = owned_request(request, public_id, submitted_at__isnull=False)
    files = stored_files_refresh(exemption=exemption)
    context = {"obj": exemption, "files": files, "received_before_close": received_words(exemption)}
    return render(request, "exemptions/request_submitted.html", context)


@login_required
def request_delete(request, public_id):
    draft = owned_request(request, public_id, status=S.DRAFT)
    if request.method == "POST":
        services.request_delete_draft(exemption=draft)
        messages.success(request, "The draft was deleted.")
        return redirect("exemptions:dashboard")
    return render(request, "exemptions/request_delete.html", {"obj": draft})


@login_required
def request_withdraw(request, public_id):
    exemption = owned_request(request, public_id)
    if not workflow.allowed("withdraw", exemption.status):
        messages.error(
            request, "This request can no longer be withdrawn: a decision has been made or it was already withdrawn."
        )
        return redirect("exemptions:request_detail", exemption.public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_withdraw(
            exemption=exemption, actor=request.user, at=timezone.now(), reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"Request {exemption.reference} was withdrawn.")
        return redirect("exemptions:request_detail", exemption.public_id)
    return render(request, "exemptions/request_withdraw.html", {"obj": exemption, "form": form})


@login_required
def request_respond(request, public_id):
    exemption = owned_request(request, public_id)
    if exemption.status != S.INFO_REQUESTED:
        return redirect("exemptions:request_detail", exemption.public_id)
    question = exemption.information_requests.filter(answered_at__isnull=True).first()
    form = InformationResponseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        respond = partial(
            services.request_respond,
            exemption=exemption,
            actor=request.user,
            at=timezone.now(),
            answer=form.cleaned_data["answer"],
            documents=form.cleaned_data["documents"],
        )
        sent = "Thank you: your answer was sent to CMS."
        if service_outcome(request, respond, refusals=ValidationError, success=sent, form=form, field="documents"):
            return redirect("exemptions:request_detail", exemption.public_id)
    return render(request, "exemptions/request_respond.html", {"obj": exemption, "form": form, "question": question})


@login_required
def request_receipt(request, public_id):
    exemption = owned_request(request, public_id, submitted_at__isnull=False)
    back = reverse("exemptions:request_detail", args=[exemption.public_id])
    return stored_file_response(request, exemption, StoredFile.Kind.RECEIPT, back_url=back)


@login_required
def document_download(request, public_id):
    document = get_object_or_404(
        SupportingDocument.objects.select_related("request"), public_id=public_id, request__owner=request.user
    )
    return stored_file_download(document.file, filename=document.download_name, content_type=document.content_type)


@login_required
@require_POST
def document_delete(request, public_id):
    document = get_object_or_404(
        SupportingDocument, public_id=public_id, request__owner=request.user, request__status=S.DRAFT
    )
    target = document.request.public_id
    services.document_remove(document=document)
    messages.success(request, f"“{document.original_name}” was removed.")
    return redirect("exemptions:request_step", target, "hardship")
