"""What a complete request holds: the field lists and the checks that every form, import, service and email share.

One home for "is this request ready?": the EP form marks the same fields, the CSV import asks for the same
columns, the submit and the letter refuse with the same words, and the reminder email lists the same gaps.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from functools import partial

from django.db.models import Q, QuerySet

from .models import AdjustmentYear, ExemptionRequest, HardshipCategory, YearCategory

ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "state", "zip_code"]
CONTACT_FIELDS = ["contact_name", "contact_title", "contact_phone", "contact_email"]
HARDSHIP_FIELDS = ["cehrt_id", "justification", "attested"]  # and the categories (many-to-many)

# The one list of what people read for a field: every message, email and CSV note names a field by this label,
# never by its code name ("street address", not "address_line1"). Lower case; capitalized() starts a sentence.
FIELD_LABELS = {
    "npi": "NPI",
    "name": "full name",
    "address_line1": "street address",
    "address_line2": "address line 2",
    "city": "city",
    "state": "state",
    "zip_code": "ZIP code",
    "email": "email",
    "group_name": "group legal name",
    "tin": "TIN",
    "gpro_option": "GPRO option",
    "gpro_program_year": "GPRO program year",
    "contact_name": "contact name",
    "contact_title": "contact title",
    "contact_phone": "contact phone",
    "contact_email": "contact email",
    "categories": "hardship categories",
    "cehrt_id": "CEHRT certification ID",
    "justification": "justification",
    "attested": "attestation",
}


def capitalized(label: str) -> str:
    return label[:1].upper() + label[1:]


# One EP (an affected eligible professional): what is stored, and what must be filled to submit.
EP_FIELDS = ["npi", "name", *ADDRESS_FIELDS, "email"]
EP_REQUIRED_FIELDS = {
    name: FIELD_LABELS[name] for name in ("npi", "name", "address_line1", "city", "state", "zip_code", "email")
}

# The request's own fields an EP's draft may set; a GPRO group has a few more (the form, the service and the
# letter use this one list).
REQUEST_FIELDS = ["tin", *CONTACT_FIELDS, *ADDRESS_FIELDS, *HARDSHIP_FIELDS]
GROUP_FIELDS = ["group_name", "gpro_option", "gpro_program_year", *REQUEST_FIELDS]
GROUP_REQUIRED_FIELDS = {
    name: capitalized(FIELD_LABELS[name])
    for name in (
        "group_name",
        "tin",
        "gpro_option",
        "gpro_program_year",
        *CONTACT_FIELDS,
        "address_line1",
        "city",
        "state",
        "zip_code",
    )
}
GROUP_MIN_EPS, GROUP_MAX_EPS = 2, 2500


def allowed_categories(year_id: int) -> QuerySet:
    """The categories a request for the year's adjustment may choose (information-only ones are shown, not chosen),
    as a query of category ids (a caller may combine it with another read)."""
    return YearCategory.objects.filter(year_id=year_id, information_only=False).order_by().values_list("category_id")


def allowed_category_ids(year: AdjustmentYear) -> set[int]:
    return {pk for (pk,) in allowed_categories(year.pk)}


def category_not_allowed(year: AdjustmentYear) -> str:
    return f"A chosen category is not allowed for the {year.year} adjustment."


def hardship_field_problems(
    *,
    categories: Iterable[HardshipCategory],
    cehrt_id: str | None,
    justification: str | None,
    attested: bool | None,
    allowed: Collection[int],
    year: AdjustmentYear,
) -> dict[str, str]:
    """Categories allowed for the year, CEHRT ID when needed, justification, attestation: EP and group alike.

    Field name -> message, in the order a person reads the form.
    """
    problems = {}
    categories = list(categories or [])
    if not categories:
        problems["categories"] = "Choose at least one hardship category."
    elif any(c.pk not in allowed for c in categories):
        problems["categories"] = category_not_allowed(year)
    needing_id = [c.name for c in categories if c.requires_cehrt_id]
    if needing_id and not (cehrt_id or "").strip():
        problems["cehrt_id"] = f"CEHRT certification ID is required for: {', '.join(needing_id)}."
    if not (justification or "").strip():
        problems["justification"] = "Justification is required to submit: explain the hardship."
    if not attested:
        problems["attested"] = "Check the attestation box to submit."
    return problems


def submit_field_problems(*, tin: str | None, contact_phone: str | None, **hardship) -> dict[str, str]:
    """What an EP's request must hold to be submitted, field name -> message: THE rule behind the EP form's
    submit check, the server's submit check and the draft reminder's "what is missing" list.

    `hardship`: the keyword arguments of `hardship_field_problems` (categories, CEHRT ID, justification, ...).
    """
    problems = {}
    if not (tin or "").strip():
        problems["tin"] = "TIN is required to submit."
    if not (contact_phone or "").strip():
        problems["contact_phone"] = "Phone is required to submit."
    return {**problems, **hardship_field_problems(**hardship)}


def ep_field_problems(values: Mapping[str, str | None]) -> dict[str, str]:
    """One EP row's empty required fields, field name -> message (the EP form's row check)."""
    return {
        name: f"{capitalized(label)} is required to submit."
        for name, label in EP_REQUIRED_FIELDS.items()
        if not values.get(name)
    }


def ep_named(ep, number: int) -> str:
    """How a message names one EP: "Jane Smith (NPI 1234567893)", or what is known of it ("EP 2" for a blank row)."""
    get = ep.get if isinstance(ep, Mapping) else partial(getattr, ep)  # a row, or its values as a mapping
    name, npi = (get("name") or "").strip(), (get("npi") or "").strip()
    if name and npi:
        return f"{name} (NPI {npi})"
    return name or (f"NPI {npi}" if npi else f"EP {number}")


def incomplete_eps_filter() -> Q:
    """The same rule as `ep_field_problems`, as a filter: one query counts the incomplete rows of a big group."""
    empty = Q()
    for name in EP_REQUIRED_FIELDS:
        empty |= Q(**{name: ""})
    return empty


def hardship_values(
    exemption: ExemptionRequest,
    categories: Iterable[HardshipCategory] | None = None,
    allowed: Collection[int] | None = None,
) -> dict:
    """A request's stored hardship answers, as `hardship_field_problems` takes them (the submit and the steps)."""
    return {
        "categories": exemption.categories.all() if categories is None else categories,
        "cehrt_id": exemption.cehrt_id,
        "justification": exemption.justification,
        "attested": exemption.attested,
        "allowed": allowed_category_ids(exemption.year) if allowed is None else allowed,
        "year": exemption.year,
    }


