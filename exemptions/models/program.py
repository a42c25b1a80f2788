"""Program facts: adjustment years, hardship categories, submission windows, announcements."""

from django.db import models
from simple_history.models import HistoricalRecords

DEFAULT_TIMING_NOTE = "CMS stated dates only. Assumed: 00:00 ET on the opening day and 23:59:59 ET on the closing day."


class Channel(models.TextChoices):
    ONLINE = "online", "Online request"
    LETTER = "letter", "GPRO mailed letter"


class Filer(models.TextChoices):
    EP = "ep", "The EP personally"
    DELEGATE = "delegate", "The EP, or someone every affected EP authorized"


DEFAULT_ATTESTATION = (
    "I attest that the information in this request is accurate and complete to the best of my knowledge, and that "
    "I am the eligible professional named above or am authorized by every affected EP listed to make this request "
    "for them."
)


class AdjustmentYear(models.Model):
    year = models.PositiveSmallIntegerField(unique=True)
    adjustment_percent = models.DecimalField(max_digits=4, decimal_places=2)
    reporting_period = models.CharField(max_length=200, help_text="The reporting period whose result triggers the cut.")
    notes = models.TextField(blank=True)
    is_practice = models.BooleanField(
        default=False, help_text="A practice year for trying the portal; never a real CMS adjustment year."
    )
    categories = models.ManyToManyField("HardshipCategory", through="YearCategory", related_name="years")
    # Who files and how: per-year facts (issue 13), data so staff can correct them without a release.
    group_channel = models.CharField(
        max_length=10,
        choices=Channel.choices,
        blank=True,
        help_text="How a GPRO group asks this year (online page or mailed letter); blank: no group route.",
    )
    group_channel_note = models.TextField(
        blank=True, help_text='Shown to groups, e.g. "CMS did not publish whether letters were still accepted."'
    )
    gpro_program_years = models.CharField(
        max_length=50, blank=True, help_text='GPRO program years a group letter may name, e.g. "2011".'
    )
    filer = models.CharField(
        "who may file",
        max_length=10,
        choices=Filer.choices,
        default=Filer.DELEGATE,
        help_text="Who may enter a request.",
    )
    filer_source = models.CharField(
        "source of who may file",
        max_length=300,
        blank=True,
        help_text="Where CMS said who may file. Blank: CMS did not publish it (the page says so; `filer` is assumed).",
    )
    attestation_text = models.TextField(default=DEFAULT_ATTESTATION, help_text="The online request's attestation.")
    group_attestation_text = models.TextField(blank=True, help_text="The GPRO letter's attestation.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} (practice)" if self.is_practice else str(self.year)

    @property
    def gpro_program_year_list(self) -> list[int]:
        return [int(y) for y in self.gpro_program_years.replace(",", " ").split() if y.isdigit()]

    @property
    def filer_words(self) -> str:
        """Who may file, to follow "accepts a request from": "the EP personally"."""
        label = self.get_filer_display()
        return label[:1].lower() + label[1:]

    def attestation_for(self, kind: str) -> str:
        """The attestation a request of `kind` ("individual" or "group") ticks for this year."""
        return self.group_attestation_text if kind == "group" else self.attestation_text


class HardshipCategory(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    help_text = models.TextField(blank=True)
    g_code = models.CharField("G-code", max_length=5, blank=True)
    requires_cehrt_id = models.BooleanField("needs a CEHRT certification ID", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "hardship categories"

    def __str__(self) -> str:
        return self.name


class YearCategory(models.Model):
    """A category as it applies in one year: its year-specific wording and whether it can be chosen."""

    year = models.ForeignKey(AdjustmentYear, on_delete=models.CASCADE, related_name="year_categories")
    category = models.ForeignKey(HardshipCategory, on_delete=models.PROTECT, related_name="year_categories")
    detail = models.TextField(blank=True, help_text="What the category means in this year (dates, thresholds).")
    information_only = models.BooleanField(
        default=False, help_text="Granted automatically or reported on claims: explained, not offered as a choice."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["year", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "category"], name="year_category_unique")]
        verbose_name = "category allowed in a year"

    def __str__(self) -> str:
        return f"{self.year.year}: {self.category.name}"


class SubmissionWindow(models.Model):
    year = models.ForeignKey(AdjustmentYear, on_delete=models.CASCADE, related_name="windows")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    label = models.CharField(max_length=100, blank=True, help_text='e.g. "second window"')
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(help_text="Last instant a request is accepted (or a letter may be postmarked).")
    opening_published = models.BooleanField(
        "CMS published the opening day",
        default=True,
        help_text="Unticked: the opening day is an assumption; pages say CMS did not publish it.",
    )
    original_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="The close before an extension, shown to users as history."
    )
    timing_note = models.TextField(default=DEFAULT_TIMING_NOTE, blank=True)
    staff_note = models.TextField(blank=True, help_text='e.g. "extended by CMS on Nov 1, 2011"')
    history = HistoricalRecords()

    class Meta:
        ordering = ["year__year", "channel", "opens_at"]
        indexes = [models.Index(fields=["year", "channel", "opens_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="window_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        label = f" {self.label}" if self.label else ""
        return f"{self.year.year} {self.get_channel_display()}{label}"


class Announcement(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField(help_text="Shown from this instant; newest first.")
    is_published = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title
