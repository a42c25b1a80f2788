"""Informal review requests: a second kind of request, about the payment adjustment itself.

A hardship decision is final. An informal review asks CMS to look again at whether the eRx payment adjustment
should apply to a TIN/NPI at all (the EP believes it was a successful e-prescriber, was excluded, reported a
G-code...). It has its own windows per adjustment year, its own reference series ("IR-"), its own documents and
its own emails; the window rule is the hardship requests' one (windows.window_state).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .program import DEFAULT_TIMING_NOTE, AdjustmentYear
from .requests import SupportingDocument

# What windows.window_state calls a window's channel: informal review windows form a channel of their own.
INFORMAL_REVIEW_CHANNEL = "informal_review"


class InformalReviewWindow(models.Model):
    """When CMS accepted informal review requests about one adjustment year (data: staff may edit it)."""

    year = models.ForeignKey(AdjustmentYear, on_delete=models.CASCADE, related_name="informal_review_windows")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(help_text="Last instant a request is accepted.")
    opening_published = models.BooleanField(
        default=True,
        help_text="False when CMS did not publish the opening day: the pages say so instead of showing a date.",
    )
    timing_note = models.TextField(default=DEFAULT_TIMING_NOTE, blank=True)
    staff_note = models.TextField(blank=True, help_text="Where the dates come from; what was assumed.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["year__year", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="informal_review_window_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year.year} informal review"

    @property
    def channel(self) -> str:
        return INFORMAL_REVIEW_CHANNEL


class InformalReview(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        UPHELD = "upheld", "Decided: adjustment upheld"
        REVERSED = "reversed", "Decided: adjustment reversed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="informal_reviews")
    year = models.ForeignKey(AdjustmentYear, on_delete=models.PROTECT, related_name="informal_reviews")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)

    tin = models.CharField("TIN", max_length=9, blank=True)
    npis = models.JSONField("NPIs", default=list, blank=True, help_text="The NPIs billed under the TIN.")
    reason = models.TextField(
        "why the adjustment is wrong", blank=True, help_text="Why the EP believes the adjustment should not apply."
    )
    contact_email = models.EmailField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_window = models.ForeignKey(
        InformalReviewWindow, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_message = models.TextField(blank=True, help_text="The reason the EP reads.")
    internal_notes = models.TextField(blank=True, help_text="Staff only: never shown to the EP.")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="ir_status_submitted"),
            models.Index(fields=["owner", "-created_at"], name="ir_owner_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reference__isnull=False), name="submitted_informal_review_has_reference"
            ),
        ]
        permissions = [("decide_informalreview", "Can decide informal reviews (start review, uphold, reverse)")]

    def __str__(self) -> str:
        return self.reference or f"Informal review draft #{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.UPHELD, self.Status.REVERSED)


def informal_review_document_upload_to(instance: InformalReviewDocument, filename: str) -> str:
    # As a hardship request's documents: a random name with the extension of the type detected from the content.
    extensions = SupportingDocument.EXTENSIONS.get(instance.content_type)
    return f"informal-reviews/{uuid.uuid4().hex}" + (f".{extensions[0]}" if extensions else "")


class InformalReviewDocument(models.Model):
    EXTENSIONS = SupportingDocument.EXTENSIONS

    review = models.ForeignKey(InformalReview, on_delete=models.CASCADE, related_name="documents")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=informal_review_document_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    # The one rule for a download's file name (the hardship request documents' own).
    download_name = SupportingDocument.download_name
