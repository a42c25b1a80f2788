"""The program dashboard's figures: counts per adjustment year, recomputed by services/dashboard.py.

The dashboard reads these few hundred rows instead of grouping a million requests on every page load. One
snapshot per year says when its figures were computed ("figures as of"); its figure rows are replaced together.
"""

from django.conf import settings
from django.db import models

from .program import AdjustmentYear, HardshipCategory, SubmissionWindow


class DashboardSnapshot(models.Model):
    year = models.OneToOneField(AdjustmentYear, on_delete=models.CASCADE, related_name="dashboard_snapshot")
    refreshed_at = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0, help_text="Requests that reached CMS, all windows.")

    def __str__(self) -> str:
        return f"Dashboard figures for {self.year}"


class DashboardFigure(models.Model):
    """One count row. `kind` says which columns it fills; the others stay 0 or empty."""

    class Kind(models.TextChoices):
        DAY = "day", "Requests by the day they reached CMS"  # day, submitted, still_open
        CATEGORY = "category", "Outcomes by category"  # category, submitted, approved, denied, withdrawn, still_open
        REVIEWER_WEEK = "reviewer_week", "Decisions by reviewer and week"  # reviewer, day (Monday), approved, denied
        LETTER_DAY = "letter_day", "GPRO letters by day"  # day, mailed, received

    snapshot = models.ForeignKey(DashboardSnapshot, on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The window the request was submitted in (its letter window for a group); empty when none was recorded.
    window = models.ForeignKey(SubmissionWindow, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(null=True, blank=True)
    category = models.ForeignKey(HardshipCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    submitted = models.PositiveIntegerField(default=0)
    still_open = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    denied = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    mailed = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "kind"], name="dashboard_figure_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.snapshot.year})"