def request_problems(
    exemption: ExemptionRequest,
    *,
    categories: Iterable[HardshipCategory] | None = None,
    eps: Iterable[Mapping[str, str]] | None = None,
    allowed: Collection[int] | None = None,
) -> list[str]:
    """The server's check of an EP's draft before submission: the form's rule on the stored values, plus the EPs.

    A caller that just stored the categories or the EPs (as field-name mappings), or read the year's allowed
    category ids, passes them: not read again.
    """
    hardship = hardship_values(exemption, categories, allowed)
    fields = submit_field_problems(tin=exemption.tin, contact_phone=exemption.contact_phone, **hardship)
    problems = list(fields.values())
    if eps is None:  # .all(): a caller's prefetch (a reminder batch) serves it without a query per request
        rows = sorted(exemption.affected_eps.all(), key=lambda ep: (ep.position, ep.id))
        eps = [{name: getattr(ep, name) for name in EP_REQUIRED_FIELDS} for ep in rows]
    eps = list(eps)
    if not eps:
        problems.append("Add at least one affected EP.")
    for number, ep in enumerate(eps, start=1):
        missing = ep_field_problems(ep)
        if missing:
            problems.append(f"{ep_named(ep, number)} is missing: {', '.join(EP_REQUIRED_FIELDS[n] for n in missing)}.")
    return problems


def group_problems(exemption: ExemptionRequest) -> list[str]:
    """What stops a group's letter from being generated, in words the group can act on."""
    problems = [f"{label} is missing." for name, label in GROUP_REQUIRED_FIELDS.items() if not getattr(exemption, name)]
    problems += hardship_field_problems(**hardship_values(exemption)).values()
    count = exemption.affected_eps.count()
    if not GROUP_MIN_EPS <= count <= GROUP_MAX_EPS:
        problems.append(f"A group letter lists {GROUP_MIN_EPS} to {GROUP_MAX_EPS:,} EPs; this group has {count:,}.")
    incomplete = exemption.affected_eps.filter(incomplete_eps_filter()).count()
    if incomplete:
        problems.append(f"{incomplete:,} EP row(s) are incomplete: each needs NPI, name, address and email.")
    return problems
