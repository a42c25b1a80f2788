"""Per-year channel, filer and attestation rules; opening days CMS did not publish; texts fixed (issue 13)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations, models

ET = ZoneInfo("America/New_York")


class Migration(migrations.Migration):
    dependencies = [
        ("exemptions", "0012_informal_reviews"),
    ]

    operations = [
        migrations.AddField(
            model_name="adjustmentyear",
            name="attestation_text",
            field=models.TextField(
                default="I attest that the information in this request is accurate and complete to the best of my knowledge, and that I am the eligible professional named above or am authorized by every affected EP listed to make this request for them.",
                help_text="The online request's attestation.",
            ),
        ),
        migrations.AddField(
            model_name="adjustmentyear",
            name="filer",
            field=models.CharField(
                choices=[("ep", "The EP personally"), ("delegate", "The EP, or someone every affected EP authorized")],
                default="delegate",
                help_text="Who may enter a request.",
                max_length=10,
                verbose_name="who may file",
            ),
        ),
        migrations.AddField(
            model_name="adjustmentyear",
            name="filer_source",
            field=models.CharField(
                blank=True,
                help_text="Where CMS said who may file. Blank: CMS did not publish it (the page says so; `filer` is assumed).",
                max_length=300,
                verbose_name="source of who may file",
            ),
        ),
        migrations.AddField(
            model_name="adjustmentyear",
            name="gpro_program_years",
            field=models.CharField(
                blank=True, help_text='GPRO program years a group letter may name, e.g. "2011".', max_length=50
            ),
        ),
        migrations.AddField(
            model_name="adjustmentyear",
            name="group_attestation_text",
            field=models.TextField(blank=True, help_text="The GPRO letter's attestation."),
        ),
        migrations.AddField(
            model_name="adjustmentyear",
            name="group_channel",
            field=models.CharField(
                blank=True,
                choices=[("online", "Online request"), ("letter", "GPRO mailed letter")],
                help_text="How a GPRO group asks this year (online page or mailed letter); blank: no group route.",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="adjustmentyear",
            name="group_channel_note",
            field=models.TextField(
                blank=True, help_text='Shown to groups, e.g. "CMS did not publish whether letters were still accepted."'
            ),
        ),
        migrations.AddField(
            model_name="exemptionrequest",
            name="attestation_text",
            field=models.TextField(blank=True, help_text="The attestation as worded for the year when filed."),
        ),
        migrations.AddField(
            model_name="historicaladjustmentyear",
            name="attestation_text",
            field=models.TextField(
                default="I attest that the information in this request is accurate and complete to the best of my knowledge, and that I am the eligible professional named above or am authorized by every affected EP listed to make this request for them.",
                help_text="The online request's attestation.",
            ),
        ),
        migrations.AddField(
            model_name="historicaladjustmentyear",
            name="filer",
            field=models.CharField(
                choices=[("ep", "The EP personally"), ("delegate", "The EP, or someone every affected EP authorized")],
                default="delegate",
                help_text="Who may enter a request.",
                max_length=10,
                verbose_name="who may file",
            ),
        ),
        migrations.AddField(
            model_name="historicaladjustmentyear",
            name="filer_source",
            field=models.CharField(
                blank=True,
                help_text="Where CMS said who may file. Blank: CMS did not publish it (the page says so; `filer` is assumed).",
                max_length=300,
                verbose_name="source of who may file",
            ),
        ),
        migrations.AddField(
            model_name="historicaladjustmentyear",
            name="gpro_program_years",
            field=models.CharField(
                blank=True, help_text='GPRO program years a group letter may name, e.g. "2011".', max_length=50
            ),
        ),
        migrations.AddField(
            model_name="historicaladjustmentyear",
            name="group_attestation_text",
            field=models.TextField(blank=True, help_text="The GPRO letter's attestation."),
        ),
        migrations.AddField(
            model_name="historicaladjustmentyear",
            name="group_channel",
            field=models.CharField(
                blank=True,
                choices=[("online", "Online request"), ("letter", "GPRO mailed letter")],
                help_text="How a GPRO group asks this year (online page or mailed letter); blank: no group route.",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="historicaladjustmentyear",
            name="group_channel_note",
            field=models.TextField(
                blank=True, help_text='Shown to groups, e.g. "CMS did not publish whether letters were still accepted."'
            ),
        ),
        migrations.AddField(
            model_name="historicalexemptionrequest",
            name="attestation_text",
            field=models.TextField(blank=True, help_text="The attestation as worded for the year when filed."),
        ),
        migrations.AddField(
            model_name="historicalsubmissionwindow",
            name="opening_published",
            field=models.BooleanField(
                default=True,
                help_text="Unticked: the opening day is an assumption; pages say CMS did not publish it.",
                verbose_name="CMS published the opening day",
            ),
        ),
        migrations.AddField(
            model_name="submissionwindow",
            name="opening_published",
            field=models.BooleanField(
                default=True,
                help_text="Unticked: the opening day is an assumption; pages say CMS did not publish it.",
                verbose_name="CMS published the opening day",
            ),
        ),
    ]


# --- Data: the known years' channels, filers and attestations; texts corrected against the facts table (issue 13).
# Literal values (not imported from exemptions.facts) so this migration means the same thing forever; the facts
# test reads the result against the table.

ATTEST_START = (
    "I attest that the information in this request is accurate and complete to the best of my knowledge, and that "
)
EP_ONLY_ATTESTATION = ATTEST_START + (
    "I am the eligible professional named above and am entering this request myself (for the 2012 adjustment "
    "CMS required the EP to enter the request personally, not billing or office staff)."
)
DELEGATE_ATTESTATION = ATTEST_START + (
    "I am the eligible professional named above or am authorized by every affected EP listed to make this request "
    "for them."
)
GROUP_ATTESTATION = ATTEST_START + (
    "I am authorized to request this exemption on behalf of the group practice and every EP listed."
)
NOT_PUBLISHED_LETTERS = (
    "CMS-selected groups used the online page. CMS did not publish whether letters were still accepted."
)

YEAR_RULES = {
    2012: {
        "group_channel": "letter",
        "group_channel_note": "Groups selected for and taking part in the 2011 GPRO I or II should submit a letter, "
        "postmarked no later than November 1, 2011.",
        "gpro_program_years": "2011",
        "filer": "ep",
        "filer_source": "https://managemypractice.com/?p=9435",
        "attestation_text": EP_ONLY_ATTESTATION,
        "group_attestation_text": GROUP_ATTESTATION,
        "notes": "GPRO groups (2011 GPRO I or II) should submit a letter, postmarked by November 1, 2011.",
    },
    2013: {
        "group_channel": "online",
        "group_channel_note": NOT_PUBLISHED_LETTERS,
        "gpro_program_years": "",
        "filer": "delegate",
        "filer_source": "",
        "attestation_text": DELEGATE_ATTESTATION,
        "group_attestation_text": "",
    },
    2014: {
        "group_channel": "online",
        "group_channel_note": NOT_PUBLISHED_LETTERS,
        "gpro_program_years": "",
        "filer": "delegate",
        "filer_source": "",
        "attestation_text": DELEGATE_ATTESTATION,
        "group_attestation_text": "",
        "notes": "The two EHR categories were granted automatically to EPs who had attested to meaningful use, or "
        "had registered for the EHR Incentive Program and given a CEHRT certification ID, by June 30, 2013; "
        "G8642/G8643 were reported on claims.",
    },
}
EHR_2014 = (
    "Granted automatically by CMS to EPs who had attested to meaningful use, or had registered for the EHR Incentive "
    "Program and given a CEHRT certification ID, by June 30, 2013: no request needed."
)

EXTENSION_TITLE = "CMS extended the 2012 online deadline to November 8, 2011"
EXTENSION_BODY = (
    "Individual eligible professionals may submit online hardship exemption requests for the 2012 eRx payment "
    "adjustment through 11:59 p.m. ET on Tuesday, November 8, 2011. CMS did not publish whether the extension also "
    "applies to GPRO letters: this portal keeps their postmark deadline of November 1, 2011."
)
SECOND_WINDOW_OLD_TITLE = "A second window for 2013 opens November 1, 2012"
SECOND_WINDOW_TITLE = "A second window for 2013: November 1, 2012 - January 31, 2013"
SECOND_WINDOW_BODY = (
    "Requests for a hardship exemption from the 2013 eRx payment adjustment are accepted again from "
    "November 1, 2012 through January 31, 2013, for individual EPs and CMS-selected groups. CMS did not publish the "
    "day it announced this window: this notice is dated the day the window opened."
)


def load(apps, schema_editor):
    Year = apps.get_model("exemptions", "AdjustmentYear")
    YearCategory = apps.get_model("exemptions", "YearCategory")
    Window = apps.get_model("exemptions", "SubmissionWindow")
    Announcement = apps.get_model("exemptions", "Announcement")
    for number, values in YEAR_RULES.items():
        Year.objects.filter(year=number, is_practice=False).update(**values)
    YearCategory.objects.filter(
        year__year=2014, year__is_practice=False, category__code__in=["meaningful-use", "ehr-cehrt"]
    ).update(detail=EHR_2014)
    Window.objects.filter(year__year=2012, year__is_practice=False).update(opening_published=False)
    Window.objects.filter(year__year=2014, year__is_practice=False).update(opening_published=False)
    Window.objects.filter(year__year=2013, year__is_practice=False, closes_at__year=2012).update(
        opening_published=False
    )
    Announcement.objects.filter(title=EXTENSION_TITLE).update(body=EXTENSION_BODY)
    old = Announcement.objects.filter(title=SECOND_WINDOW_OLD_TITLE)
    if Announcement.objects.filter(title=SECOND_WINDOW_TITLE).exists():  # loaded again (tests): never two of it
        old.delete()
    old.update(
        title=SECOND_WINDOW_TITLE,
        body=SECOND_WINDOW_BODY,
        published_at=dt.datetime(2012, 11, 1, 0, 0, tzinfo=ET),
    )


Migration.operations.append(migrations.RunPython(load, migrations.RunPython.noop))
