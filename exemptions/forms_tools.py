"""The public tools' forms (estimator, pre-check): validate and normalize only; the rules live in payment_impact.py
and eligibility.py."""

from __future__ import annotations

from django import forms

from . import eligibility as e
from .payment_impact import YEARS, AmountError, parse_amount


class EstimatorForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Year",
        coerce=int,
        choices=[(y, str(y)) for y in YEARS],
        error_messages={"required": "Choose the year.", "invalid_choice": "Choose one of the years listed."},
        help_text="2012-2014 had a payment adjustment; 2009-2013 paid an incentive to successful e-prescribers.",
    )
    charges = forms.CharField(
        label="Medicare Part B Physician Fee Schedule allowed charges for the year, in dollars",
        max_length=40,
        required=False,  # clean_charges says what to type, in one message
        help_text="Per TIN/NPI pair. Digits, with or without commas and cents: 250000 or 250,000.00.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_charges(self):
        try:
            return parse_amount(self.cleaned_data.get("charges"))
        except AmountError as error:
            raise forms.ValidationError(str(error)) from None


def _radio(label: str, choices: dict[str, str] | list[tuple[str, str]], missing: str, help_text: str = ""):
    return forms.ChoiceField(
        label=label,
        choices=list(choices.items()) if isinstance(choices, dict) else choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": missing, "invalid_choice": missing},
    )


DONT_KNOW = (e.UNKNOWN, "I don't know")


class PrecheckForm(forms.Form):
    """Every question must be answered: a missing answer gets its own message naming it."""

    year = forms.TypedChoiceField(
        label="Which adjustment year are you asking about?",
        coerce=int,
        choices=[(y, f"{y} adjustment") for y in e.RULES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the adjustment year.", "invalid_choice": "Choose the adjustment year."},
    )
    npi = forms.CharField(
        label="NPI (optional)",
        required=False,
        max_length=20,
        help_text="Give your NPI and choose “Look up my profession” to pre-answer the profession from the NPI "
        "registry.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    profession = _radio("What is your profession?", e.PROFESSIONS, "Choose your profession.")
    prescribing = _radio(
        "Did you have prescribing privileges?",
        [(e.YES, "Yes"), (e.NO, "No")],
        "Say whether you had prescribing privileges.",
    )
    encounters = _radio(
        "How many denominator-eligible encounters (visits billed with the eRx measure's codes) did you have in the "
        "reporting period?",
        [(e.BELOW, "Fewer than 100"), (e.AT_LEAST, "100 or more"), DONT_KNOW],
        "Say how many denominator-eligible encounters you had (or that you don't know).",
    )
    charges_share = _radio(
        "What share of your Part B allowed charges (per TIN) came from the eRx measure's denominator codes?",
        [(e.BELOW, "Less than 10%"), (e.AT_LEAST, "10% or more"), DONT_KNOW],
        "Say what share of your allowed charges came from the measure's codes (or that you don't know).",
    )
    g_code = _radio(
        "Did you report a hardship G-code on your Medicare claims?",
        [
            (e.G8642, "G8642: rural area without sufficient high-speed internet"),
            (e.G8643, "G8643: area without sufficient pharmacies that accept e-prescriptions"),
            (e.BOTH, "Both"),
            (e.NONE, "Neither"),
            DONT_KNOW,
        ],
        "Say whether you reported G8642 or G8643 on claims (or neither).",
    )
    ehr = _radio(
        "What was your certified EHR status?",
        [
            (e.MEANINGFUL_USE, "I achieved meaningful use and attested to it"),
            (
                e.CEHRT,
                "I registered for the EHR Incentive Program and adopted certified EHR technology (I have its ID)",
            ),
            (e.NONE, "Neither"),
            DONT_KNOW,
        ],
        "Say what your certified EHR status was (or neither).",
    )
