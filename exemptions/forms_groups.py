"""GPRO group forms: validate and normalize only. EP rows reuse the online request's AffectedEPForm/EPFormSet."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import zlib

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone

from . import csv_import
from .completeness import GROUP_FIELDS
from .form_fields import PortalFormMixin, StateField, ZipCodeField
from .forms import HardshipFieldsMixin, categories_field, too_long
from .models import ExemptionRequest
from .windows import ET

GROUP_ATTESTATION = (
    "I attest that the information in this request is accurate and complete to the best of my knowledge, and that "
    "I am authorized to request this exemption on behalf of the group practice and every EP listed."
)


class GroupRequestForm(PortalFormMixin, HardshipFieldsMixin, forms.ModelForm):
    optional_fields = ("address_line2", "cehrt_id")
    tin = forms.CharField(
        label="Group TIN",
        required=False,
        max_length=11,  # 12-3456789 (or 123-45-6789); stored as 9 digits
        help_text="The group's Taxpayer Identification Number (EIN), e.g. 12-3456789. It is printed in full on the "
        "letter because CMS needs it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    gpro_program_year = forms.TypedChoiceField(
        label="GPRO program year",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="The year the group took part in the Group Practice Reporting Option (GPRO).",
    )
    state = StateField()
    zip_code = ZipCodeField()
    categories = categories_field("Choose every category that applies to the group.")
    attested = forms.BooleanField(required=False, label=GROUP_ATTESTATION)

    class Meta:
        model = ExemptionRequest
        fields = [*GROUP_FIELDS, "categories"]
        labels = {
            "group_name": "Group legal name",
            "gpro_option": "GPRO option",
            "contact_name": "Contact person",
            "contact_title": "Contact's title",
            "contact_phone": "Contact's phone",
            "contact_email": "Contact's email",
            "address_line1": "Street address",
            "address_line2": "Address line 2",
            "cehrt_id": "CEHRT certification ID",
        }
        help_texts = {
            "group_name": "As registered with the IRS for the TIN.",
            "gpro_option": "The Group Practice Reporting Option (GPRO) the group used: GPRO I or GPRO II.",
            "address_line1": "The group's mailing address: printed as the letter's return address.",
            "cehrt_id": "Certified EHR technology (CEHRT). Needed only for an EHR category: the 15-character ID "
            "from the Certified Health IT Product List.",
            "justification": "Explain, specifically for each category chosen, why e-prescribing was a significant "
            "hardship for the group. Plain text; it is printed on the letter as typed.",
        }
        widgets = {
            "gpro_option": forms.RadioSelect,
            "justification": forms.Textarea(attrs={"rows": 8}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "group_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = self.instance.year
        self.offer_categories_of(year)
        self.fields["attested"].label = year.group_attestation_text or GROUP_ATTESTATION  # worded per year
        # The year's own list (2012: only the 2011 GPRO I or II); else eRx GPRO ran 2010-2013, before the year.
        years = year.gpro_program_year_list or [y for y in (2013, 2012, 2011, 2010) if y < year.year]
        self.fields["gpro_program_year"].choices = [("", "Choose a year")] + [(y, str(y)) for y in years]
        self.fields["gpro_option"].choices = ExemptionRequest.GproOption.choices
        self.fields["gpro_option"].required = False
        limit = settings.PORTAL_JUSTIFICATION_MAX_CHARS
        self.fields["justification"].max_length = limit
        self.fields["justification"].validators.append(lambda v: too_long(v, limit))
        self.fields["justification"].widget.attrs.update({"data-max-chars": limit})
        if self.instance.tin and not self.is_bound:
            self.initial["tin"] = self.instance.tin


class CSVImportForm(PortalFormMixin, forms.Form):
    MODE_REPLACE, MODE_ADD = "replace", "add"
    file = forms.FileField(
        label="CSV file of affected EPs",
        help_text=f"UTF-8 or Excel CSV, at most {csv_import.MAX_ROWS:,} rows and "
        f"{csv_import.MAX_BYTES // 1024 // 1024} MB. The first line names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    mode = forms.ChoiceField(
        label="What to do with the EPs already listed",
        choices=[(MODE_ADD, "Add the file's EPs to the list"), (MODE_REPLACE, "Replace the whole list with the file")],
        initial=MODE_ADD,  # an import never removes anyone unless the person chooses so
        widget=forms.RadioSelect,
    )
    replace_confirmed = forms.BooleanField(
        required=False, label="Yes, remove every EP listed now and keep only the EPs in the file"
    )

    def __init__(self, *args, listed: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.listed = listed

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.MODE_REPLACE and self.listed and not data.get("replace_confirmed"):
            self.add_error(
                "replace_confirmed",
                f"Replacing the list removes the {self.listed:,} EP(s) listed now: check the box to confirm, "
                "or choose to add the file's EPs to the list.",
            )
        if data.get("file"):
            data.update(content=data["file"].read(), confirm=False)
        return data


class CSVImportConfirmForm(PortalFormMixin, forms.Form):
    """The second step of an import whose lines have registry warnings: the same file and mode, signed for this
    group and carried in the page (no file chosen again, nothing kept on the server), and the check box that notes
    the warnings. A 2,500-row file of ~0.5 MB travels as ~0.2 MB of compressed text."""

    MAX_AGE = 60 * 60  # an hour to read the warnings; later, the file is chosen again
    upload = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, label="Import anyway; the warnings above are noted")

    def __init__(self, *args, group_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.signer = self.signer_for(group_id)

    @staticmethod
    def signer_for(group_id) -> signing.TimestampSigner:
        return signing.TimestampSigner(salt=f"exemptions.group_eps_import:{group_id}")

    @classmethod
    def for_file(cls, content: bytes, mode: str, *, group_id) -> CSVImportConfirmForm:
        packed = base64.b64encode(zlib.compress(content)).decode()
        return cls(initial={"upload": cls.signer_for(group_id).sign(f"{mode}:{packed}")}, group_id=group_id)

    def clean_upload(self):
        try:
            mode, packed = self.signer.unsign(self.cleaned_data["upload"], max_age=self.MAX_AGE).split(":", 1)
            content = zlib.decompress(base64.b64decode(packed, validate=True))
        except (signing.BadSignature, ValueError, binascii.Error, zlib.error):
            raise forms.ValidationError(
                "This confirmation has expired or cannot be read: choose the file and import it again."
            ) from None
        if mode not in (CSVImportForm.MODE_REPLACE, CSVImportForm.MODE_ADD):
            raise forms.ValidationError("Choose the file and import it again.")
        self.cleaned_data.update(content=content, mode=mode)
        return self.cleaned_data["upload"]


class MailedForm(PortalFormMixin, forms.Form):
    mailed_on = forms.DateField(
        label="Date you mailed the letter",
        help_text="The date on the postmark if you have it (e.g. 2011-10-28).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, generated_on: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.generated_on = generated_on

    def clean_mailed_on(self):
        value = self.cleaned_data["mailed_on"]
        today = timezone.now().astimezone(ET).date()
        if value > today:
            raise forms.ValidationError("The mailing date cannot be in the future.")
        if self.generated_on and value < self.generated_on:
            raise forms.ValidationError(
                f"The mailing date cannot be before the letter was generated ({self.generated_on:%B %-d, %Y})."
            )
        return value


class ReceivedForm(PortalFormMixin, forms.Form):
    """Staff: the reference typed or scanned from the letter's QR code, and the two dates."""

    reference = forms.CharField(
        label="Reference",
        max_length=40,
        help_text="Scan the QR code on the letter, or type the reference printed under it (e.g. HX-2012-000042).",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    received_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    postmarked_on = forms.DateField(label="Postmark date", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()

    def clean(self):
        data = super().clean()
        received, postmarked = data.get("received_on"), data.get("postmarked_on")
        if received and postmarked and postmarked > received:
            self.add_error("postmarked_on", "The postmark cannot be later than the day the letter was received.")
        if received and received > timezone.now().astimezone(ET).date():
            self.add_error("received_on", "The received date cannot be in the future.")
        return data
