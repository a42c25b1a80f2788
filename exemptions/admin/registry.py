"""The NPI registry for staff: which file the checks quote (its date), how its loads went, and what it says."""

from django.contrib import admin

from ..models import RegistryEntry, RegistryFile
from ..paginators import EstimatedCountPaginator


class ReadOnly(admin.ModelAdmin):
    """Loaded by `manage.py nppes_import` only: staff look, never edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegistryFile)
class RegistryFileAdmin(ReadOnly):
    list_display = ["name", "kind", "file_date", "status", "rows", "bad_rows", "finished_at"]
    list_filter = ["kind", "status"]
    fields = [
        "name",
        "kind",
        "file_date",
        "status",
        "rows",
        "bad_rows",
        "bad_line_list",
        "error",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields

    @admin.display(description="Bad lines (the first 100)")
    def bad_line_list(self, obj):
        return "\n".join(f"Line {line:,}: {why}" for line, why in obj.bad_lines) or "-"


@admin.register(RegistryEntry)
class RegistryEntryAdmin(ReadOnly):
    list_display = ["npi", "entity_type", "display_name", "credential", "taxonomy_code", "practice_state"]
    list_filter = ["entity_type"]
    # NPI: the primary key's index; a name: "starts with", as the registry writes names (upper case).
    search_fields = ["=npi", "^last_name", "^organization_name"]
    paginator = EstimatedCountPaginator  # 8 million rows: no COUNT(*) per page
    show_full_result_count = False
    readonly_fields = [f.name for f in RegistryEntry._meta.fields]

    @admin.display(description="Name")
    def display_name(self, obj):
        return obj.organization_name or ", ".join(p for p in (obj.last_name, obj.first_name) if p)
