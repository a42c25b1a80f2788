"""Addresses that cannot be corrupted: State is a USPS code read from a name or a code, ZIP is 5 or 9 digits, and no
text box accepts more than its column stores. Bad input gets the portal's words, never a silent rewrite."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core.management import call_command

import exemptions
from exemptions import csv_import
from exemptions.addresses import state_code, zip_code
from exemptions.forms import AffectedEPForm
from exemptions.models import AffectedEP, ExemptionRequest
from tests.factories import RequestFactory

GOOD_EP = {
    "npi": "1234567893",
    "name": "Jane Smith",
    "address_line1": "7500 Security Blvd",
    "city": "Baltimore",
    "state": "MD",
    "zip_code": "21244",
    "email": "jane@example.org",
}


def ep_form(**changes) -> AffectedEPForm:
    form = AffectedEPForm(data={**GOOD_EP, **changes}, for_submit=True)
    form.is_valid()
    return form


@pytest.mark.parametrize("typed", ["Maryland", "md ", "M.D.", "MD", "maryland", " Maryland\n"])
def test_a_state_typed_as_a_name_or_a_code_in_any_case_is_maryland(typed):
    form = ep_form(state=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["state"] == "MD"


def test_maryland_is_never_massachusetts():
    assert state_code("Maryland") == "MD"
    assert state_code("Massachusetts") == "MA"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("District of Columbia", "DC"), ("Washington, D.C.", "DC"), ("Puerto Rico", "PR"), ("Guam", "GU"), ("AE", "AE")],
)
def test_dc_territories_and_military_codes_are_accepted(typed, code):
    assert state_code(typed) == code


@pytest.mark.parametrize("typed", ["XX", "Mar", "Marshall Islands", "Canal Zone"])
def test_a_state_that_is_no_us_code_gets_a_clear_message(typed):
    form = ep_form(state=typed)
    assert form.errors["state"] == [
        f"“{typed}” is not a US state, territory or military code. Choose one from the list (e.g. MD for Maryland)."
    ]


def test_the_state_box_is_a_list_of_names_so_autofill_picks_the_code():
    html = str(AffectedEPForm()["state"])
    assert html.startswith("<select")
    assert '<option value="MD">Maryland</option>' in html
    assert '<option value="PR">Puerto Rico</option>' in html and '<option value="AP">' in html


@pytest.mark.parametrize(
    ("typed", "stored"), [("21244", "21244"), ("21244-1850", "21244-1850"), ("212441850", "21244-1850")]
)
def test_a_zip_code_of_5_or_9_digits_is_stored_in_the_usual_form(typed, stored):
    form = ep_form(zip_code=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["zip_code"] == stored


@pytest.mark.parametrize("typed", ["2124418501", "2124", "21244-18", "ABCDE", "２１２４４-１８５０x"])
def test_a_ten_digit_or_malformed_zip_code_gets_a_clear_message(typed):
    form = ep_form(zip_code=typed)
    assert not form.is_valid()
    (message,) = form.errors["zip_code"]
    assert message.startswith("Enter a 5-digit ZIP code (21244) or ZIP+4 (21244-1850)")


def test_fullwidth_zip_digits_are_read_as_ascii():
    assert zip_code("２１２４４") == "21244"


def test_300_characters_in_a_name_get_a_clear_message_not_a_cut():
    form = ep_form(name="A" * 300)
    assert form.errors["name"] == ["Use at most 200 characters; this has 300. Shorten it."]


def test_an_npi_pasted_with_a_trailing_newline_is_accepted():
    form = ep_form(npi="1234567893\n")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["npi"] == "1234567893"


def test_a_csv_with_full_state_names_imports_them_as_codes():
    data = (
        b"npi,name,address_line1,address_line2,city,state,zip_code,email\n"
        b"1234567893,Jane Smith,1 Main St,,Towson,Maryland,212041850,jane@example.org\n"
        b"1558598797,Ben Jones,2 Main St,,Towson,md ,21204,ben@example.org\n"
    )
    result = csv_import.parse_eps(data)
    assert result.ok, result.errors
    assert [(r["state"], r["zip_code"]) for r in result.rows] == [("MD", "21204-1850"), ("MD", "21204")]


def test_every_csv_message_is_in_the_portals_words():
    data = (
        "npi,name,address_line1,address_line2,city,state,zip_code,email\n"
        f"1234567893,{'N' * 300},1 Main St,,Towson,Maryland (MD),2120418501,not-an-email\n"
    ).encode()
    errors = csv_import.parse_eps(data).errors
    text = " ".join(errors)
    assert "Line 2, Full name" in text and "Use at most 200 characters; this has 300." in text
    assert "Line 2, State: “Maryland (MD)” is not a US state" in text
    assert "Line 2, ZIP code: Enter a 5-digit ZIP code" in text
    assert "Line 2, Email “not-an-email”: Enter an email address like name@example.org." in text
    for stock in ("Ensure this value", "Select a valid choice", "This field is required", "Enter a valid"):
        assert stock not in text


# --- The sweep: every form of the portal ------------------------------------------------------------------------

# Fields whose form cleans what was typed into a shorter stored value: the TIN is typed 12-3456789 or 123-45-6789
# (at most 11 characters) and stored as 9 digits; normalize_tin refuses anything else.
NORMALIZED = {"tin": 11}
MODEL_OF = {AffectedEPForm: AffectedEP}  # plain forms that edit a model's rows


def every_form_class() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(exemptions.__path__, "exemptions."):
        if ".migrations" not in module.name and ".management.commands" not in module.name:
            importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("exemptions.") and not inspect.isabstract(sub):
                found.add(sub)
    return sorted(found, key=lambda c: c.__qualname__)


def model_field(form_class, name):
    model = getattr(getattr(form_class, "_meta", None), "model", None) or MODEL_OF.get(form_class)
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def test_the_sweep_finds_the_forms_of_people_and_staff():
    names = {c.__name__ for c in every_form_class()}
    assert {"AffectedEPForm", "RequestForm", "GroupRequestForm", "ReceivedForm", "DecisionForm"} <= names


@pytest.mark.parametrize("form_class", every_form_class(), ids=lambda c: c.__name__)
def test_no_text_box_accepts_more_characters_than_its_column_stores(form_class):
    problems = []
    for name, field in form_class.base_fields.items():
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.HiddenInput):
            continue
        column = model_field(form_class, name)
        limit = getattr(column, "max_length", None)
        maxlength = field.widget.attrs.get("maxlength")
        if limit is None and isinstance(field.widget, forms.Textarea):
            continue  # a text column: no limit to overflow (the form may still set one)
        if maxlength is None:
            problems.append(f"{name}: no maxlength")
        elif limit is not None and int(maxlength) > NORMALIZED.get(name, limit):
            problems.append(f"{name}: maxlength {maxlength} > column {limit}")
    assert not problems, problems


@pytest.mark.parametrize("form_class", every_form_class(), ids=lambda c: c.__name__)
def test_every_list_offers_only_values_its_column_stores(form_class):
    for name, field in form_class.base_fields.items():
        column = model_field(form_class, name)
        limit = getattr(column, "max_length", None)
        if limit and isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            assert all(len(str(value)) <= limit for value, _label in field.choices), name


# --- Rows saved before State was a list -------------------------------------------------------------------------


@pytest.mark.django_db
def test_address_check_lists_rows_with_a_state_that_is_no_code_and_changes_nothing(capsys):
    good = RequestFactory(state="MD", zip_code="21244")
    bad = RequestFactory(state="Ma", zip_code="2124")
    ep = AffectedEP.objects.create(request=good, npi="1234567893", name="Jane", state="XX", zip_code="21244")
    call_command("address_check")
    out = capsys.readouterr().out
    assert f"(id {bad.pk}): State “Ma” is not a US state, territory or military code; ZIP code “2124”" in out
    assert f"EP NPI 1234567893 on request {good} (EP id {ep.pk}): State “XX”" in out
    assert f"(id {good.pk})" not in out
    assert "2 address(es) to correct. Nothing was changed." in out
    assert ExemptionRequest.objects.get(pk=bad.pk).state == "Ma"


@pytest.mark.django_db
def test_the_admins_forms_accept_no_more_than_their_columns_store(rf, admin_user):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "exemptions":
            continue
        form_class = model_admin.get_form(request)
        for name, field in form_class.base_fields.items():
            limit = getattr(model_field(form_class, name), "max_length", None)
            if isinstance(field, forms.CharField) and limit and not isinstance(field.widget, forms.HiddenInput):
                assert int(field.widget.attrs.get("maxlength", 10**9)) <= limit, (model.__name__, name)
                checked += 1
    assert checked > 0


def test_a_state_saved_before_the_list_is_shown_as_it_is_and_a_save_asks_for_a_code():
    html = str(AffectedEPForm(initial={**GOOD_EP, "state": "XX"})["state"])
    assert '<option value="XX" selected>XX (not a state code: choose the state)</option>' in html
    form = AffectedEPForm(data={**GOOD_EP, "state": "XX"}, initial={**GOOD_EP, "state": "XX"})
    assert form.errors["state"][0].startswith("“XX” is not a US state")
