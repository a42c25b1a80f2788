"""GPRO letters (rendered once, kept with their hash), staff print batches, and the group request as mailed."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .requests import ExemptionRequest


def letter_upload_to(instance: GroupLetter | None, filename: str) -> str:
    return f"letters/{uuid.uuid4().hex}.pdf"


def batch_upload_to(instance: PrintBatch | None, filename: str) -> str:
    return f"batches/{uuid.uuid4().hex}.pdf"


class RenderStatus(models.TextChoices):
    """A rendered file's life: rendered by a task after the row is created, stored once, or failed visibly."""

    PREPARING = "preparing", "Preparing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class RenderedByATask(models.Model):
    """A row whose file a task renders after the row is created (services/render_queue.py keeps these fields)."""

    Status = RenderStatus

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the task was last handed to the broker: the drain publishes again a "preparing" row without.
    published_at = models.DateTimeField(null=True, blank=True)
    # A render claims the row first: a second copy of the task skips it; an expired claim means a lost worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True


class GroupLetter(RenderedByATask):
    """One version of a group's letter: the PDF as generated, never re-rendered."""

    request = models.ForeignKey("exemptions.ExemptionRequest", on_delete=models.CASCADE, related_name="letters")
    version = models.PositiveIntegerField()
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=letter_upload_to, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # What the letter was rendered from: a generate with nothing changed since returns this version again.
    source_version = models.PositiveIntegerField(default=0)
    # The date printed in "must be postmarked no later than …" (extensions included): the one lateness deadline.
    postmark_deadline = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["request", "-version"]
        constraints = [models.UniqueConstraint(fields=["request", "version"], name="letter_version_unique")]

    def __str__(self) -> str:
        return f"Letter v{self.version} for {self.request}"

    @property
    def download_name(self) -> str:
        """The file name every download of this version uses (the group's and the staff's)."""
        return f"{self.request.reference}-letter-v{self.version}.pdf"


class PrintBatch(RenderedByATask):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    letters = models.ManyToManyField(GroupLetter, related_name="batches")
    include_cover_sheet = models.BooleanField(default=True)
    file = models.FileField(upload_to=batch_upload_to, blank=True, max_length=200)
    page_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "print batches"

    def __str__(self) -> str:
        return f"Print batch {self.pk} ({self.get_status_display()})"


class GroupMailingQuerySet(models.QuerySet):
    """The one rule for "is this group's letter late", as SQL every list, filter, page and service reads."""

    def with_lateness(self, *, letter_day: dt.date | None = None) -> GroupMailingQuerySet:
        """Annotate `letter_deadline`, `letter_day` and `late`.

        `letter_deadline` is the postmark deadline printed on the newest letter version: it was read from the
        window rule when that letter was generated, so a staff extension already moved it. `letter_day` is the
        postmark when staff recorded one, else the mailing date the group gave (or `letter_day` when a service
        asks about a date it is about to record). `late` is True only when that day is after the deadline;
        without a day or a deadline it is False (nothing mailed yet is not late).
        """
        deadline = (
            GroupLetter.objects.filter(request=OuterRef("pk"))
            .exclude(postmark_deadline=None)
            .order_by("-version")
            .values("postmark_deadline")[:1]
        )
        day = (
            Value(letter_day, output_field=models.DateField()) if letter_day else Coalesce("postmarked_on", "mailed_on")
        )
        return self.annotate(letter_deadline=Subquery(deadline), letter_day=day).annotate(
            late=Case(When(letter_day__gt=F("letter_deadline"), then=Value(True)), default=Value(False))
        )

    def late(self) -> GroupMailingQuerySet:
        return self._lateness().filter(late=True)

    def on_time(self) -> GroupMailingQuerySet:
        """Not late: mailed or postmarked by the deadline, or not mailed yet."""
        return self._lateness().filter(late=False)

    def _lateness(self) -> GroupMailingQuerySet:
        return self if "late" in self.query.annotations else self.with_lateness()

    def is_late(self, exemption: ExemptionRequest, *, letter_day: dt.date | None = None) -> bool:
        """The rule for one group (its recorded dates, or `letter_day`)."""
        found = self.filter(pk=exemption.pk).with_lateness(letter_day=letter_day).values_list("late", flat=True)
        return bool(next(iter(found), False))


class GroupMailingManager(models.Manager.from_queryset(GroupMailingQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(Q(kind=ExemptionRequest.Kind.GROUP) & ~Q(reference=None))


class GroupMailing(ExemptionRequest):
    """A group request as staff print, mail-track and receive it (the letters admin): a proxy, no table.

    Not to be confused with `GroupLetter`, one rendered version of the letter itself.
    """

    objects = GroupMailingManager()

    class Meta:
        proxy = True
        verbose_name = "GPRO letter"
        verbose_name_plural = "GPRO letters"
