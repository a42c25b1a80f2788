"""The staff home (the admin's index): the reviewer's queues first, then the admin's models in working order.

Django lists apps alphabetically, so lockouts, authenticators and email addresses came before the requests. Here
the program's models come first, and the housekeeping (sign-in records, second factors, addresses, the email
outbox) is grouped apart, last. Each person sees only the models their role lets them use (Django's permission
check on `app_list`; roles.py): a reviewer's housekeeping is the email outbox alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from ..selectors.review import HOME_QUEUES, QUEUES, queue_counts

register = template.Library()

SECTIONS = [
    ("Review", ["ExemptionRequest", "GroupMailing", "PrintBatch", "InformalReview"]),
    (
        "Program",
        [
            "AdjustmentYear",
            "SubmissionWindow",
            "InformalReviewWindow",
            "HardshipCategory",
            "Announcement",
            "RegistryFile",
            "RegistryEntry",
        ],
    ),
    ("Staff and accounts", ["User", "Group"]),
]
HOUSEKEEPING = "Housekeeping"


@dataclass
class Section:
    name: str
    models: list[dict] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")


@register.simple_tag(takes_context=True)
def staff_home(context) -> dict:
    """{"queues": [QueueCount…] (empty for staff who cannot read requests), "sections": [Section…]}."""
    request = context["request"]
    models = {model["object_name"]: model for app in context.get("app_list", []) for model in app["models"]}
    sections = []
    for name, object_names in SECTIONS:
        section = Section(name, [models.pop(n) for n in object_names if n in models])
        if section.models:
            sections.append(section)
    if models:
        sections.append(Section(HOUSEKEEPING, sorted(models.values(), key=lambda m: str(m["name"]))))
    queues = []
    if request.user.has_perm("exemptions.view_exemptionrequest"):
        queues = queue_counts(request.user, HOME_QUEUES)
    return {"queues": queues, "sections": sections, "all": QUEUES["all"], "open": QUEUES["open"]}
