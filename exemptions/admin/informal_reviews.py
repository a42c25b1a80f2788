"""The staff's queue of informal reviews and their decisions (adjustment upheld or reversed).

Everything the EP sent is read-only; staff edit only internal notes. Starting a review and deciding go through
services/informal_reviews (row lock, workflow check, audit trail in the history, one decision email).
"""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from ..downloads import stored_file_download
from ..identifiers import mask_tin
from ..models import InformalReview, InformalReviewDocument, InformalReviewWindow
from ..outcomes import NOTHING_CHANGED, service_outcome
from ..services import informal_reviews as services
from ..windows import describe_window, format_et
from ..workflow import TransitionNotAllowed

S = InformalReview.Status
DECISION_TITLES = {"uphold": "Uphold the adjustment", "reverse": "Reverse the adjustment"}


@admin.register(InformalReviewWindow)
class InformalReviewWindowAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "opens_at_et", "closes_at_et", "opening_published", "state_now"]
    list_select_related = ["year"]
    fields = ["year", "opens_at", "opening_published", "closes_at", "timing_note", "staff_note"]

    @admin.display(description="Opens (ET)", ordering="opens_at")
    def opens_at_et(self, obj):
        return format_et(obj.opens_at)

    @admin.display(description="Closes (ET)", ordering="closes_at")
    def closes_at_et(self, obj):
        return format_et(obj.closes_at)

    @admin.display(description="Now")
    def state_now(self, obj):
        return describe_window(obj, timezone.now())[1]


class DecisionForm(forms.Form):
    message = forms.CharField(
        label="Reason the EP will read",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Sent by email and shown on the EP's page. Internal notes are never sent.",
    )


@admin.register(InformalReview)
class InformalReviewAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "year", "status", "masked_tin", "npi_count", "submitted_at", "decided_at"]
    list_filter = ["status", "year"]
    list_select_related = ["year"]
    search_fields = ["=reference", "=tin"]
    ordering = ["-submitted_at"]
    actions = ["start_review"]
    fields = [
        "reference",
        "status",
        "year",
        "owner",
        "masked_tin",
        "npi_list",
        "reason",
        "contact_email",
        "document_links",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decision_message",
        "decision_buttons",
        "internal_notes",
    ]
    readonly_fields = [f for f in fields if f != "internal_notes"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=S.DRAFT)  # a draft is the EP's own business

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("exemptions.decide_informalreview")

    @admin.display(description="TIN")
    def masked_tin(self, obj):
        return mask_tin(obj.tin)

    @admin.display(description="NPIs")
    def npi_count(self, obj):
        return len(obj.npis)

    @admin.display(description="NPIs")
    def npi_list(self, obj):
        return ", ".join(obj.npis)

    @admin.display(description="Documents")
    def document_links(self, obj):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:exemptions_informal_review_doc", args=[obj.pk, d.public_id]), d.original_name)
                for d in obj.documents.all()
            ),
        )

    @admin.display(description="Decide")
    def decision_buttons(self, obj):
        if obj.is_decided:
            return "Decided (final)."
        links = [
            (reverse("admin:exemptions_informal_review_decide", args=[obj.pk, name]), title)
            for name, title in DECISION_TITLES.items()
        ]
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path(
                "<path:object_id>/decide/<str:decision>/",
                wrap(self.decide_view),
                name="exemptions_informal_review_decide",
            ),
            path(
                "<path:object_id>/documents/<uuid:doc_id>/",
                wrap(self.document_view),
                name="exemptions_informal_review_doc",
            ),
        ]
        return own + super().get_urls()

    @admin.action(description="Start the review of the selected informal reviews")
    def start_review(self, request, queryset):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        started = 0
        for review in queryset.filter(status=S.SUBMITTED):
            services.review_start(review=review, actor=request.user, at=timezone.now())
            started += 1
        messages.success(request, f"Review started for {started} informal review(s).")

    def decide_view(self, request, object_id, decision):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        if decision not in DECISION_TITLES:
            raise Http404("No such decision")
        review = get_object_or_404(InformalReview.objects.select_related("year", "owner"), pk=unquote(object_id))
        change_url = reverse("admin:exemptions_informalreview_change", args=[review.pk])
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            outcome = service_outcome(
                request,
                partial(
                    services.review_decide,
                    review=review,
                    decision=decision,
                    actor=request.user,
                    at=timezone.now(),
                    message=form.cleaned_data["message"],
                ),
                refusals=(services.DecisionRefused, TransitionNotAllowed),
                refused_prefix=NOTHING_CHANGED,
                success=lambda changed: (
                    f"{review}: decision recorded; the EP is emailed."
                    if changed
                    else f"{review} already had this decision: nothing changed, nothing sent."
                ),
            )
            if outcome:
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{DECISION_TITLES[decision]}: {review}",
            "review": review,
            "form": form,
            "decision": decision,
            "change_url": change_url,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "informal_reviews/admin_decide.html", context)

    def document_view(self, request, object_id, doc_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(InformalReviewDocument, review_id=unquote(object_id), public_id=doc_id)
        return stored_file_download(document.file, filename=document.download_name, content_type=document.content_type)
