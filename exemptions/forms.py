"""Forms validate and normalize only. Two modes: a draft save (format errors only) and a submit (complete)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .completeness import FIELD_LABELS, capitalized, category_not_allowed, ep_field_problems, submit_field_problems
from .form_fields import PortalFormMixin, StateField, ZipCodeField
from .identifiers import format_tin, normalize_tin, normalized, validate_npi
from .models import ExemptionRequest, HardshipCategory, YearCategory
from .services.uploads import each_document_check

ATTESTATION_TEXT = (
    "I attest that the information in this request is accurate and complete to the best of my knowledge, and "
    "that I am the eligible professional named above or am authorized by every affected EP listed to make this "
    "request for them."
)
PHONE = re.compile(r"^[0-9()+.\- x]{7,30}$")


def label(name: str) -> str:
    """A field's label as a form shows it: "Street address" (completeness.FIELD_LABELS, capitalized)."""
    return capitalized(FIELD_LABELS[name])


def year_number(value: str | None) -> int | None:
    """A posted adjustment year ("2013") as a number; None for "", "abc", "2099.0" or non-ASCII digits."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) == 4 else None


def check_pattern(pattern: re.Pattern, value: str, message: str) -> str:
    if value and not pattern.match(value):
        raise ValidationError(message)
    return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Zero or more PDF/PNG/JPEG files, each checked by its content (magic bytes, PDF active content) and size.

    The count, which depends on the documents a request already has, is checked with the set by the service,
    before any file is written (services/uploads.documents_check)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        each_document_check(files)
        return files


def categories_field(help_text: str) -> forms.ModelMultipleChoiceField:
    """The hardship categories of a request: the year's allowed ones are set by the form's __init__."""
    return forms.ModelMultipleChoiceField(
        queryset=HardshipCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Hardship categories",
        help_text=help_text,
    )


def text_field(label: str, max_length: int, autocomplete: str, help_text: str = "", **attrs) -> forms.CharField:
    """An optional text box (required-to-submit is checked in clean(), so a draft can be saved half-filled)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete, **attrs}),
        help_text=help_text,
    )


class HardshipFieldsMixin:
    """What the EP form and the group form share: category labels with the year's wording, TIN and phone."""

    year_categories: list[YearCategory]

    def offer_categories_of(self, year) -> None:
        """Offer the categories allowed for `year`'s adjustment, labeled with that year's wording."""
        allowed = YearCategory.objects.filter(year=year, information_only=False).select_related("category")
        self.year_categories = list(allowed)
        self.fields["categories"].queryset = HardshipCategory.objects.filter(year_categories__in=allowed)
        self.fields["categories"].error_messages["invalid_choice"] = category_not_allowed(year)
        self.fields["categories"].label_from_instance = self._category_label

    def _category_label(self, category: HardshipCategory):
        detail = next((yc.detail for yc in self.year_categories if yc.category_id == category.pk), "")
        extra = " (CEHRT ID required)" if category.requires_cehrt_id else ""
        return format_html("{}{}<br><small>{}</small>", category.name, extra, detail or category.help_text)

    def clean_tin(self):
        value = self.cleaned_data["tin"]
        return normalize_tin(value) if value.strip() else ""

    def clean_contact_phone(self):
        return check_pattern(PHONE, normalized(self.cleaned_data["contact_phone"]), "Use digits, spaces, ( ) + - only.")


