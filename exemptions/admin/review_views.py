"""The review screen's own admin pages: decide (with a preview of the EP's email), reopen, extend, downloads.

Each page checks the permission, loads the request, validates a form and calls one service through
`outcomes.service_outcome`. A refusal from the service (already decided, changed since opened, illegal
transition, missing reason) is shown to the reviewer as an error and nothing changes.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .. import reasons, workflow
from ..downloads import stored_file_download, stored_file_response
from ..emails.decisions import decision_email
from ..emails.rendering import render_email
from ..exports import export_response
from ..models import ExemptionRequest, GroupLetter, StatusChange, StoredFile, SupportingDocument
from ..outcomes import NOTHING_CHANGED, service_outcome
from ..selectors.review import (
    already_decided_message,
    ep_recipients,
    extension_candidates,
    registry_warning,
    review_screen,
)
from ..services import review
from ..windows import format_et
from .review_forms import DECISION_TITLES, BulkDecisionForm, DecisionForm, ExtensionForm, ReopenForm

WARNING = ExemptionRequest.RegistrySummary.WARNING


def _granted(extensions) -> str:
    names = ", ".join(str(extension.request) for extension in extensions)
    return f"Extension granted until {format_et(extensions[0].until, seconds=True)} for {names}."


class ReviewViewsMixin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("export.csv", wrap(self.export_view), name="exemptions_exemptionrequest_export"),
            path("<path:object_id>/review/start/", wrap(self.start_review_view), name="exemptions_review_start"),
            path("<path:object_id>/review/assign-me/", wrap(self.assign_me_view), name="exemptions_review_assign_me"),
            path("<path:object_id>/review/reopen/", wrap(self.reopen_view), name="exemptions_review_reopen"),
            path("<path:object_id>/review/extension/", wrap(self.extension_view), name="exemptions_review_extension"),
            path("<path:object_id>/review/<str:decision>/", wrap(self.decide_view), name="exemptions_review_decide"),
            path("<path:object_id>/documents/<uuid:doc_id>/", wrap(self.document_view), name="exemptions_review_doc"),
            path("<path:object_id>/letters/<uuid:letter_id>/", wrap(self.letter_view), name="exemptions_review_letter"),
            path("<path:object_id>/bundle.zip", wrap(self.bundle_view), name="exemptions_review_bundle"),
        ]
        return own + super().get_urls()

    # --- helpers ---
    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("exemptions.decide_exemptionrequest")

    def _viewable(self, request, object_id) -> ExemptionRequest:
        exemption = self.get_object(request, unquote(object_id))
        if exemption is None:
            raise Http404("No such request")
        if not self.has_view_permission(request, exemption):
            raise PermissionDenied
        return exemption

    def _decidable(self, request, object_id) -> ExemptionRequest:
        exemption = self._viewable(request, object_id)
        if not self.has_decide_permission(request):
            raise PermissionDenied
        return exemption

    def _back(self, exemption) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:exemptions_exemptionrequest_change", args=[exemption.pk]))

    def _step(self, request, exemption, service, **details) -> partial:
        """`service` for this request, by this reviewer, now: the call a page hands to `service_outcome`."""
        return partial(service, exemption=exemption, actor=request.user, at=timezone.now(), **details)

    def _page(self, request, template: str, exemption, **context) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": exemption,
            "title": context.pop("title", str(exemption)),
            **context,
        }
        return TemplateResponse(request, f"admin/exemptions/exemptionrequest/{template}", context)

    # --- review screen context (used by change_view) ---
    def review_context(self, request, exemption: ExemptionRequest) -> dict:
        decide = self.has_decide_permission(request)
        return {
            "review": {
                **review_screen(exemption, at=timezone.now()),
                "can_decide": decide,
                "can": {
                    name: decide and workflow.allowed(name, exemption.status)
                    for name in ("start_review", "request_info", "approve", "deny", "reopen")
                },
                "can_assign": decide and exemption.status in workflow.UNDECIDED,
                "can_extend": decide and request.user.has_perm("exemptions.add_extension"),
            }
        }

    # --- one-click steps ---
    def start_review_view(self, request, object_id):
        return self._one_click(request, object_id, review.request_start_review, "Review started; assigned to you.")

    def assign_me_view(self, request, object_id):
        def assign(*, exemption, actor, at, expected_version):
            return review.request_assign(
                exemption=exemption, actor=actor, reviewer=actor, expected_version=expected_version
            )

        return self._one_click(request, object_id, assign, "Assigned to you.")

    def _one_click(self, request, object_id, service, done: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        exemption = self._decidable(request, object_id)
        version = request.POST.get("version")
        step = self._step(
            request, exemption, service, expected_version=int(version) if version and version.isdigit() else None
        )
        service_outcome(request, step, refusals=review.REFUSALS, success=f"{exemption}: {done}")
        return self._back(exemption)

    # --- decisions with preview ---
    def decide_view(self, request, object_id, decision):
        if decision not in DECISION_TITLES:
            raise Http404("Unknown decision")
        exemption = self._decidable(request, object_id)
        if exemption.status in workflow.FINAL:  # never a decision form for a decided request, nor a forged POST
            self.message_user(
                request,
                f"{NOTHING_CHANGED}{already_decided_message(exemption)} Reopen it first if the decision was wrong.",
                messages.ERROR,
            )
            return self._back(exemption)
        form = DecisionForm(
            request.POST if request.method == "POST" else None,
            decision=decision,
            initial={"version": exemption.version},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if "_confirm" in request.POST:
                return self._decide(request, exemption, decision, data)
            if "_edit" not in request.POST:
                return self._decision_preview_page(request, exemption, decision, form)
        return self._decision_form_page(request, exemption, decision, form)

    def _decision_preview_page(self, request, exemption, decision, form, **extra):
        """ "Check before sending": the EP's email as it will be sent (the decision page and the queue's panel)."""
        data = form.cleaned_data
        return self._page(
            request,
            "review_preview.html",
            exemption,
            title=f"Check before sending: {DECISION_TITLES[decision].lower()} {exemption}",
            form=form,
            decision=decision,
            preview=self.preview(exemption, decision, data["message"], data.get("reply_by")),
            registry_warning=registry_warning(exemption),
            **extra,
        )

    def _decision_form_page(self, request, exemption, decision, form, **extra):
        return self._page(
            request,
            "review_decide.html",
            exemption,
            title=f"{DECISION_TITLES[decision]}: {exemption}",
            form=form,
            decision=decision,
            defaults={r.code: r.default_message for r in reasons.reasons_for(decision)},
            registry_warning=registry_warning(exemption),  # a warning, never a block: the reviewer decides
            **extra,
        )

    def _decide(self, request, exemption, decision, data):
        if decision == reasons.Decision.REQUEST_INFO:
            service = partial(review.request_ask_for_information, reply_by=data.get("reply_by"))
        else:
            service = partial(review.request_decide, decision=decision)
        step = self._step(
            request,
            exemption,
            service,
            reason_code=data["reason_code"],
            message=data["message"],
            internal_note=data["internal_note"],
            expected_version=data["version"],
        )

        def done(change: StatusChange) -> str:
            return f"{exemption}: {change.get_to_status_display().lower()}. The EP's email is queued."

        service_outcome(request, step, refusals=review.REFUSALS, refused_prefix=NOTHING_CHANGED, success=done)
        return self._back(exemption)

    @staticmethod
    def preview(exemption: ExemptionRequest, decision: str, message: str, reply_by=None) -> dict:
        """Exactly what the EP will receive: rendered by the same function the outbox uses."""
        target = workflow.TRANSITIONS[decision].target
        change = StatusChange(request=exemption, to_status=target, message_to_ep=message, at=timezone.now())
        name, context = decision_email(exemption, change, reply_by=reply_by)
        email = render_email(name, context, to=ep_recipients(exemption))
        return {
            "subject": email.subject,
            "to": email.to,
            # As text: render_to_string marks its output safe HTML, so a staff message holding "<b>" would be
            # shown as markup. A plain str is escaped by the page (in a <pre>, line breaks kept).
            "body": str.__str__(email.body),
            "ep_status": workflow.ep_label(change.to_status),
        }

    # --- bulk decision (admin action with an intermediate page) ---
    def bulk_decision_view(self, request, queryset, decision):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        form = BulkDecisionForm(request.POST if "_bulk" in request.POST else None, decision=decision)
        selected = list(queryset.order_by("pk")[:1001])
        if form.is_bound and form.is_valid() and "_confirm" in request.POST:
            result = review.request_bulk_decide(
                exemption_ids=list(queryset.values_list("pk", flat=True)),
                decision=decision,
                actor=request.user,
                at=timezone.now(),
                reason_code=form.cleaned_data["reason_code"],
                message=form.cleaned_data["message"],
            )
            verb = "approved" if decision == reasons.Decision.APPROVE else "denied"
            self.message_user(request, result.summary(verb), messages.SUCCESS if result.changed else messages.WARNING)
            return None
        preview = None
        if form.is_bound and form.is_valid() and selected:
            preview = self.preview(selected[0], decision, form.cleaned_data["message"])
        return self._page(
            request,
            "review_bulk.html",
            None,
            title=f"{DECISION_TITLES[decision]} {len(selected)} request(s)",
            form=form,
            decision=decision,
            action=request.POST.get("action"),
            selected=selected[:1000],
            registry_warnings=sum(e.registry_summary == WARNING for e in selected[:1000]),
            preview=preview,
            defaults={r.code: r.default_message for r in reasons.reasons_for(decision)},
        )

    # --- reopen and extension ---
    def reopen_view(self, request, object_id):
        exemption = self._decidable(request, object_id)
        form = ReopenForm(request.POST or None, initial={"version": exemption.version})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            step = self._step(
                request, exemption, review.request_reopen, reason=data["reason"], expected_version=data["version"]
            )
            done = f"{exemption} reopened: it is under review again."
            service_outcome(request, step, refusals=review.REFUSALS, refused_prefix=NOTHING_CHANGED, success=done)
            return self._back(exemption)
        return self._page(
            request, "review_form.html", exemption, title=f"Reopen {exemption}", form=form, button="Reopen"
        )

    def extension_view(self, request, object_id):
        exemption = self._decidable(request, object_id)
        if not request.user.has_perm("exemptions.add_extension"):
            raise PermissionDenied
        form = ExtensionForm(request.POST or None, exemption=exemption, candidates=extension_candidates(exemption))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            step = partial(
                review.extension_grant,
                actor=request.user,
                exemptions=list(data["exemptions"]),
                until=data["until"],
                reason=data["reason"],
                at=timezone.now(),
            )
            if service_outcome(request, step, refusals=review.ReviewError, success=_granted, form=form):
                return self._back(exemption)
        return self._page(
            request,
            "review_form.html",
            exemption,
            title=f"Grant an extension: {exemption}",
            form=form,
            button="Grant extension",
        )

    # --- downloads ---
    def document_view(self, request, object_id, doc_id):
        exemption = self._viewable(request, object_id)
        document = get_object_or_404(SupportingDocument, public_id=doc_id, request=exemption)
        return stored_file_download(document.file, filename=document.download_name, content_type=document.content_type)

    def letter_view(self, request, object_id, letter_id):
        exemption = self._viewable(request, object_id)
        letter = get_object_or_404(GroupLetter, public_id=letter_id, request=exemption)
        letter.request = exemption  # download_name reads the reference: no second query
        return stored_file_download(letter.file, filename=letter.download_name, content_type="application/pdf")

    def bundle_view(self, request, object_id):
        exemption = self._viewable(request, object_id)
        if exemption.submitted_at is None:
            raise Http404("A draft has no audit bundle")
        back = reverse("admin:exemptions_exemptionrequest_change", args=[exemption.pk])
        return stored_file_response(request, exemption, StoredFile.Kind.BUNDLE, back_url=back)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters as exc:  # the list itself redirects to "?e=1"; a file cannot
            return HttpResponseBadRequest(f"The list's filters are not valid: {exc}", content_type="text/plain")
        full_tin = request.user.has_perm("exemptions.export_full_tin")
        return export_response(changelist.queryset, full_tin=full_tin)
