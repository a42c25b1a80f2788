"""The EP's request in steps: each step's form is the request form cut down to that step's fields.

The field definitions stay in forms.py (one label, one check per field); a step only chooses which of them it
shows and saves. A draft save checks formats only; completeness is the submit's business (completeness.py).
"""

from __future__ import annotations

from django import forms

from .completeness import EP_FIELDS
from .forms import EPFormSet, RequestForm

# Which fields each step shows and saves ("eps" is the EP formset). "all": the whole request in one POST (a page
# opened before the steps existed still saves and submits).
STEP_FIELDS = {
    "eps": (),
    "practice": ("tin", "contact_phone", "contact_name", "contact_email"),
    "hardship": ("categories", "cehrt_id", "justification", "documents"),
    "check": ("attested",),
    "all": ("tin", "contact_phone", "categories", "justification", "cehrt_id", "attested", "documents"),
}
STEPS_WITH_EPS = ("eps", "all")


class StepForm(RequestForm):
    """RequestForm with only the fields of one step (and the contact's name and email for the practice step)."""

    class Meta(RequestForm.Meta):
        fields = [*RequestForm.Meta.fields, "contact_name", "contact_email"]
        labels = {**RequestForm.Meta.labels, "contact_name": "Contact name", "contact_email": "Contact email"}
        help_texts = {
            **RequestForm.Meta.help_texts,
            "contact_email": "We send the confirmation to this address and to your account's email.",
        }
        widgets = {
            **RequestForm.Meta.widgets,
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, step: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        for name in list(self.fields):
            if name not in STEP_FIELDS[step]:
                del self.fields[name]

    def add_error(self, field, error):
        # The submit check (RequestForm.clean) names every field; a step shows only its own. The others' problems
        # are the submit service's to report, from the stored draft, on the summary page.
        if field is None or field in self.fields:
            super().add_error(field, error)

    def draft_fields(self) -> dict:
        """The request's own fields this step saves (the categories and documents go to the service apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("categories", "documents")}

    def categories(self):
        """The ticked categories, or None (leave them as stored) on a step without them or when they did not validate
        (autosave keeps what is well formed)."""
        return self.cleaned_data.get("categories") if "categories" in self.fields else None

    def documents(self):
        return self.cleaned_data.get("documents") or ()


def step_forms(step: str, draft, data=None, files=None, *, for_submit: bool = False, extra_row: bool = False):
    """The bound (or initial) form and EP formset of `step`; the formset is None on a step without EPs."""
    form = StepForm(data, files, instance=draft, step=step, for_submit=for_submit)
    if step not in STEPS_WITH_EPS:
        return form, None
    if data is not None:
        return form, EPFormSet(data, prefix="ep", for_submit=for_submit)
    rows = list(draft.affected_eps.order_by("position", "id").values(*EP_FIELDS)) or [{}]
    return form, EPFormSet(initial=rows + ([{}] if extra_row else []), prefix="ep")
