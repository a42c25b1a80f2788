"""The informal review form: validates and normalizes only (what a complete review holds is the service's rule)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from .forms import DocumentsField
from .identifiers import format_tin, normalize_tin, validate_npi
from .models import InformalReview
from .services.informal_reviews import MAX_NPIS

NPI_SEPARATORS = re.compile(r"[\s,;]+")


class InformalReviewForm(forms.ModelForm):
    tin = forms.CharField(
        label="TIN",
        required=False,
        max_length=11,  # typed with a dash or spaces (12-3456789); stored as 9 digits
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="The Taxpayer Identification Number the adjustment was applied to, e.g. 12-3456789.",
    )
    npis = forms.CharField(
        label="NPIs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric", "autocomplete": "off"}),
        help_text="The 10-digit NPI of each eligible professional the adjustment was applied to, one per line.",
    )
    documents = DocumentsField(
        label="Supporting documents (optional)",
        help_text="PDF, PNG or JPEG, e.g. claims showing the eRx measure or a G-code was reported.",
    )

    class Meta:
        model = InformalReview
        fields = ["tin", "npis", "reason", "contact_email"]
        labels = {
            "reason": "Why do you believe the payment adjustment is wrong?",
            "contact_email": "Email address for CMS's answer",
        }
        help_texts = {
            "reason": "For example: you e-prescribed successfully in the reporting period, you were automatically "
            "excluded, or you reported a hardship G-code on your claims.",
        }
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].max_length = 5000
        if self.instance.pk and not self.is_bound:
            self.initial["tin"] = format_tin(self.instance.tin)
            self.initial["npis"] = "\n".join(self.instance.npis)

    def clean_tin(self):
        value = self.cleaned_data["tin"] or ""
        return normalize_tin(value) if value.strip() else ""

    def clean_npis(self):
        """Every NPI checked (all problems at once), duplicates dropped, the order kept."""
        found, problems = [], []
        for value in NPI_SEPARATORS.split(self.cleaned_data["npis"] or ""):
            if not value:
                continue
            try:
                npi = validate_npi(value)
            except ValidationError as refused:
                problems.append(f"{value[:20]}: {refused.messages[0]}")
                continue
            if npi not in found:
                found.append(npi)
        if len(found) > MAX_NPIS:
            problems.append(f"An informal review may list at most {MAX_NPIS} NPIs; you entered {len(found)}.")
        if problems:
            raise ValidationError(problems)
        return found

    def clean_reason(self):
        value = (self.cleaned_data["reason"] or "").strip()
        if len(value) > 5000:
            raise ValidationError(f"Keep the explanation under 5,000 characters (it has {len(value):,}).")
        return value
