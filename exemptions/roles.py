"""The two staff roles, as Django groups with exactly the permissions they need (idempotent).

Reviewer: reads requests and everything attached, decides them, grants individual extensions, edits internal
notes. No access to years, windows or categories; no delete permission on anything.
Administrator: everything a reviewer does, plus the program's facts (years, windows, categories, announcements,
reminder policies), user accounts, and exporting full TINs.
Used by migration 0003 (with the historical app registry) and by `manage.py setup_roles`.
"""

from __future__ import annotations

from django.apps import apps as global_apps

REVIEWER = "Reviewer"
ADMINISTRATOR = "Administrator"

# Permissions that are not a model's add/change/delete/view: created here, held on ExemptionRequest.
CUSTOM = {
    "decide_exemptionrequest": "Can decide exemption requests (start review, approve, deny, ask, reopen)",
    "export_full_tin": "Can export full TINs (otherwise masked)",
}

REVIEWER_PERMISSIONS = [
    "view_exemptionrequest",
    "change_exemptionrequest",  # internal notes only: every other field is read-only in the admin
    "decide_exemptionrequest",
    "view_historicalexemptionrequest",
    "view_affectedep",
    "view_statuschange",
    "view_informationrequest",
    "view_supportingdocument",
    "view_extension",
    "add_extension",
    "view_historicalextension",
    "view_outboundemail",
    "view_groupletter",
    "view_printbatch",
    "view_informalreview",
    "change_informalreview",  # internal notes only, as for hardship requests
    "decide_informalreview",
    "view_historicalinformalreview",
    "view_informalreviewdocument",
]
PROGRAM_MODELS = [
    "adjustmentyear",
    "submissionwindow",
    "hardshipcategory",
    "yearcategory",
    "announcement",
    "reminderpolicy",
    "informalreviewwindow",
]
ADMINISTRATOR_PERMISSIONS = [
    *REVIEWER_PERMISSIONS,
    "export_full_tin",
    "change_extension",
    *(f"{verb}_{model}" for model in PROGRAM_MODELS for verb in ("add", "change", "view", "delete")),
    *(f"view_historical{model}" for model in ("adjustmentyear", "submissionwindow", "hardshipcategory")),
    "add_user",
    "change_user",
    "view_user",
]


def roles_setup(apps=global_apps) -> dict[str, int]:
    """Create or refresh both groups; returns how many permissions each holds. Safe to run any number of times."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for config in apps.get_app_configs():
        if config.label in ("exemptions", "auth", "contenttypes"):
            original = getattr(config, "models_module", None)
            config.models_module = original or True  # historical registry: let the helpers run
            create_contenttypes(config, verbosity=0, apps=apps)
            create_permissions(config, verbosity=0, apps=apps)
            config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    request_type = ContentType.objects.get(app_label="exemptions", model="exemptionrequest")
    for codename, name in CUSTOM.items():
        Permission.objects.get_or_create(codename=codename, content_type=request_type, defaults={"name": name})
    counts = {}
    for group_name, codenames in ((REVIEWER, REVIEWER_PERMISSIONS), (ADMINISTRATOR, ADMINISTRATOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=group_name)
        permissions = list(
            Permission.objects.filter(codename__in=codenames, content_type__app_label__in=["exemptions", "auth"])
        )
        group.permissions.set(permissions)
        counts[group_name] = len(permissions)
    return counts
