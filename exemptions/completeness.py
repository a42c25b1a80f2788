"""What a complete request holds: the field lists and the checks that every form, import, service and email share.

One home for "is this request ready?": the EP form marks the same fields, the CSV import asks for the same
columns, the submit and the letter refuse with the same words, and the reminder email lists the same gaps.
"""

from __future__ import annotations

from django.db.models import Q

from .models import ExemptionRequest

ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "state", "zip_code"]
CONTACT_FIELDS = ["contact_name", "contact_title", "contact_phone", "contact_email"]
HARDSHIP_FIELDS = ["cehrt_id", "justification", "attested"]  # and the categories (many-to-many)

# One EP (an affected eligible professional): what is stored, and what must be filled to submit.
EP_FIELDS = ["npi", "name", *ADDRESS_FIELDS, "email"]
EP_REQUIRED_FIELDS = {
    "npi": "NPI",
    "name": "full name",
    "address_line1": "street address",
    "city": "city",
    "state": "state",
    "zip_code": "ZIP code",
    "email": "email",
}

# The request's own fields an EP's draft may set; a GPRO group has a few more (the form, the service and the
# letter use this one list).
REQUEST_FIELDS = ["tin", *CONTACT_FIELDS, *ADDRESS_FIELDS, *HARDSHIP_FIELDS]
GROUP_FIELDS = ["group_name", "gpro_option", "gpro_program_year", *REQUEST_FIELDS]
GROUP_REQUIRED_FIELDS = {
    "group_name": "Group legal name",
    "tin": "TIN",
    "gpro_option": "GPRO option",
    "gpro_program_year": "GPRO program year",
    "contact_name": "Contact name",
    "contact_title": "Contact title",
    "contact_phone": "Contact phone",
    "contact_email": "Contact email",
    "address_line1": "Street address",
    "city": "City",
    "state": "State",
    "zip_code": "ZIP code",
}
GROUP_MIN_EPS, GROUP_MAX_EPS = 2, 2500


def hardship_problems(exemption: ExemptionRequest) -> list[str]:
    """Categories allowed for the year, CEHRT ID when needed, justification, attestation: EP and group alike."""
    problems = []
    categories = list(exemption.categories.all())
    allowed = set(exemption.year.year_categories.filter(information_only=False).values_list("category_id", flat=True))
    if not categories:
        problems.append("Choose at least one hardship category.")
    elif any(c.pk not in allowed for c in categories):
        problems.append(f"A chosen category is not allowed for the {exemption.year.year} adjustment.")
    if any(c.requires_cehrt_id for c in categories) and not exemption.cehrt_id.strip():
        problems.append("CEHRT certification ID is required for the chosen category.")
    if not exemption.justification.strip():
        problems.append("Justification is missing.")
    if not exemption.attested:
        problems.append("The attestation is not ticked.")
    return problems


def ep_missing_fields(ep) -> list[str]:
    """The required EP fields left empty (field names; `EP_REQUIRED_FIELDS` has their labels)."""
    return [name for name in EP_REQUIRED_FIELDS if not getattr(ep, name)]


def incomplete_eps_filter() -> Q:
    """The same rule as `ep_missing_fields`, as a filter: one query counts the incomplete rows of a big group."""
    empty = Q()
    for name in EP_REQUIRED_FIELDS:
        empty |= Q(**{name: ""})
    return empty


def request_problems(exemption: ExemptionRequest) -> list[str]:
    """The server's own check of an EP's draft before submission (the form checks the same for the person)."""
    problems = []
    if not exemption.tin:
        problems.append("TIN is missing.")
    problems += hardship_problems(exemption)
    eps = list(exemption.affected_eps.all())
    if not eps:
        problems.append("Add at least one affected EP.")
    for number, ep in enumerate(eps, start=1):
        missing = ep_missing_fields(ep)
        if missing:
            problems.append(f"EP {number} is missing: {', '.join(missing)}.")
    return problems


def group_problems(exemption: ExemptionRequest) -> list[str]:
    """What stops a group's letter from being generated, in words the group can act on."""
    problems = [f"{label} is missing." for name, label in GROUP_REQUIRED_FIELDS.items() if not getattr(exemption, name)]
    problems += hardship_problems(exemption)
    count = exemption.affected_eps.count()
    if not GROUP_MIN_EPS <= count <= GROUP_MAX_EPS:
        problems.append(f"A group letter lists {GROUP_MIN_EPS} to {GROUP_MAX_EPS:,} EPs; this group has {count:,}.")
    incomplete = exemption.affected_eps.filter(incomplete_eps_filter()).count()
    if incomplete:
        problems.append(f"{incomplete:,} EP row(s) are incomplete: each needs NPI, name, address and email.")
    return problems
