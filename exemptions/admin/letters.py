"""GPRO letters for staff: print many as one PDF, record letters received (by reference or QR scan), batches."""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..downloads import stored_file_download
from ..forms_groups import ReceivedForm
from ..identifiers import mask_tin
from ..models import GroupLetter, PrintBatch
from ..models.letters import GroupMailing
from ..outcomes import service_outcome
from ..services import groups as services
from ..workflow import TransitionNotAllowed


class LateFilter(admin.SimpleListFilter):
    """GroupMailingQuerySet's lateness rule (the same as the review list's "late letter" filter)."""

    title = "after the postmark deadline"
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", "Mailed or postmarked late"), ("no", "On time or not mailed yet")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.late()
        if self.value() == "no":
            return queryset.on_time()
        return queryset


@admin.register(GroupMailing)
class GroupMailingAdmin(admin.ModelAdmin):
    change_list_template = "admin/exemptions/groupmailing/change_list.html"
    list_display = [
        "reference",
        "group_name",
        "masked_tin",
        "ep_count",
        "status",
        "letter",
        "mailed_on",
        "late",
        "received_on",
        "postmarked_on",
    ]
    list_filter = ["status", LateFilter, "year"]
    list_select_related = ["year"]
    search_fields = ["=reference", "^group_name", "=tin"]
    show_full_result_count = False
    ordering = ["-reference"]
    actions = ["print_with_cover", "print_without_cover"]
    fieldsets = [
        (None, {"fields": ["reference", "status", "year", "owner", "group_name", "masked_tin", "ep_count"]}),
        ("Mailing", {"fields": ["mailed_on", "received_on", "postmarked_on", "late", "letter_versions"]}),
    ]
    readonly_fields = [
        "reference",
        "status",
        "year",
        "owner",
        "group_name",
        "masked_tin",
        "ep_count",
        "mailed_on",
        "received_on",
        "postmarked_on",
        "late",
        "letter_versions",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_lateness()
            .prefetch_related(Prefetch("letters", queryset=GroupLetter.objects.order_by("-version")))
        )

    def has_add_permission(self, request):
        return False  # groups create their requests; staff only print and receive

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="TIN")
    def masked_tin(self, obj):
        return mask_tin(obj.tin)

    @admin.display(description="Letter")
    def letter(self, obj):
        latest = next(iter(obj.letters.all()), None)
        if latest is None:
            return "–"
        if latest.status != GroupLetter.Status.READY:
            return f"v{latest.version} {latest.get_status_display().lower()}"
        url = reverse("admin:exemptions_groupmailing_letter", args=[latest.public_id])
        return format_html('<a href="{}">v{} PDF</a> ({} p.)', url, latest.version, latest.page_count)

    @admin.display(description="Late", boolean=True)
    def late(self, obj):
        return obj.late if obj.letter_day and obj.letter_deadline else None  # unknown until mailed

    @admin.display(description="Letter versions")
    def letter_versions(self, obj):
        rows = [
            format_html(
                '<li><a href="{}">version {}</a>, {} pages, SHA-256 <code>{}</code></li>',
                reverse("admin:exemptions_groupmailing_letter", args=[x.public_id]),
                x.version,
                x.page_count,
                x.sha256,
            )
            if x.status == GroupLetter.Status.READY
            else format_html("<li>version {}: {} {}</li>", x.version, x.get_status_display(), x.error)
            for x in obj.letters.all()
        ]
        return format_html("<ul>{}</ul>", mark_safe("".join(rows))) if rows else "–"  # noqa: S308 (each row escaped)

    @admin.action(description="Print the selected letters as one PDF (with a cover sheet)", permissions=["view"])
    def print_with_cover(self, request, queryset):
        self._print(request, queryset, cover=True)

    @admin.action(description="Print the selected letters as one PDF (no cover sheet)", permissions=["view"])
    def print_without_cover(self, request, queryset):
        self._print(request, queryset, cover=False)

    def _print(self, request, queryset, *, cover: bool) -> None:
        create = partial(
            services.print_batch_create, exemptions=queryset, actor=request.user, include_cover_sheet=cover
        )
        outcome = service_outcome(request, create, refusals=ValidationError, success=None)
        if not outcome:
            return
        batch = outcome.result
        batch.refresh_from_db()  # a small batch was built right after the service's commit
        count = batch.letters.count()
        if batch.status == PrintBatch.Status.READY:
            url = reverse("admin:exemptions_printbatch_download", args=[batch.pk])
            self.message_user(
                request,
                format_html(
                    'Print batch {}: {} letter(s), {} pages. <a href="{}">Download the PDF</a>.',
                    batch.pk,
                    count,
                    batch.page_count,
                    url,
                ),
                messages.SUCCESS,
            )
        else:
            url = reverse("admin:exemptions_printbatch_changelist")
            self.message_user(
                request,
                format_html(
                    'Print batch {} ({} letters) is being prepared by the worker; it appears in <a href="{}">print '
                    "batches</a> when ready.",
                    batch.pk,
                    count,
                    url,
                ),
                messages.INFO,
            )

    def get_urls(self):
        urls = [
            path("receive/", self.admin_site.admin_view(self.receive_view), name="exemptions_groupmailing_receive"),
            path(
                "letter/<uuid:public_id>/",
                self.admin_site.admin_view(self.letter_view),
                name="exemptions_groupmailing_letter",
            ),
        ]
        return urls + super().get_urls()

    def letter_view(self, request, public_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(
            GroupLetter.objects.select_related("request"), public_id=public_id, status=GroupLetter.Status.READY
        )
        return stored_file_download(letter.file, filename=letter.download_name, content_type="application/pdf")

    def receive_view(self, request):
        """Record a letter received: the reference is typed, or scanned from the QR code into the first field."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ReceivedForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
        if request.method == "POST" and form.is_valid() and self._receive(request, form):
            return redirect("admin:exemptions_groupmailing_receive")
        context = {
            **self.admin_site.each_context(request),
            "title": "Record a GPRO letter received",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/exemptions/groupmailing/receive.html", context)

    def _receive(self, request, form) -> bool:
        data = form.cleaned_data
        exemption = GroupMailing.objects.filter(reference=data["reference"]).first()
        if exemption is None:
            form.add_error("reference", f"No GPRO letter has the reference {data['reference']}.")
            return False
        receive = partial(
            services.letter_mark_received,
            exemption=exemption,
            actor=request.user,
            at=timezone.now(),
            received_on=data["received_on"],
            postmarked_on=data["postmarked_on"],
        )
        outcome = service_outcome(
            request,
            receive,
            refusals=TransitionNotAllowed,
            success=None,  # worded below: late or not
            form=form,
            field="reference",
            describe=lambda exc: f"{exemption.reference}: {exc}",
        )
        if not outcome:
            return False
        late = outcome.result
        text = (
            f"{exemption.reference} ({exemption.group_name}) recorded as received on {data['received_on']:%B %-d, %Y}."
        )
        if late:
            self.message_user(request, text + " Its postmark is AFTER the deadline: flagged.", messages.WARNING)
        else:
            self.message_user(request, text, messages.SUCCESS)
        return True


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at", "created_by", "letter_count", "page_count", "include_cover_sheet", "pdf"]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    readonly_fields = ["status", "created_by", "created_at", "include_cover_sheet", "page_count", "error", "pdf"]
    fields = readonly_fields
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(letters_count=Count("letters"))

    def has_add_permission(self, request):
        return False  # made by the "print" action on GPRO letters

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Letters", ordering="letters_count")
    def letter_count(self, obj):
        return obj.letters_count

    @admin.display(description="PDF")
    def pdf(self, obj):
        if obj.status != PrintBatch.Status.READY:
            return obj.get_status_display()
        return format_html('<a href="{}">Download</a>', reverse("admin:exemptions_printbatch_download", args=[obj.pk]))

    def get_urls(self):
        download = path(
            "<int:batch_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="exemptions_printbatch_download",
        )
        return [download] + super().get_urls()

    def download_view(self, request, batch_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(PrintBatch, pk=batch_id, status=PrintBatch.Status.READY)
        return stored_file_download(batch.file, filename=f"print-batch-{batch.pk}.pdf", content_type="application/pdf")
