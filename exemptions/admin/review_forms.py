"""Forms of the staff review screens. They validate and normalize only; services decide what is allowed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from .. import reasons
from ..forms_groups import ReceivedForm
from ..models import ExemptionRequest
from ..windows import ET

DECISION_TITLES = {
    reasons.Decision.APPROVE: "Approve",
    reasons.Decision.DENY: "Deny",
    reasons.Decision.REQUEST_INFO: "Request more information",
}


class ReviewNotesForm(forms.ModelForm):
    """The only thing staff edit on the change form: internal notes. `seen_version` carries optimistic locking."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ExemptionRequest
        fields = ["internal_notes"]
        widgets = {"internal_notes": forms.Textarea(attrs={"rows": 4, "cols": 80})}
        help_texts = {"internal_notes": "Staff only. Never shown to the EP or put in any email."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["seen_version"] = self.instance.version


def _message_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": 6, "cols": 90}), help_text=help_text
    )


class ReasonForm(forms.Form):
    """A reason code of one kind of decision and the message the EP reads (empty: the reason's default text)."""

    reason_code = forms.ChoiceField(label="Reason")
    message_is_for = "reason the EP will read"  # completes "Write the …" when there is no message

    def __init__(self, *args, decision: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.fields["reason_code"].choices = [("", "---------"), *reasons.choices_for(decision)]

    def clean(self):
        data = super().clean()
        message = (data.get("message") or "").strip() or reasons.default_message(data.get("reason_code") or "")
        if not message and "reason_code" not in self.errors:
            self.add_error("message", f"Write the {self.message_is_for}: this reason has no default text.")
        data["message"] = message
        return data


class DecisionForm(ReasonForm):
    """Approve / deny / request information: a reason code, the message the EP reads, an internal note."""

    field_order = ["version", "reason_code", "message", "reply_by", "internal_note"]
    version = forms.IntegerField(widget=forms.HiddenInput)
    message = _message_field(
        "Message to the EP",
        "Sent to the EP word for word and shown on their dashboard. Left empty: the reason's default text.",
    )
    reply_by = forms.DateField(
        label="Reply by", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Eastern Time."
    )
    internal_note = forms.CharField(
        label="Internal note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 90}),
        help_text="Staff only: kept in the status history, never shown to the EP.",
    )

    def __init__(self, *args, decision: str, **kwargs):
        super().__init__(*args, decision=decision, **kwargs)
        self.fields["reason_code"].required = decision != reasons.Decision.APPROVE
        if decision != reasons.Decision.REQUEST_INFO:
            del self.fields["reply_by"]
        else:
            self.message_is_for = "question for the EP"
            self.fields["reply_by"].required = True
            self.fields["reply_by"].initial = timezone.now().astimezone(ET).date() + dt.timedelta(days=30)


class BulkDecisionForm(ReasonForm):
    message_is_for = "reason every EP will read"
    message = _message_field(
        "Message to every EP",
        "Each EP receives the same full email a single decision sends. Empty: the reason's default text.",
    )


class ReopenForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why reopen this decided request?",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}),
        help_text="Required; kept in the audit trail. Decisions are final for the EP: reopen only to correct an error.",
    )


class ExtensionForm(forms.Form):
    """Which requests (under this request's TIN, same year and channel) may submit late, until when, and why."""

    exemptions = forms.ModelMultipleChoiceField(
        label="Extend these requests",
        queryset=ExemptionRequest.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Requests under this TIN of the same year and channel. Only the checked ones are extended: a request "
        "started later under this TIN is not.",
    )
    until = forms.DateTimeField(
        label="May submit until (Eastern Time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="The last instant a submission is accepted, e.g. 2011-11-08 23:59.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}),
        help_text="Shown to the EP, e.g. “The online page was unreachable on the deadline day (November 1, 2011).”",
    )

    def __init__(self, *args, exemption: ExemptionRequest, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.exemption = exemption
        field = self.fields["exemptions"]
        field.queryset = candidates
        field.initial = [exemption.pk]
        field.label_from_instance = self.candidate_label

    def candidate_label(self, candidate: ExemptionRequest) -> str:
        """'HX-2013-000012 · Jane Doe (jane@example.org) · Draft · started Nov 1, 2011 (this request)'."""
        started = timezone.localtime(candidate.created_at)
        parts = [
            str(candidate),
            f"{candidate.display_name or 'no EP named yet'} ({candidate.owner.email})",
            candidate.get_status_display(),
            f"started {started:%b} {started.day}, {started.year}",
        ]
        this = " (this request)" if candidate.pk == self.exemption.pk else ""
        return " · ".join(parts) + this

    def clean_until(self):
        value = self.cleaned_data["until"]
        naive = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        return naive.replace(tzinfo=ET, second=59 if naive.second == 0 and naive.minute == 59 else naive.second)


class ReceivedDatesForm(ReceivedForm):
    """ "Letter received" on a GPRO request's review screen: the letters page's form, the reference being known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reference"]
        self.fields["received_on"].widget.attrs.pop("autofocus", None)


def panel_form(exemption: ExemptionRequest, decision: str, *, data=None, needs_cehrt: bool, answered: bool):
    """One decision of the review screen's panel, its reason preselected and the message filled with that reason's
    default text (the reviewer edits it). Prefixed by the decision: the panel holds all three."""
    code = reasons.suggested_reason(decision, needs_cehrt=needs_cehrt, answered=answered)
    if data is not None and f"{decision}-version" not in data:
        data = data.copy()
        data[f"{decision}-version"] = data.get("version", "")
    initial = {"version": exemption.version, "reason_code": code, "message": reasons.default_message(code)}
    return DecisionForm(data, decision=decision, prefix=decision, initial=initial)
