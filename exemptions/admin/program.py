"""Years, categories, windows and announcements: the program's facts, edited by administrators."""

from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from ..models import AdjustmentYear, Announcement, HardshipCategory, ReminderPolicy, SubmissionWindow, YearCategory
from ..windows import describe_window, format_et


class YearCategoryInline(admin.TabularInline):
    model = YearCategory
    extra = 0
    autocomplete_fields = ["category"]
    fields = ["position", "category", "information_only", "detail"]


class WindowInline(admin.TabularInline):
    model = SubmissionWindow
    extra = 0
    fields = ["channel", "label", "opens_at", "opening_published", "closes_at", "original_closes_at", "staff_note"]
    show_change_link = True


@admin.register(AdjustmentYear)
class AdjustmentYearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "adjustment_percent", "reporting_period", "group_channel", "filer", "is_practice"]
    list_filter = ["is_practice"]
    inlines = [YearCategoryInline, WindowInline]


@admin.register(HardshipCategory)
class HardshipCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "g_code", "requires_cehrt_id"]
    search_fields = ["name", "code", "g_code"]
    prepopulated_fields = {"code": ["name"]}


class ReminderPolicyInline(admin.StackedInline):
    model = ReminderPolicy
    extra = 0
    max_num = 1


@admin.register(SubmissionWindow)
class SubmissionWindowAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "channel", "opens_at_et", "closes_at_et", "state_now"]
    list_filter = ["channel", "year"]
    list_select_related = ["year"]
    inlines = [ReminderPolicyInline]
    fieldsets = [
        (None, {"fields": ["year", "channel", "label"]}),
        (
            "When",
            {
                "fields": ["opens_at", "opening_published", "closes_at", "original_closes_at", "timing_note"],
                "description": "Times are in Eastern Time (America/New_York).",
            },
        ),
        ("Staff", {"fields": ["staff_note"]}),
    ]

    @admin.display(description="Opens (ET)", ordering="opens_at")
    def opens_at_et(self, obj):
        return format_et(obj.opens_at)

    @admin.display(description="Closes (ET)", ordering="closes_at")
    def closes_at_et(self, obj):
        return format_et(obj.closes_at)

    @admin.display(description="Now")
    def state_now(self, obj):
        return describe_window(obj, timezone.now())[1]


@admin.register(Announcement)
class AnnouncementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "published_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
