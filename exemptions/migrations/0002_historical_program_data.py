"""The program's historical years, categories and windows (source: shared domain reference).

CMS gave dates only. The time-of-day assumption (00:00 ET opening, 23:59:59 ET closing) is data:
each window carries it in `timing_note`, and staff can edit opens_at/closes_at in the admin.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

ET = ZoneInfo("America/New_York")


def opening(y, m, d):
    return dt.datetime(y, m, d, 0, 0, 0, tzinfo=ET)


def closing(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=ET)


CATEGORIES = [
    (
        "rural-internet",
        "Rural area without sufficient high-speed internet access",
        "G8642",
        False,
        "The EP practices in a rural area without sufficient high-speed internet access.",
    ),
    (
        "pharmacies",
        "Area without sufficient pharmacies that accept electronic prescriptions",
        "G8643",
        False,
        "The EP practices in an area without sufficient available pharmacies for electronic prescribing.",
    ),
    (
        "ehr-cehrt",
        "Registered for the EHR Incentive Program and adopted certified EHR technology",
        "",
        True,
        "The EP registered for the Medicare or Medicaid EHR Incentive Program and adopted certified EHR "
        "technology (CEHRT). The CEHRT certification ID is required.",
    ),
    (
        "law-regulation",
        "Unable to e-prescribe because of local, state or federal law or regulation",
        "",
        False,
        "A local, state or federal law or regulation prevents the EP from prescribing electronically.",
    ),
    (
        "limited-prescribing",
        "Limited prescribing activity",
        "",
        False,
        "The EP wrote few prescriptions in the reporting period (the threshold depends on the year).",
    ),
    (
        "insufficient-opportunities",
        "Insufficient opportunities to report the eRx measure",
        "",
        False,
        "Limits of the eRx measure's denominator left the EP too few opportunities to report it.",
    ),
    (
        "meaningful-use",
        "Achieved meaningful use in the EHR Incentive Program",
        "",
        True,
        "The EP achieved meaningful use of certified EHR technology and attested to it. "
        "The CEHRT certification ID is required.",
    ),
]

YEARS = {
    2012: {
        "percent": "1.00",
        "period": "January 1 - June 30, 2011",
        "notes": "GPRO groups (2011 GPRO I or II) requested by mailed letter, postmarked by November 1, 2011.",
        "categories": [
            ("rural-internet", "", False),
            ("pharmacies", "", False),
            ("ehr-cehrt", "Registered and adopted certified EHR technology by October 1, 2011.", False),
            ("law-regulation", "", False),
            ("limited-prescribing", "Fewer than 10 prescriptions between January 1 and June 30, 2011.", False),
            ("insufficient-opportunities", "", False),
        ],
        "windows": [
            (
                "online",
                "",
                opening(2011, 10, 6),
                closing(2011, 11, 8),
                closing(2011, 11, 1),
                "Extended by CMS on November 1, 2011: the online deadline moved from November 1 to November 8, "
                "2011. Opening day assumed: the rule took effect October 6, 2011 (76 FR 54953).",
            ),
            (
                "letter",
                "postmark deadline",
                opening(2011, 10, 6),
                closing(2011, 11, 1),
                None,
                "GPRO letters must be postmarked no later than November 1, 2011. Opening day assumed: "
                "the rule took effect October 6, 2011.",
            ),
        ],
    },
    2013: {
        "percent": "1.50",
        "period": "Calendar year 2011 (12 months) or January 1 - June 30, 2012",
        "notes": "Two online windows; CMS-selected groups used the online page.",
        "categories": [
            ("law-regulation", "", False),
            ("limited-prescribing", "Fewer than 100 prescriptions between January 1 and June 30, 2012.", False),
            ("rural-internet", "", False),
            ("pharmacies", "", False),
            (
                "meaningful-use",
                "Achieved meaningful use between January 1, 2011 and June 30, 2012 and attested by January 31, 2013.",
                False,
            ),
            ("ehr-cehrt", "Registered and adopted certified EHR technology by January 31, 2013.", False),
        ],
        "windows": [
            (
                "online",
                "first window",
                opening(2012, 4, 17),
                closing(2012, 6, 30),
                None,
                "Opening day uncertain: CMS was accepting requests by April 17, 2012.",
            ),
            (
                "online",
                "second window",
                opening(2012, 11, 1),
                closing(2013, 1, 31),
                None,
                "Second window for individual EPs and CMS-selected groups.",
            ),
        ],
    },
    2014: {
        "percent": "2.00",
        "period": "Calendar year 2012 (12 months) or January 1 - June 30, 2013",
        "notes": "The two EHR categories were granted automatically; G8642/G8643 were reported on claims.",
        "categories": [
            ("law-regulation", "", False),
            ("limited-prescribing", "Fewer than 100 prescriptions between January 1 and June 30, 2013.", False),
            ("rural-internet", "Reported on claims with G-code G8642: no request needed.", True),
            ("pharmacies", "Reported on claims with G-code G8643: no request needed.", True),
            ("meaningful-use", "Granted automatically by CMS: no request needed.", True),
            ("ehr-cehrt", "Granted automatically by CMS: no request needed.", True),
        ],
        "windows": [
            (
                "online",
                "",
                opening(2013, 5, 22),
                closing(2013, 6, 30),
                None,
                "Opening day uncertain: CMS was accepting requests by May 22, 2013.",
            ),
        ],
    },
}

ANNOUNCEMENTS = [
    (
        "CMS extended the 2012 online deadline to November 8, 2011",
        "Individual eligible professionals may submit online hardship exemption requests for the 2012 eRx payment "
        "adjustment through 11:59 p.m. ET on Tuesday, November 8, 2011. GPRO letters must still be postmarked "
        "no later than November 1, 2011.",
        dt.datetime(2011, 11, 1, 17, 0, tzinfo=ET),
    ),
    (
        "A second window for 2013 opens November 1, 2012",
        "Requests for a hardship exemption from the 2013 eRx payment adjustment are accepted again from "
        "November 1, 2012 through January 31, 2013.",
        dt.datetime(2012, 10, 15, 9, 0, tzinfo=ET),
    ),
]


def load(apps, schema_editor):
    Category = apps.get_model("exemptions", "HardshipCategory")
    Year = apps.get_model("exemptions", "AdjustmentYear")
    YearCategory = apps.get_model("exemptions", "YearCategory")
    Window = apps.get_model("exemptions", "SubmissionWindow")
    Policy = apps.get_model("exemptions", "ReminderPolicy")
    Announcement = apps.get_model("exemptions", "Announcement")

    by_code = {}
    for code, name, g_code, cehrt, help_text in CATEGORIES:
        by_code[code], _ = Category.objects.update_or_create(
            code=code, defaults={"name": name, "g_code": g_code, "requires_cehrt_id": cehrt, "help_text": help_text}
        )
    for number, data in YEARS.items():
        year, _ = Year.objects.update_or_create(
            year=number,
            defaults={
                "adjustment_percent": data["percent"],
                "reporting_period": data["period"],
                "notes": data["notes"],
            },
        )
        for position, (code, detail, info_only) in enumerate(data["categories"]):
            YearCategory.objects.update_or_create(
                year=year,
                category=by_code[code],
                defaults={"detail": detail, "information_only": info_only, "position": position},
            )
        for channel, label, opens, closes, original, note in data["windows"]:
            window, _ = Window.objects.update_or_create(
                year=year,
                channel=channel,
                opens_at=opens,
                defaults={"label": label, "closes_at": closes, "original_closes_at": original, "staff_note": note},
            )
            Policy.objects.get_or_create(window=window)
    for title, body, published in ANNOUNCEMENTS:
        Announcement.objects.get_or_create(title=title, defaults={"body": body, "published_at": published})


class Migration(migrations.Migration):
    dependencies = [("exemptions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
