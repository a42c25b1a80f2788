"""Writing an EP's draft on a row the caller locked: only what changed, and the staff list's summary columns.

A save that changes nothing writes nothing; a save that changes one field writes the row once. The EPs are read
once to compare (the form sends the whole list) and replaced only when they differ, so a submit whose EPs were
saved before writes none.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Left

from ..completeness import EP_FIELDS, GROUP_FIELDS, allowed_categories
from ..models import AffectedEP, ExemptionRequest

DRAFT_FIELDS = GROUP_FIELDS  # one list for EP and group drafts: each form sends only its own fields
SUMMARY_FIELDS = ["display_name", "first_npi", "ep_count"]


@dataclass(frozen=True)
class DraftApplied:
    changed: bool  # the row must be saved as a new version
    categories: list | None  # what is stored now, when the caller sent it (no need to read it again)
    eps: list[dict] | None
    allowed: set[int] | None  # the year's allowed category ids, read with the stored ones


def draft_apply(locked: ExemptionRequest, *, fields: dict, categories, eps) -> DraftApplied:
    """Set the typed fields on the locked row (the caller saves it) and write the EPs and categories that changed.
    The summary columns follow the EPs in the same row write."""
    changed, allowed = False, None
    for name in DRAFT_FIELDS:
        if name in fields and getattr(locked, name) != fields[name]:
            setattr(locked, name, fields[name])
            changed = True
    if categories is not None:
        categories = list(categories)
        categories_changed, allowed = _categories_write(locked, categories)
        changed |= categories_changed
    if eps is not None:
        eps = [{k: row.get(k, "") or "" for k in EP_FIELDS} for row in eps]
        changed |= _eps_write(locked, eps)
        changed |= set_summary(locked, eps)
    elif {"contact_name", "group_name"} & set(fields):  # a name the summary shows, and no EP list in hand
        changed |= set_summary(locked, list(locked.affected_eps.order_by("position", "id").values("name", "npi")))
    return DraftApplied(changed=changed, categories=categories, eps=eps, allowed=allowed)


def _categories_write(locked: ExemptionRequest, categories: list) -> tuple[bool, set[int]]:
    """Store the chosen categories if they differ: (changed, the year's allowed ids). One query reads what is
    stored and what the year allows (the submit checks the latter)."""
    through = ExemptionRequest.categories.through
    flag = partial(Value, output_field=BooleanField())
    stored_ids = through.objects.filter(exemptionrequest=locked).order_by().values_list("hardshipcategory_id")
    both = stored_ids.annotate(allowed=flag(False)).union(
        allowed_categories(locked.year_id).annotate(allowed=flag(True)), all=True
    )
    stored, allowed = set(), set()
    for pk, is_allowed in both:
        (allowed if is_allowed else stored).add(pk)
    wanted = {c.pk for c in categories}
    if stored == wanted:
        return False, allowed
    if stored - wanted:
        through.objects.filter(exemptionrequest=locked, hardshipcategory_id__in=stored - wanted).delete()
    if wanted - stored:
        through.objects.bulk_create(
            [through(exemptionrequest=locked, hardshipcategory_id=pk) for pk in sorted(wanted - stored)]
        )
    return True, allowed


def _eps_write(locked: ExemptionRequest, eps: list[dict]) -> bool:
    """Store the EP list if it differs from the stored one (one read; a save that changes no EP writes none).

    The same NPIs in the same order: the changed rows in one UPDATE. Else the list is replaced (an UPDATE that
    moved NPIs between rows could trip the one-NPI-per-request constraint half-way)."""
    stored = list(locked.affected_eps.order_by("position", "id").values("id", *EP_FIELDS))
    ids = [row.pop("id") for row in stored]
    if stored == eps:
        return False
    if [row["npi"] for row in stored] != [row["npi"] for row in eps]:
        replace_eps(locked, eps)
        return True
    changed = [AffectedEP(pk=pk, **new) for pk, old, new in zip(ids, stored, eps, strict=True) if old != new]
    AffectedEP.objects.bulk_update(changed, [name for name in EP_FIELDS if name != "npi"])
    return True


def replace_eps(exemption: ExemptionRequest, eps: list[dict]) -> None:
    exemption.affected_eps.all().delete()
    AffectedEP.objects.bulk_create(
        [
            AffectedEP(request=exemption, position=i, **{k: row.get(k, "") for k in EP_FIELDS})
            for i, row in enumerate(eps)
        ],
        batch_size=1000,
    )


def summary_values(exemption: ExemptionRequest, eps: list[dict]) -> dict:
    """Denormalized columns for the staff list (no join per row there), from the EP list in position order.

    `refresh_summary` is the same rule in SQL, for callers that changed the EPs without holding the list."""
    first = eps[0] if eps else None
    if exemption.kind == ExemptionRequest.Kind.GROUP:
        name = exemption.group_name
    else:
        name = first.get("name") if first else exemption.contact_name
    return {
        "display_name": (name or "")[:200],
        "first_npi": first.get("npi", "") if first else "",
        "ep_count": len(eps),
    }


def set_summary(exemption: ExemptionRequest, eps: list[dict]) -> bool:
    values = summary_values(exemption, eps)
    changed = any(getattr(exemption, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(exemption, name, value)
    return changed


def refresh_summary(exemption: ExemptionRequest) -> None:
    """`summary_values` computed by the database in the one UPDATE (a 2,500-EP CSV import never reads its rows)."""
    eps = AffectedEP.objects.filter(request=OuterRef("pk")).order_by("position", "id")
    count = AffectedEP.objects.filter(request=OuterRef("pk")).order_by().values("request")
    first_name = Subquery(eps.values("name")[:1])
    name = Case(
        When(kind=ExemptionRequest.Kind.GROUP, then=F("group_name")),
        When(Exists(eps), then=first_name),
        default=F("contact_name"),
    )
    ExemptionRequest.objects.filter(pk=exemption.pk).update(
        display_name=Left(Coalesce(name, Value("")), 200),
        first_npi=Coalesce(Subquery(eps.values("npi")[:1]), Value("")),
        ep_count=Coalesce(Subquery(count.annotate(n=Count("id")).values("n")), Value(0)),
    )
