"""GPRO letters (rendered once, kept with their hash) and staff print batches."""

import uuid

from django.conf import settings
from django.db import models

from .requests import ExemptionRequest


def letter_upload_to(instance: "GroupLetter", filename: str) -> str:
    return f"letters/{uuid.uuid4().hex}.pdf"


def batch_upload_to(instance: "PrintBatch", filename: str) -> str:
    return f"batches/{uuid.uuid4().hex}.pdf"


class GroupLetter(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    request = models.ForeignKey("exemptions.ExemptionRequest", on_delete=models.CASCADE, related_name="letters")
    version = models.PositiveIntegerField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    file = models.FileField(upload_to=letter_upload_to, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # What the letter was rendered from: a finalise with nothing changed since returns this version again.
    source_version = models.PositiveIntegerField(default=0)
    # The date printed in "must be postmarked no later than …", kept so staff can flag late mailings.
    postmark_deadline = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["request", "-version"]
        constraints = [models.UniqueConstraint(fields=["request", "version"], name="letter_version_unique")]

    def __str__(self) -> str:
        return f"Letter v{self.version} for {self.request}"


class PrintBatch(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    letters = models.ManyToManyField(GroupLetter, related_name="batches")
    include_cover_sheet = models.BooleanField(default=True)
    file = models.FileField(upload_to=batch_upload_to, blank=True, max_length=200)
    page_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "print batches"

    def __str__(self) -> str:
        return f"Print batch {self.pk} ({self.get_status_display()})"


class GproLetterManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=ExemptionRequest.Kind.GROUP).exclude(reference=None)


class GproLetter(ExemptionRequest):
    """GPRO requests seen as letters: the staff's print-and-receive view in the admin (a proxy, no table)."""

    objects = GproLetterManager()

    class Meta:
        proxy = True
        verbose_name = "GPRO letter"
        verbose_name_plural = "GPRO letters"
