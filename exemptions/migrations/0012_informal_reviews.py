"""Informal reviews of a payment adjustment: their own windows per adjustment year, requests, documents, reference
series ("IR", a series column on the reference counter) and outbox kinds.

Windows are loaded only for the years the sources give (shared domain reference, issue 13):
- 2014 adjustment: the informal review closed February 28, 2014. CMS did not publish the opening day: the window is
  stored as opening January 1, 2014 (the first day the 2014 adjustment applied), marked `opening_published=False`
  so the pages say "CMS did not publish the opening date"; staff can edit it.
- 2013: "the 2013 eRx informal review ran January 1 - February 28, 2015" (as the sources word it).
- 2012: no source gives a window, so none is loaded and the pages say CMS did not publish one.
Times of day follow the program's assumption: 00:00 ET opening, 23:59:59 ET closing (data, editable).
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import exemptions.models.informal_reviews

ET = ZoneInfo("America/New_York")
WINDOWS = [
    (
        2013,
        dt.datetime(2015, 1, 1, 0, 0, 0, tzinfo=ET),
        dt.datetime(2015, 2, 28, 23, 59, 59, tzinfo=ET),
        True,
        "Source: 'the 2013 eRx informal review ran January 1 - February 28, 2015' (issue 13; shared domain "
        "reference). UNCERTAIN: the source does not say whether it concerns the 2013 adjustment or the 2013 program "
        "year; stored under the 2013 adjustment year.",
    ),
    (
        2014,
        dt.datetime(2014, 1, 1, 0, 0, 0, tzinfo=ET),
        dt.datetime(2014, 2, 28, 23, 59, 59, tzinfo=ET),
        False,
        "Source: 'the 2014 adjustment's informal review closed February 28, 2014'. CMS did not publish the opening "
        "day: assumed January 1, 2014, when the 2014 adjustment began to apply (not shown to the public as a date).",
    ),
]


def load_windows(apps, schema_editor):
    Year = apps.get_model("exemptions", "AdjustmentYear")
    Window = apps.get_model("exemptions", "InformalReviewWindow")
    for number, opens, closes, published, note in WINDOWS:
        year = Year.objects.filter(year=number).first()
        if year is None:
            continue
        Window.objects.update_or_create(
            year=year,
            closes_at=closes,
            defaults={"opens_at": opens, "opening_published": published, "staff_note": note},
        )


def refresh_roles(apps, schema_editor):
    from exemptions.roles import roles_setup

    roles_setup(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("exemptions", "0011_registry_summary"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalInformalReview",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("public_id", models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("in_review", "In review"),
                            ("upheld", "Decided: adjustment upheld"),
                            ("reversed", "Decided: adjustment reversed"),
                        ],
                        default="draft",
                        max_length=12,
                    ),
                ),
                ("reference", models.CharField(blank=True, db_index=True, max_length=20, null=True)),
                ("tin", models.CharField(blank=True, max_length=9, verbose_name="TIN")),
                (
                    "npis",
                    models.JSONField(
                        blank=True, default=list, help_text="The NPIs billed under the TIN.", verbose_name="NPIs"
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Why the EP believes the adjustment should not apply.",
                        verbose_name="why the adjustment is wrong",
                    ),
                ),
                ("contact_email", models.EmailField(blank=True, max_length=254)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("submitted_at", models.DateTimeField(blank=True, null=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decision_message", models.TextField(blank=True, help_text="The reason the EP reads.")),
                ("internal_notes", models.TextField(blank=True, help_text="Staff only: never shown to the EP.")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical informal review",
                "verbose_name_plural": "historical informal reviews",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalInformalReviewWindow",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("opens_at", models.DateTimeField()),
                ("closes_at", models.DateTimeField(help_text="Last instant a request is accepted.")),
                (
                    "opening_published",
                    models.BooleanField(
                        default=True,
                        help_text="False when CMS did not publish the opening day: the pages say so instead of showing a date.",
                    ),
                ),
                (
                    "timing_note",
                    models.TextField(
                        blank=True,
                        default="CMS stated dates only. Assumed: 00:00 ET on the opening day and 23:59:59 ET on the closing day.",
                    ),
                ),
                ("staff_note", models.TextField(blank=True, help_text="Where the dates come from; what was assumed.")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical informal review window",
                "verbose_name_plural": "historical informal review windows",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="InformalReview",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("in_review", "In review"),
                            ("upheld", "Decided: adjustment upheld"),
                            ("reversed", "Decided: adjustment reversed"),
                        ],
                        default="draft",
                        max_length=12,
                    ),
                ),
                ("reference", models.CharField(blank=True, max_length=20, null=True, unique=True)),
                ("tin", models.CharField(blank=True, max_length=9, verbose_name="TIN")),
                (
                    "npis",
                    models.JSONField(
                        blank=True, default=list, help_text="The NPIs billed under the TIN.", verbose_name="NPIs"
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        blank=True,
                        help_text="Why the EP believes the adjustment should not apply.",
                        verbose_name="why the adjustment is wrong",
                    ),
                ),
                ("contact_email", models.EmailField(blank=True, max_length=254)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("submitted_at", models.DateTimeField(blank=True, null=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decision_message", models.TextField(blank=True, help_text="The reason the EP reads.")),
                ("internal_notes", models.TextField(blank=True, help_text="Staff only: never shown to the EP.")),
            ],
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("decide_informalreview", "Can decide informal reviews (start review, uphold, reverse)")
                ],
            },
        ),
        migrations.CreateModel(
            name="InformalReviewDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "file",
                    models.FileField(
                        max_length=200, upload_to=exemptions.models.informal_reviews.informal_review_document_upload_to
                    ),
                ),
                ("original_name", models.CharField(max_length=255)),
                ("content_type", models.CharField(max_length=50)),
                ("size", models.PositiveIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["uploaded_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="InformalReviewWindow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("opens_at", models.DateTimeField()),
                ("closes_at", models.DateTimeField(help_text="Last instant a request is accepted.")),
                (
                    "opening_published",
                    models.BooleanField(
                        default=True,
                        help_text="False when CMS did not publish the opening day: the pages say so instead of showing a date.",
                    ),
                ),
                (
                    "timing_note",
                    models.TextField(
                        blank=True,
                        default="CMS stated dates only. Assumed: 00:00 ET on the opening day and 23:59:59 ET on the closing day.",
                    ),
                ),
                ("staff_note", models.TextField(blank=True, help_text="Where the dates come from; what was assumed.")),
            ],
            options={
                "ordering": ["year__year", "opens_at"],
            },
        ),
        migrations.AddField(
            model_name="referencecounter",
            name="series",
            field=models.CharField(default="HX", max_length=4),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="kind",
            field=models.CharField(
                choices=[
                    ("confirmation", "Submission confirmation"),
                    ("decision_approved", "Decision: approved"),
                    ("decision_denied", "Decision: denied"),
                    ("info_requested", "More information requested"),
                    ("reminder_draft", "Reminder: unsubmitted draft"),
                    ("reminder_letter", "Reminder: letter not mailed"),
                    ("reminder_info", "Reminder: information not sent"),
                    ("window_opening", "Window opening"),
                    ("letter_ready", "Letter ready"),
                    ("account", "Account (sign-up, password, address)"),
                    ("informal_review_confirmation", "Informal review: confirmation"),
                    ("informal_review_decision", "Informal review: decision"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="referencecounter",
            name="year",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="referencecounter",
            constraint=models.UniqueConstraint(fields=("series", "year"), name="reference_counter_series_year"),
        ),
        migrations.AddField(
            model_name="historicalinformalreview",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalinformalreview",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalinformalreview",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalinformalreview",
            name="year",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="exemptions.adjustmentyear",
            ),
        ),
        migrations.AddField(
            model_name="historicalinformalreviewwindow",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalinformalreviewwindow",
            name="year",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="exemptions.adjustmentyear",
            ),
        ),
        migrations.AddField(
            model_name="informalreview",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="informalreview",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="informal_reviews",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="informalreview",
            name="year",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="informal_reviews",
                to="exemptions.adjustmentyear",
            ),
        ),
        migrations.AddField(
            model_name="informalreviewdocument",
            name="review",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="documents", to="exemptions.informalreview"
            ),
        ),
        migrations.AddField(
            model_name="informalreviewwindow",
            name="year",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="informal_review_windows",
                to="exemptions.adjustmentyear",
            ),
        ),
        migrations.AddField(
            model_name="informalreview",
            name="submitted_window",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="exemptions.informalreviewwindow",
            ),
        ),
        migrations.AddField(
            model_name="historicalinformalreview",
            name="submitted_window",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="exemptions.informalreviewwindow",
            ),
        ),
        migrations.AddConstraint(
            model_name="informalreviewwindow",
            constraint=models.CheckConstraint(
                condition=models.Q(("closes_at__gt", models.F("opens_at"))),
                name="informal_review_window_closes_after_opening",
            ),
        ),
        migrations.AddIndex(
            model_name="informalreview",
            index=models.Index(fields=["status", "submitted_at"], name="ir_status_submitted"),
        ),
        migrations.AddIndex(
            model_name="informalreview",
            index=models.Index(fields=["owner", "-created_at"], name="ir_owner_created"),
        ),
        migrations.AddConstraint(
            model_name="informalreview",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "draft"), ("reference__isnull", False), _connector="OR"),
                name="submitted_informal_review_has_reference",
            ),
        ),
        migrations.RunPython(load_windows, migrations.RunPython.noop),
        migrations.RunPython(refresh_roles, migrations.RunPython.noop),
    ]
