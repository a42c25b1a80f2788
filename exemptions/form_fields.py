"""What every form of the portal shares: the address fields, "(optional)" labels and messages in its own words.

A person never reads a stock validator text ("Ensure this value has at most 2 characters (it has 8)"): the mixin
puts the portal's words on every field of a form, and the CSV import shows the same messages by line.
"""

from __future__ import annotations

from django import forms

from .addresses import state_choices, state_code, zip_code

OPTIONAL = " (optional)"
MAX_LENGTH = "Use at most %(limit_value)d characters; this has %(show_value)d. Shorten it."
INVALID_CHOICE = "Choose one of the options listed."
INVALID_EMAIL = "Enter an email address like name@example.org."


class StateField(forms.ChoiceField):
    """A list of the USPS codes (states, DC, territories, military), shown by name so browser autofill of
    "Maryland" picks MD. A posted or imported "md ", "M.D." or "Maryland" is read as MD; "XX" is refused."""

    def __init__(self, *, label: str = "State", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Select(attrs={"autocomplete": "address-level1"}))
        super().__init__(label=label, choices=[("", "Choose a state"), *state_choices()], **kwargs)

    def to_python(self, value):
        return state_code(value if isinstance(value, str) else "")

    def keep_stored(self, value) -> None:
        """A row saved before State was a list may hold "Ma" or "XX": offer it as it is, so the page shows it and a
        save asks for a real code instead of silently emptying the box."""
        if value and value not in {code for code, _name in self.choices}:
            self.choices = [*self.choices, (value, f"{value} (not a state code: choose the state)")]

    def validate(self, value):
        forms.Field.validate(self, value)  # the code is already one of the choices (state_code checked it)


class ZipCodeField(forms.CharField):
    """5 digits or ZIP+4; nine digits typed without the dash are stored as 12345-6789."""

    def __init__(self, *, label: str = "ZIP code", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "5 digits (21244) or ZIP+4 (21244-1850).")
        attrs = {"autocomplete": "postal-code", "inputmode": "numeric"}
        super().__init__(label=label, max_length=10, widget=forms.TextInput(attrs=attrs), **kwargs)

    def to_python(self, value):
        return zip_code(super().to_python(value))


class PortalFormMixin:
    """Labels marked "(optional)" in one place, and the portal's messages on every field.

    `optional_fields`: the fields a person may leave empty even to submit. Forms that save drafts make every field
    `required=False` (a draft may be half-filled), so they name their optional fields; other forms leave it None
    and every field that is not required is marked.
    """

    optional_fields: tuple[str, ...] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            optional = (not field.required) if self.optional_fields is None else name in self.optional_fields
            portal_words(field, optional=optional and not isinstance(field, forms.BooleanField))
            if isinstance(field, StateField):
                field.keep_stored(self.initial.get(name))


def portal_words(field: forms.Field, *, optional: bool) -> None:
    label = str(field.label or "")
    if optional and label and not label.endswith(OPTIONAL):
        field.label = label + OPTIONAL
    if field.required and label:
        field.error_messages["required"] = f"{label} is required."
    field.error_messages["max_length"] = MAX_LENGTH
    if str(field.error_messages.get("invalid_choice", "")).startswith("Select a valid choice"):  # Django's own
        field.error_messages["invalid_choice"] = INVALID_CHOICE
    if isinstance(field, forms.EmailField):
        field.error_messages["invalid"] = INVALID_EMAIL
