"""The national NPI registry (NPPES), as far as the portal needs it: whose an NPI is, and whether it is active.

Loaded from CMS's published files (`manage.py nppes_import`): a monthly file replaces the whole table (loaded into a
new table and swapped in at the end, so lookups keep answering from the previous load), a weekly file updates it.
Each load is a `RegistryFile` row: its date is what the portal quotes ("not in the registry of June 8, 2025").
"""

from __future__ import annotations

from django.db import models


class RegistryFile(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", "Monthly (full replacement)"
        WEEKLY = "weekly", "Weekly (update)"

    class Status(models.TextChoices):
        LOADING = "loading", "Loading"
        LOADED = "loaded", "Loaded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(
        max_length=255, help_text="The file's name as published, e.g. npidata_pfile_20250602-20250608.csv"
    )
    file_date = models.DateField(help_text="The date the file describes (the last day it covers).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LOADING)
    rows = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    bad_lines = models.JSONField(default=list, blank=True, help_text="The first bad lines: [line number, why].")
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-file_date", "-started_at"]
        verbose_name = "NPI registry file"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class RegistryEntry(models.Model):
    """One NPI as the registry file describes it (entity type 1: a person; 2: an organization)."""

    class EntityType(models.IntegerChoices):
        INDIVIDUAL = 1, "Individual"
        ORGANIZATION = 2, "Organization"

    npi = models.CharField(max_length=10, primary_key=True)
    entity_type = models.PositiveSmallIntegerField(choices=EntityType.choices, null=True, blank=True)
    replacement_npi = models.CharField(max_length=10, blank=True)
    organization_name = models.CharField(max_length=300, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    name_prefix = models.CharField(max_length=20, blank=True)
    name_suffix = models.CharField(max_length=20, blank=True)
    credential = models.CharField(max_length=100, blank=True)
    other_organization_name = models.CharField(max_length=300, blank=True)
    other_last_name = models.CharField(max_length=100, blank=True)
    other_first_name = models.CharField(max_length=100, blank=True)
    mailing_line1 = models.CharField(max_length=100, blank=True)
    mailing_line2 = models.CharField(max_length=100, blank=True)
    mailing_city = models.CharField(max_length=100, blank=True)
    mailing_state = models.CharField(max_length=40, blank=True)
    mailing_postal_code = models.CharField(max_length=20, blank=True)
    practice_line1 = models.CharField(max_length=100, blank=True)
    practice_line2 = models.CharField(max_length=100, blank=True)
    practice_city = models.CharField(max_length=100, blank=True)
    practice_state = models.CharField(max_length=40, blank=True)
    practice_postal_code = models.CharField(max_length=20, blank=True)
    taxonomy_code = models.CharField(max_length=10, blank=True, help_text="The primary taxonomy (NUCC code).")
    enumerated_on = models.DateField(null=True, blank=True)
    deactivated_on = models.DateField(null=True, blank=True)
    reactivated_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "NPI registry entry"
        verbose_name_plural = "NPI registry entries"

    def __str__(self) -> str:
        return f"{self.npi} {self.organization_name or self.last_name}"

    @property
    def is_deactivated(self) -> bool:
        """Deactivated, and not reactivated since (a reactivation date after the deactivation undoes it)."""
        if self.deactivated_on is None:
            return False
        return self.reactivated_on is None or self.reactivated_on < self.deactivated_on
