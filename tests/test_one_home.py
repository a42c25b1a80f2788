"""Each rule has one home, and every caller agrees with it.

Structural checks (no second copy can appear) and behavioural ones (the form, the CSV import, the submit check,
the group check and the reminder email name the same missing things).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from exemptions import csv_import
from exemptions.completeness import (
    EP_FIELDS,
    EP_REQUIRED_FIELDS,
    GROUP_FIELDS,
    group_problems,
    request_problems,
)
from exemptions.forms import AffectedEPForm
from exemptions.forms_groups import GroupRequestForm
from exemptions.models import AffectedEP
from exemptions.services.requests import DRAFT_FIELDS
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
    assert AffectedEPForm.REQUIRED_TO_SUBMIT == list(EP_REQUIRED_FIELDS)
    assert csv_import.REQUIRED == list(EP_REQUIRED_FIELDS)
    assert csv_import.COLUMNS == EP_FIELDS == EP_KEYS
    assert set(AffectedEPForm.base_fields) >= set(EP_FIELDS)


def test_the_group_form_and_the_services_share_one_field_list():
    assert set(GroupRequestForm._meta.fields) == {*GROUP_FIELDS, "categories"}
    assert set(DRAFT_FIELDS) == set(GROUP_FIELDS)


@pytest.mark.parametrize("missing", list(EP_REQUIRED_FIELDS))
def test_a_missing_ep_field_is_refused_by_the_form_the_submit_check_and_the_group_check(ep, missing):
    form = AffectedEPForm(data=ep_row(**{missing: ""}), for_submit=True)
    assert not form.is_valid() and missing in form.errors

    draft = complete_draft(owner=ep)
    AffectedEP.objects.filter(request=draft).update(**{missing: ""})
    assert f"EP 1 is missing: {missing}." in request_problems(draft)

    draft.kind = draft.Kind.GROUP
    draft.save()
    assert "1 EP row(s) are incomplete: each needs NPI, name, address and email." in group_problems(draft)
