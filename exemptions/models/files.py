"""Files built once for a submitted request (its receipt, its audit bundle) and kept with their hash.

A web request never renders them: a worker builds each after submission, and again when what it contains changed
(`fingerprint`); downloads stream the stored file.
"""

from __future__ import annotations

import uuid

from django.db import models

from .letters import RenderedByATask


def stored_file_upload_to(instance: StoredFile, filename: str) -> str:
    extension = "pdf" if instance.kind == StoredFile.Kind.RECEIPT else "zip"
    return f"built/{instance.kind}s/{uuid.uuid4().hex}.{extension}"


class StoredFile(RenderedByATask):
    """One build of a request's receipt or audit bundle, from one state of the request (its fingerprint)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt (PDF)"
        BUNDLE = "bundle", "Audit bundle (ZIP)"

    request = models.ForeignKey("exemptions.ExemptionRequest", on_delete=models.CASCADE, related_name="stored_files")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the file was built from (services/stored_files.py): a different fingerprint means a new build.
    fingerprint = models.CharField(max_length=100)
    file = models.FileField(upload_to=stored_file_upload_to, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "fingerprint"], name="stored_file_one_build"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="stored_file_status_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.request} ({self.get_status_display()})"

    @property
    def download_name(self) -> str:
        if self.kind == self.Kind.RECEIPT:
            return f"receipt-{self.request.reference}.pdf"
        return f"audit-bundle-{self.request.reference}.zip"

    @property
    def content_type(self) -> str:
        return "application/pdf" if self.kind == self.Kind.RECEIPT else "application/zip"