class RequestForm(PortalFormMixin, HardshipFieldsMixin, forms.ModelForm):
    optional_fields = ("documents", "cehrt_id")
    tin = forms.CharField(
        label="TIN",
        required=False,
        max_length=11,  # 123-45-6789; stored as 9 digits
        help_text="The Taxpayer Identification Number you bill Medicare under: 12-3456789 (EIN) or 123-45-6789 (SSN).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    categories = categories_field("Choose every category that applies to this request.")
    attested = forms.BooleanField(required=False, label=ATTESTATION_TEXT)
    documents = DocumentsField(
        label="Supporting documents",
        help_text="PDF, PNG or JPEG; at most 10 MB each and 5 per request.",
    )

    class Meta:
        model = ExemptionRequest
        fields = ["tin", "contact_phone", "categories", "justification", "cehrt_id", "attested"]
        labels = {"contact_phone": "Phone", "cehrt_id": "CEHRT certification ID"}
        help_texts = {
            "cehrt_id": "Certified EHR technology (CEHRT). Needed when you choose an EHR category: the 15-character "
            "ID from the Certified Health IT Product List.",
            "justification": "Explain, specifically for each category chosen, why e-prescribing was a significant "
            "hardship. Plain text.",
        }
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 8}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, for_submit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_submit = for_submit
        self.offer_categories_of(self.instance.year)
        self.fields["attested"].label = self.instance.year.attestation_text or ATTESTATION_TEXT  # worded per year
        limit = settings.PORTAL_JUSTIFICATION_MAX_CHARS
        self.fields["justification"].max_length = limit
        self.fields["justification"].validators.append(lambda v: too_long(v, limit))
        self.fields["justification"].widget.attrs.update({"data-max-chars": limit})
        if self.instance.tin and not self.is_bound:
            self.initial["tin"] = format_tin(self.instance.tin)

    def clean(self):
        data = super().clean()
        if not self.for_submit:
            return data
        problems = submit_field_problems(
            tin=data.get("tin"),
            contact_phone=data.get("contact_phone"),
            categories=data.get("categories") or [],
            cehrt_id=data.get("cehrt_id"),
            justification=data.get("justification"),
            attested=data.get("attested"),
            allowed={yc.category_id for yc in self.year_categories},
            year=self.instance.year,
        )
        for name, message in problems.items():
            if name not in self.errors:  # a format error already says what to fix there
                self.add_error(name, message)
        return data


def too_long(value: str, limit: int) -> None:
    if value and len(value) > limit:
        raise ValidationError(f"Justification is {len(value):,} characters; the limit is {limit:,}.")


class AffectedEPForm(PortalFormMixin, forms.Form):
    optional_fields = ("address_line2",)
    # Labels from completeness.FIELD_LABELS: the form, the CSV messages and the emails name a field alike.
    npi = text_field(label("npi"), 10, "off", help_text="National Provider Identifier: 10 digits.", inputmode="numeric")
    name = text_field(label("name"), 200, "name")
    address_line1 = text_field(label("address_line1"), 200, "address-line1")
    address_line2 = text_field(label("address_line2"), 200, "address-line2")
    city = text_field(label("city"), 100, "address-level2")
    state = StateField(label=label("state"))
    zip_code = ZipCodeField(label=label("zip_code"))
    email = forms.EmailField(
        label=label("email"),
        required=False,
        max_length=254,
        help_text="Needed to submit: CMS sends this EP a copy of its decision.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, for_submit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_submit = for_submit

    def clean_npi(self):
        value = self.cleaned_data["npi"].strip()
        return validate_npi(value) if value else ""

    def clean(self):
        data = super().clean()
        if self.for_submit and not self.cleaned_data.get("DELETE") and self.has_any_value():
            for name, message in ep_field_problems(data).items():
                if name not in self.errors:
                    self.add_error(name, message)
        return data

    def has_any_value(self) -> bool:
        return any((self.cleaned_data.get(n) or "") for n in self.fields if n != "DELETE")


class BaseEPFormSet(forms.BaseFormSet):
    def __init__(self, *args, for_submit: bool = False, **kwargs):
        self.for_submit = for_submit
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this EP"

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "for_submit": self.for_submit}

    def clean(self):
        if any(self.errors):
            return
        seen: dict[str, int] = {}
        for number, form in enumerate(self.forms, start=1):
            if self.can_delete and self._should_delete_form(form):
                continue
            npi = form.cleaned_data.get("npi")
            if npi and npi in seen:
                raise ValidationError(
                    f"NPI {npi} is listed twice (EP {seen[npi]} and EP {number}). Each EP may appear only once "
                    "per request."
                )
            if npi:
                seen[npi] = number
        if self.for_submit and not seen:
            raise ValidationError("Add at least one affected EP with an NPI to submit.")

    def rows(self) -> list[dict]:
        """The EP rows to keep, in order, without empty or removed ones."""
        rows = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            if any(data.values()):
                rows.append(data)
        return rows


EPFormSet = forms.formset_factory(
    AffectedEPForm,
    formset=BaseEPFormSet,
    extra=0,
    can_delete=True,
    max_num=2500,
    validate_max=True,
    absolute_max=2500,
)


class WithdrawForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class InformationResponseForm(PortalFormMixin, forms.Form):
    answer = forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    documents = DocumentsField(
        label="Documents", help_text="PDF, PNG or JPEG; at most 10 MB each and 5 per request in all."
    )
