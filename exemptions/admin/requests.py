"""The staff's review tool for exemption requests: the work list and the review screen.

List: built for a million rows (see README figures): estimated counts, no facets, every relation shown named in
`list_select_related`, big text columns deferred, searches that hit B-tree or trigram indexes only.
Review screen: everything the EP submitted, read-only; the status history; a decision panel whose buttons lead
to services (with a preview of the EP's email); internal notes, the only field staff edit, optimistically locked.
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from ..identifiers import ascii_digits, mask_tin, normalized
from ..models import AffectedEP, ExemptionRequest, User
from ..paginators import EstimatedCountPaginator
from ..selectors.review import QUEUE_ORDER, stale_message
from ..services import review
from ..services.registry_checks import request_bulk_check_registry
from .review_filters import (
    CategoryFilter,
    LateLetterFilter,
    RegistryFilter,
    ReviewerFilter,
    ReviewQuerySet,
    WindowFilter,
    YearFilter,
)
from .review_forms import ReviewNotesForm
from .review_queue import QueueFilter, QueueViewsMixin, is_queue_list
from .review_views import ReviewViewsMixin

REFERENCE = re.compile(r"^[A-Z]{2}-\d{4}-\d{1,6}$", re.IGNORECASE)
RECHECK_MAX = 5000  # requests one admin action re-checks while staff wait (a few seconds); more: the command
LIST_DEFERRED = ["justification", "decision_message", "internal_notes", "cehrt_id"]


class ReviewChangeList(ChangeList):
    def __init__(self, request, *args, **kwargs):
        self.review_request = request  # before Django's __init__, which reads the ordering
        super().__init__(request, *args, **kwargs)

    def _get_default_ordering(self):
        # The header marks the order the list is in: a queue is oldest first, "All requests" newest first.
        return self.model_admin.get_ordering(self.review_request) or super()._get_default_ordering()

    def get_queryset(self, request, exclude_parameters=None):
        # The list never shows the long texts: leave them in the table.
        return super().get_queryset(request, exclude_parameters).defer(*LIST_DEFERRED)


class NotesForm(ReviewNotesForm):
    def clean(self):
        data = super().clean()
        seen = data.get("seen_version")
        if seen is not None and self.instance.version != seen:
            raise ValidationError(stale_message(self.instance))
        return data


@admin.register(ExemptionRequest)
class ExemptionRequestAdmin(QueueViewsMixin, ReviewViewsMixin, SimpleHistoryAdmin):
    # --- list: compact columns (two lines a row) so that every one fits at 1280 px with both sidebars open ---
    list_display = ["reference_or_draft", "status_badge", "ep_and_npi", "submitted_at_et", "who_when"]
    list_display_links = ["reference_or_draft"]
    list_select_related = ["year", "assigned_reviewer"]
    list_filter = [
        QueueFilter,
        "status",
        YearFilter,
        WindowFilter,
        "kind",
        CategoryFilter,
        ReviewerFilter,
        LateLetterFilter,
        RegistryFilter,
    ]
    search_fields = ["=reference", "=first_npi", "=tin", "=contact_email", "display_name"]
    search_help_text = "Reference (HX-2013-000042), NPI (10 digits), TIN (9 digits), email, or part of a name."
    date_hierarchy = "submitted_at"
    # Newest submission first, drafts last; migration 0003 indexes this order for the common filters.
    ordering = [F("submitted_at").desc(nulls_last=True), "-id"]
    sortable_by = ["reference_or_draft", "submitted_at_et", "who_when"]
    list_per_page = 100
    list_max_show_all = 500
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["assign_to_me", "approve_selected", "deny_selected", "recheck_registry"]

    # --- change form ---
    form = NotesForm
    fieldsets = [("Internal notes (staff only)", {"fields": ["internal_notes", "seen_version"]})]
    change_form_template = "admin/exemptions/exemptionrequest/change_form.html"
    change_list_template = "admin/exemptions/exemptionrequest/change_list.html"

    def get_queryset(self, request):
        queryset = ReviewQuerySet(self.model, using=self.model._default_manager.db)
        return queryset.order_by(*(self.get_ordering(request) or ()))

    def get_ordering(self, request):
        if request.GET.get("q", "").strip():
            # A search matches few rows: collect them through its own index and sort them. Ordered like the list
            # (by an expression no index serves), because the planner overestimates a trigram LIKE and would
            # otherwise walk the whole list-order index: measured 3.5 s instead of 0.13 s for a full name.
            return [Coalesce("submitted_at", "created_at").desc(), "-id"]
        if is_queue_list(request):
            return list(QUEUE_ORDER)  # a work queue: oldest submission first (indexed, see migration 0012)
        return super().get_ordering(request)

    def get_changelist(self, request, **kwargs):
        return ReviewChangeList

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        return (queryset.filter(search_condition(term)) if term else queryset), False

    # --- columns ---
    def action_checkbox(self, obj):
        # Same markup as Django's, written directly: Django renders a CheckboxInput widget through the template
        # engine for every row, the largest single cost of a 100-row page (about 1 ms a row).
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            f"Select this object for an action - {obj}",
        )

    @admin.display(description="Reference", ordering="reference")
    def reference_or_draft(self, obj):
        kind = "GPRO" if obj.kind == ExemptionRequest.Kind.GROUP else "Individual"
        return format_html(
            '{}<span class="cell-sub">{} · {}</span>', obj.reference or f"Draft #{obj.pk}", kind, obj.year
        )

    @admin.display(description="EP · NPI · TIN")
    def ep_and_npi(self, obj):
        more = f" +{obj.ep_count - 1}" if obj.ep_count > 1 else ""
        return format_html(
            '{}<span class="cell-sub"><span class="nowrap">{}{}</span> · <span class="nowrap">{}</span></span>',
            obj.display_name or "–",
            obj.first_npi or "no NPI",
            more,
            self.masked_tin(obj) or "no TIN",
        )

    @admin.display(description="Reviewer / waiting", ordering="submitted_at")
    def who_when(self, obj):
        days = self.days_waiting(obj)
        when = "–" if days == "–" else f"{'decided after' if obj.decided_at else 'waiting'} {days} d"
        return format_html('{}<span class="cell-sub">{}</span>', obj.assigned_reviewer or "nobody", when)

    @admin.display(description="Status · registry", ordering="status")
    def status_badge(self, obj):
        return format_html('{}<span class="cell-sub">{}</span>', obj.get_status_display(), self.registry(obj))

    @admin.display(description="NPI registry")
    def registry(self, obj):
        # The summary stored on the row (see services/registry_checks.py): no query per row.
        summary = ExemptionRequest.RegistrySummary
        if obj.registry_summary == summary.WARNING:
            return format_html('<strong class="registry-warning">{}</strong>', "⚠ NPI mismatch")
        return "NPIs match" if obj.registry_summary == summary.MATCH else "NPIs not checked"

    @admin.display(description="TIN")
    def masked_tin(self, obj):
        return mask_tin(obj.tin)

    @admin.display(description="Submitted (ET)", ordering="submitted_at")
    def submitted_at_et(self, obj):
        if not obj.submitted_at:
            return "–"
        local = timezone.localtime(obj.submitted_at)
        return format_html('{}<span class="cell-sub">{}</span>', f"{local:%Y-%m-%d}", f"{local:%H:%M}")

    @staticmethod
    def days_waiting(obj):
        if not obj.submitted_at:
            return "–"
        end = obj.decided_at or timezone.now()
        return (end - obj.submitted_at).days

    # --- permissions: records are kept; only services change state ---
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != ExemptionRequest.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # would delete submitted requests in bulk
        if not self.has_decide_permission(request):
            for name in ("assign_to_me", "approve_selected", "deny_selected", "recheck_registry"):
                actions.pop(name, None)
        return actions

    def revert_disabled(self, request, obj=None):
        return True  # field history is an audit trail: reverting would bypass the services

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("The history is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    # --- change form: notes only, through the service ---
    def save_model(self, request, obj, form, change):
        review.request_update_notes(
            exemption=obj,
            actor=request.user,
            internal_notes=form.cleaned_data["internal_notes"],
            expected_version=form.cleaned_data["seen_version"],
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except review.StaleRequest as exc:  # lost the race between the form check and the save
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        context = self.review_context(request, obj) if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**context, **(extra_context or {})})

    # --- bulk actions (each row through the same service as a single decision) ---
    @admin.action(description="Assign selected requests to me")
    def assign_to_me(self, request, queryset):
        result = review.request_bulk_assign(
            exemption_ids=list(queryset.values_list("pk", flat=True)), actor=request.user, reviewer=request.user
        )
        self.message_user(
            request, result.summary("assigned to you"), messages.SUCCESS if result.changed else messages.WARNING
        )

    @admin.action(description="Re-check against the NPI registry")
    def recheck_registry(self, request, queryset):
        ids = list(queryset.order_by().values_list("pk", flat=True)[: RECHECK_MAX + 1])
        if len(ids) > RECHECK_MAX:
            self.message_user(
                request,
                f"Nothing re-checked: at most {RECHECK_MAX:,} requests at a time here. For more, run "
                "manage.py registry_recheck (it re-checks every submitted request).",
                messages.WARNING,
            )
            return
        result = request_bulk_check_registry(exemption_ids=ids)
        self.message_user(request, result.summary(), messages.SUCCESS if result.checked else messages.WARNING)

    @admin.action(description="Approve selected requests…")
    def approve_selected(self, request, queryset):
        return self.bulk_decision_view(request, queryset, "approve")

    @admin.action(description="Deny selected requests with one reason…")
    def deny_selected(self, request, queryset):
        return self.bulk_decision_view(request, queryset, "deny")


def search_condition(term: str) -> Q:
    """What staff type, read as the one thing it can be, so every search uses an index.

    Django's `=field` search is `UPPER(field) = UPPER(term)`, which no plain B-tree index serves, and
    `icontains` over several columns is a sequential scan; on a million requests both cost hundreds of ms.
    """
    term = normalized(term)  # fullwidth digits typed in the search box find the ASCII ones stored
    compact = re.sub(r"[\s-]", "", term)
    if REFERENCE.match(term):
        return Q(reference=term.upper())
    if ascii_digits(compact) and len(compact) == 10:
        return Q(pk__in=AffectedEP.objects.filter(npi=compact).values("request_id"))
    if ascii_digits(compact) and len(compact) == 9:
        return Q(tin=compact)
    if "@" in term:
        owners = User.objects.filter(email=term.lower()).values("pk")
        return Q(contact_email__iexact=term) | Q(owner_id__in=owners)
    return Q(display_name__icontains=term)
