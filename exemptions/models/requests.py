"""Requests for exemption, the people they cover, their documents and their history."""

import unicodedata
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from localflavor.us.us_states import STATE_CHOICES
from simple_history.models import HistoricalRecords

from .program import AdjustmentYear, Channel, HardshipCategory, SubmissionWindow


def document_upload_to(instance: "SupportingDocument", filename: str) -> str:
    # Random names: the client's file name is kept only as data, never as a path. The extension is the one of the
    # type detected from the content (a PDF sent as "poly.html" is stored as <random>.pdf).
    extensions = SupportingDocument.EXTENSIONS.get(instance.content_type)
    return f"documents/{uuid.uuid4().hex}" + (f".{extensions[0]}" if extensions else "")


def us_state_choices() -> list[tuple[str, str]]:
    """The USPS codes a mailing address may use (states, DC, territories, military), from django-localflavor; a
    callable, so a migration names it instead of copying 59 names."""
    return [(code, str(name)) for code, name in STATE_CHOICES]


class ExemptionRequest(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual EP"
        GROUP = "group", "GPRO group"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        LETTER_GENERATED = "letter_generated", "Letter generated"
        MAILED = "mailed", "Letter mailed"
        RECEIVED = "received", "Letter received"
        UNDER_REVIEW = "under_review", "Under review"
        INFO_REQUESTED = "info_requested", "More information requested"
        RESUBMITTED = "resubmitted", "Resubmitted"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class RegistrySummary(models.TextChoices):
        NOT_CHECKED = "", "Not checked"
        MATCH = "match", "All EPs match"
        WARNING = "warning", "Some EP does not match"

    class GproOption(models.TextChoices):
        GPRO_I = "I", "GPRO I"
        GPRO_II = "II", "GPRO II"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exemption_requests")
    year = models.ForeignKey(AdjustmentYear, on_delete=models.PROTECT, related_name="requests")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change: optimistic locking.")

    tin = models.CharField("TIN", max_length=9, blank=True)
    categories = models.ManyToManyField(HardshipCategory, blank=True, related_name="requests")
    justification = models.TextField(blank=True)
    cehrt_id = models.CharField("CEHRT certification ID", max_length=30, blank=True)
    attested = models.BooleanField(default=False)
    attestation_text = models.TextField(blank=True, help_text="The attestation as worded for the year when filed.")

    # Contact / mailing address: the EP's own for an individual, the group's for GPRO.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_title = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    contact_email = models.EmailField(blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, choices=us_state_choices)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)

    # GPRO only.
    group_name = models.CharField("group legal name", max_length=200, blank=True)
    gpro_option = models.CharField("GPRO option", max_length=2, choices=GproOption.choices, blank=True)
    gpro_program_year = models.PositiveSmallIntegerField("GPRO program year", null=True, blank=True)
    mailed_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    postmarked_on = models.DateField(null=True, blank=True)

    # Denormalized for the staff list (kept by services): no join per row.
    display_name = models.CharField(max_length=200, blank=True)
    first_npi = models.CharField("NPI", max_length=10, blank=True)
    ep_count = models.PositiveIntegerField(default=0)
    registry_summary = models.CharField(
        "NPI registry",
        max_length=8,
        choices=RegistrySummary.choices,
        blank=True,
        default=RegistrySummary.NOT_CHECKED,
        help_text="Its EPs checked against the NPI registry at submission (or at the last re-check).",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_window = models.ForeignKey(
        SubmissionWindow, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_requests"
    )
    decision_reason_code = models.CharField(max_length=50, blank=True)
    decision_message = models.TextField(blank=True, help_text="Shown to the EP.")
    internal_notes = models.TextField(blank=True, help_text="Staff only: never shown to the EP.")
    reminders_opt_out = models.BooleanField(default=False)

    # The registry summary is derived (a re-check rewrites it): not an edit worth a history row.
    history = HistoricalRecords(excluded_fields=["updated_at", "version", "registry_summary"])

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="req_status_submitted"),
            models.Index(fields=["year", "status"], name="req_year_status"),
            models.Index(fields=["owner", "-created_at"], name="req_owner_created"),
            models.Index(fields=["tin"], name="req_tin"),
            models.Index(fields=["first_npi"], name="req_first_npi"),
            models.Index(fields=["submitted_at"], name="req_submitted"),
            # The reviewers' queues (selectors/review.py), oldest first: "unassigned" is a small slice of a big
            # table, and "mine" / "waiting" / "ready" are one reviewer's undecided requests.
            models.Index(
                fields=["submitted_at", "id"],
                name="req_queue_unassigned",
                condition=Q(
                    assigned_reviewer__isnull=True, status__in=["submitted", "received", "resubmitted", "under_review"]
                ),
            ),
            models.Index(fields=["assigned_reviewer", "status", "submitted_at"], name="req_queue_reviewer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reference__isnull=False), name="submitted_request_has_reference"
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft #{self.pk}"

    @property
    def channel(self) -> str:
        return Channel.LETTER if self.kind == self.Kind.GROUP else Channel.ONLINE

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class AffectedEP(models.Model):
    request = models.ForeignKey(ExemptionRequest, on_delete=models.CASCADE, related_name="affected_eps")
    position = models.PositiveIntegerField(default=0)
    npi = models.CharField("NPI", max_length=10, blank=True)
    name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, choices=us_state_choices)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "affected EP"
        indexes = [models.Index(fields=["npi"], name="ep_npi")]
        constraints = [
            models.UniqueConstraint(fields=["request", "npi"], condition=~Q(npi=""), name="one_npi_per_request")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.npi})"

    @property
    def mailing_address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.city}, {self.state} {self.zip_code}".strip(", ")]
        return "\n".join(p for p in parts if p.strip())


