"""The outbox (= sent-log) for staff: what went out, what failed and why; failed sends can be retried in bulk."""

from django.contrib import admin, messages
from django.utils.html import format_html

from ..models import OutboundEmail
from ..services.outbox import outbox_retry_failed


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status_badge", "recipient_list", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=key", "key", "recipients"]
    list_select_related = ["request"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # the sent-log grows by 100,000s of rows: no COUNT(*) per page
    actions = ["retry_failed"]
    fields = [
        "key",
        "kind",
        "status",
        "recipients",
        "request",
        "user",
        "subject",
        "attempts",
        "last_error",
        "context",
        "created_at",
        "last_published_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        # An account email's context holds a live link (password reset, address confirmation): staff never see it.
        if obj is not None and obj.kind == OutboundEmail.Kind.ACCOUNT:
            return [name for name in self.fields if name != "context"]
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the sent-log is the proof of what was sent: never edited or deleted by hand

    def has_change_permission(self, request, obj=None):
        # Read-only rows; the list keeps the (change) permission so staff can run the retry action.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        color = {"sent": "green", "failed": "#b02a37", "suppressed": "gray"}.get(obj.status, "#664d03")
        return format_html('<strong style="color: {}">{}</strong>', color, obj.get_status_display())

    @admin.display(description="To")
    def recipient_list(self, obj):
        return ", ".join(obj.recipients)

    @admin.display(description="Error")
    def short_error(self, obj):
        return obj.last_error[:120]

    @admin.action(description="Retry failed sends", permissions=["change"])
    def retry_failed(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True))
        retried = outbox_retry_failed(email_ids=selected)
        skipped = len(selected) - retried
        self.message_user(
            request,
            f"{retried} failed email(s) queued again; {skipped} skipped (not failed).",
            messages.SUCCESS if retried else messages.WARNING,
        )
