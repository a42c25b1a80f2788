"""Each rule has one home, and every caller agrees with it.

Structural checks (no second copy can appear) and behavioral ones (the form, the CSV import, the submit check,
the group check and the reminder email name the same missing things).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exemptions import csv_import
from exemptions.completeness import (
    EP_FIELDS,
    EP_REQUIRED_FIELDS,
    GROUP_FIELDS,
    allowed_category_ids,
    group_problems,
    request_problems,
    submit_field_problems,
)
from exemptions.forms import AffectedEPForm, RequestForm
from exemptions.forms_groups import GroupRequestForm
from exemptions.models import AdjustmentYear, AffectedEP, HardshipCategory
from exemptions.services.requests import DRAFT_FIELDS, request_submit
from tests.factories import complete_draft
from tests.helpers import EP_KEYS, ep_row

ROOT = Path(__file__).resolve().parent.parent


def calls_and_strings(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text())
    calls = {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    return calls, strings


def production_modules():
    for path in [*ROOT.glob("exemptions/**/*.py"), *ROOT.glob("portal/*.py")]:
        if "migrations" not in path.parts:
            yield path


def test_only_the_download_helper_builds_file_responses():
    builders = {"FileResponse", "StreamingHttpResponse"}
    offenders = []
    for path in production_modules():
        calls, strings = calls_and_strings(path)
        if path.name != "downloads.py" and (calls & builders or "Content-Disposition" in strings):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_only_the_transitions_module_bumps_the_version():
    offenders = [
        str(path.relative_to(ROOT))
        for path in production_modules()
        if 'F("version")' in path.read_text() and path.name != "transitions.py"
    ]
    assert offenders == []


def test_the_ep_form_the_csv_import_and_the_submit_check_require_the_same_ep_fields():
    assert csv_import.REQUIRED == list(EP_REQUIRED_FIELDS)
    assert csv_import.COLUMNS == EP_FIELDS == EP_KEYS
    assert set(AffectedEPForm.base_fields) >= set(EP_FIELDS)


def test_the_group_form_and_the_services_share_one_field_list():
    assert set(GroupRequestForm._meta.fields) == {*GROUP_FIELDS, "categories"}
    assert DRAFT_FIELDS is GROUP_FIELDS


# The human label each EP field is named by, on the form and in the submit check's list.
EP_LABELS = {
    "npi": ("NPI", "NPI"),
    "name": ("Full name", "full name"),
    "address_line1": ("Street address", "street address"),
    "city": ("City", "city"),
    "state": ("State", "state"),
    "zip_code": ("ZIP code", "ZIP code"),
    "email": ("Email", "email"),
}


def test_every_required_ep_field_has_a_human_label():
    assert set(EP_LABELS) == set(EP_REQUIRED_FIELDS)


@pytest.mark.parametrize("missing", list(EP_REQUIRED_FIELDS))
def test_a_missing_ep_field_is_refused_by_the_form_the_submit_check_and_the_group_check(ep, missing):
    on_form, in_list = EP_LABELS[missing]
    form = AffectedEPForm(data=ep_row(**{missing: ""}), for_submit=True)
    assert not form.is_valid()
    assert form.errors == {missing: [f"{on_form} is required to submit."]}

    draft = complete_draft(owner=ep)
    AffectedEP.objects.filter(request=draft).update(**{missing: ""})
    row = AffectedEP.objects.get(request=draft)
    named = f"{row.name} (NPI {row.npi})" if row.name and row.npi else row.name or f"NPI {row.npi}"
    assert request_problems(draft) == [f"{named} is missing: {in_list}."]

    draft.kind = draft.Kind.GROUP
    draft.save()
    assert "1 EP row(s) are incomplete: each needs NPI, name, address and email." in group_problems(draft)


def test_the_submit_check_names_every_missing_ep_field_by_its_label(ep):
    draft = complete_draft(owner=ep)
    AffectedEP.objects.filter(request=draft).update(npi="", address_line1="", name="Jane Smith")
    assert request_problems(draft) == ["Jane Smith is missing: NPI, street address."]


def test_the_submit_check_names_each_ep_by_name_and_npi_never_by_field_names(ep):
    draft = complete_draft(owner=ep)
    AffectedEP.objects.filter(request=draft).update(name="Jane Smith", address_line1="", city="", state="", zip_code="")
    (problem,) = request_problems(draft)
    assert problem == "Jane Smith (NPI 1234567893) is missing: street address, city, state, ZIP code."


def _form_for(draft) -> RequestForm:
    """The EP form posted with exactly what the draft holds, as a submit."""
    data = {
        "tin": draft.tin,
        "contact_phone": draft.contact_phone,
        "categories": [str(c.pk) for c in draft.categories.all()],
        "justification": draft.justification,
        "cehrt_id": draft.cehrt_id,
    }
    if draft.attested:
        data["attested"] = "on"
    return RequestForm(data=data, instance=draft, for_submit=True)


def _blank_categories(draft):
    draft.categories.clear()


def _ehr_category_without_id(draft):
    draft.categories.add(HardshipCategory.objects.get(code="ehr-cehrt"))
    draft.cehrt_id = ""
    draft.save()


def _set(**fields):
    def change(draft):
        for name, value in fields.items():
            setattr(draft, name, value)
        draft.save()

    return change


SUBMIT_GAPS = {
    "tin": (_set(tin=""), "TIN is required to submit."),
    "contact_phone": (_set(contact_phone=" "), "Phone is required to submit."),
    "categories": (_blank_categories, "Choose at least one hardship category."),
    "cehrt_id": (
        _ehr_category_without_id,
        "CEHRT certification ID is required for: Registered for the EHR Incentive Program and adopted certified EHR "
        "technology.",
    ),
    "justification": (_set(justification="   "), "Justification is required to submit: explain the hardship."),
    "attested": (_set(attested=False), "Check the attestation box to submit."),
}


def test_a_complete_draft_passes_the_form_and_the_submit_check_alike(ep):
    draft = complete_draft(owner=ep)
    form = _form_for(draft)
    assert form.is_valid(), form.errors
    assert request_problems(draft) == []


@pytest.mark.parametrize("field", list(SUBMIT_GAPS))
def test_the_form_and_the_submit_check_refuse_the_same_gap_with_the_same_words(ep, field):
    change, message = SUBMIT_GAPS[field]
    draft = complete_draft(owner=ep)
    change(draft)
    draft.refresh_from_db()

    form = _form_for(draft)
    assert not form.is_valid()
    assert form.errors == {field: [message]}
    assert request_problems(draft) == [message]
    assert submit_field_problems(
        tin=draft.tin,
        contact_phone=draft.contact_phone,
        categories=draft.categories.all(),
        cehrt_id=draft.cehrt_id,
        justification=draft.justification,
        attested=draft.attested,
        allowed=allowed_category_ids(draft.year),
        year=draft.year,
    ) == {field: message}


def test_the_server_refuses_to_submit_without_a_phone_as_the_form_does(ep):
    draft = complete_draft(owner=ep, contact_phone="")
    with pytest.raises(ValidationError) as refused:
        request_submit(exemption=draft, actor=ep, at=timezone.now())
    assert refused.value.messages == ["Phone is required to submit."]
    draft.refresh_from_db()
    assert draft.status == draft.Status.DRAFT and draft.reference is None


def test_a_category_outside_the_year_is_refused_with_one_wording(ep):
    year = AdjustmentYear.objects.get(year=2013)
    draft = complete_draft(owner=ep, year=year)
    outside = HardshipCategory.objects.get(code="insufficient-opportunities")
    form = RequestForm(
        data={
            "tin": draft.tin,
            "contact_phone": "410-555-0100",
            "justification": "x",
            "attested": "on",
            "categories": [str(outside.pk)],
        },
        instance=draft,
        for_submit=True,
    )
    assert not form.is_valid()
    assert form.errors["categories"] == ["A chosen category is not allowed for the 2013 adjustment."]
    draft.categories.set([outside])
    assert request_problems(draft) == ["A chosen category is not allowed for the 2013 adjustment."]