class InformationRequest(models.Model):
    """Staff asked the EP for more; the EP answers here."""

    request = models.ForeignKey(ExemptionRequest, on_delete=models.CASCADE, related_name="information_requests")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    message = models.TextField()
    reply_by = models.DateField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return f"Question of {self.asked_at:%Y-%m-%d} on {self.request}"


class SupportingDocument(models.Model):
    # The types an upload may be (detected from its content), with the extensions each may carry; the first is the
    # one a stored file and a renamed download get.
    EXTENSIONS = {"application/pdf": ("pdf",), "image/png": ("png",), "image/jpeg": ("jpg", "jpeg")}

    request = models.ForeignKey(ExemptionRequest, on_delete=models.CASCADE, related_name="documents")
    information_request = models.ForeignKey(
        InformationRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The name every download saves under: the EP's file name, shown as typed, ending in the extension of the
        type detected at upload ("poly.html" holding a PDF downloads as "poly.html.pdf", never as .html)."""
        name = "".join("_" if unicodedata.category(c).startswith("C") else c for c in self.original_name)
        name = name.replace("/", "_").replace("\\", "_").strip(" .")[:90] or "document"
        extensions = self.EXTENSIONS.get(self.content_type, ("bin",))
        if name.rsplit(".", 1)[-1].lower() in extensions and "." in name:
            return name
        return f"{name}.{extensions[0]}"


class StatusChange(models.Model):
    """One row per workflow transition: the status history the EP and staff read."""

    request = models.ForeignKey(ExemptionRequest, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ExemptionRequest.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ExemptionRequest.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    reason_code = models.CharField(max_length=50, blank=True)
    message_to_ep = models.TextField(blank=True, help_text="Shown to the EP.")
    internal_note = models.TextField(blank=True, help_text="Staff only.")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="status_change_request_at")]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class Extension(models.Model):
    """Lets one request submit after its window closed, until `until` (the last second accepted).

    Staff grant an extension to the requests they choose (the one they are reviewing and, if they check them, other
    requests under its TIN of the same year and channel): one row per chosen request, the rows of one grant sharing
    `grant_id`. An extension never follows a TIN: a request whose owner types the TIN later is not covered.
    """

    grant_id = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    year = models.ForeignKey(AdjustmentYear, on_delete=models.PROTECT, related_name="extensions")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    request = models.ForeignKey(ExemptionRequest, on_delete=models.CASCADE, related_name="extensions")
    until = models.DateTimeField()
    reason = models.TextField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(fields=["grant_id", "request"], name="extension_one_row_per_request_per_grant")
        ]

    def __str__(self) -> str:
        return f"Extension until {self.until:%Y-%m-%d %H:%M}"


class ReferenceCounter(models.Model):
    """Last reference number issued per series and year: references are never reused, even after a rollback elsewhere.

    A series is a reference's prefix: "HX" for hardship requests and letters, "IR" for informal reviews."""

    series = models.CharField(max_length=4, default="HX")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="reference_counter_series_year")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"
