"""The program's facts in one table, each with its source and whether it is UNCERTAIN.

Seeded data (migrations, admin-editable rows) and the texts people read (help, home, emails) state these facts;
tests/test_facts.py reads both against this table, so a drifted row or sentence fails a test. A fact the sources
do not give is marked `uncertain`: the portal keeps an assumption as editable data and tells the public
"CMS did not publish ..." rather than stating it. Each source below is the public document a fact comes from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

RULE = "76 FR 54953 (Sep 6, 2011), http://www.gpo.gov/fdsys/pkg/FR-2011-09-06/html/2011-22629.htm"
HHS_PAYMENT = 'hhs.gov guidance "eRx Incentive Program Analysis and Payment"'
HEMATOLOGY = "http://hematology.org/Advocacy/Policy-News/2012/880.aspx"
MANAGE_MY_PRACTICE = "https://managemypractice.com/?p=9435"
EXTENSION = "https://compassionatecarenc.org/cms-extends-deadline-for-e-prescribing-hardship-exemption-by-one-week/"
AASM_2013 = "https://aasm.org/2013-erx-payment-adjustment-hardship-exemption-requests-accepted-beginning-nov-1/"
MINGLE = "https://minglehealth.com/blog/erx-deadline-extended"
CORCORAN = "https://www.corcoranccg.com/news/e-rx-hardship-exemptions-update-2/"
CGS_2014 = "https://www.cgsmedicare.com/partb/pubs/news/2013/0513/cope22235.html"
ELIGIBILITY = "http://www.whatismedicalinsurancebilling.org/2011/12/who-is-eligible-for-2012-erx-incentive.html"
OMB = "https://dev.omb.report/icr/201106-0938-004"
CMS_LETTER_NOTICE = "CMS's announcement of the GPRO letter process (2011)"


@dataclass(frozen=True)
class Fact:
    value: object
    source: str
    uncertain: bool = False
    note: str = ""  # what the portal assumes when `uncertain`, or a precision the value needs


# --- Percentages -------------------------------------------------------------------------------------------------
ADJUSTMENT_PERCENT: dict[int, Fact] = {
    2012: Fact(Decimal("1.0"), RULE),
    2013: Fact(Decimal("1.5"), RULE),
    2014: Fact(Decimal("2.0"), RULE),
}
INCENTIVE_PERCENT: dict[int, Fact] = {
    2009: Fact(Decimal("2.0"), HHS_PAYMENT),
    2010: Fact(Decimal("2.0"), HHS_PAYMENT),
    2011: Fact(Decimal("1.0"), HHS_PAYMENT),
    2012: Fact(Decimal("1.0"), HHS_PAYMENT),
    2013: Fact(Decimal("0.5"), HHS_PAYMENT),
}
SEQUESTRATION_PERCENT = Fact(Decimal("2"), HHS_PAYMENT, note="incentive payments only")
SEQUESTRATION_FROM = Fact(dt.date(2013, 4, 1), HHS_PAYMENT, note="reporting periods ending on or after this day")
# The incentive year's reporting period is the calendar year: it ends December 31.
INCENTIVE_PERIOD_ENDS = {year: dt.date(year, 12, 31) for year in INCENTIVE_PERCENT}
PAYMENT_BASE = Fact(
    "Medicare Part B Physician Fee Schedule (PFS) covered services, per TIN/NPI pair", RULE + "; " + HHS_PAYMENT
)

# --- Years: reporting periods, categories, windows ---------------------------------------------------------------
REPORTING_PERIOD: dict[int, Fact] = {
    2012: Fact("January 1 - June 30, 2011", RULE),
    2013: Fact("Calendar year 2011 (12 months) or January 1 - June 30, 2012", RULE),
    2014: Fact("Calendar year 2012 (12 months) or January 1 - June 30, 2013", CORCORAN),
}
# Per year: (categories a request may name, categories shown as information only).
CATEGORIES: dict[int, Fact] = {
    2012: Fact(
        (
            {
                "rural-internet",
                "pharmacies",
                "ehr-cehrt",
                "law-regulation",
                "limited-prescribing",
                "insufficient-opportunities",
            },
            set(),
        ),
        RULE,
    ),
    2013: Fact(
        (
            {"law-regulation", "limited-prescribing", "rural-internet", "pharmacies", "meaningful-use", "ehr-cehrt"},
            set(),
        ),
        AASM_2013,
    ),
    2014: Fact(
        ({"law-regulation", "limited-prescribing"}, {"rural-internet", "pharmacies", "meaningful-use", "ehr-cehrt"}),
        CGS_2014,
    ),
}
G_CODES = Fact({"rural-internet": "G8642", "pharmacies": "G8643"}, RULE)
NO_PRESCRIBING_G_CODE = Fact("G8644", RULE, note="an exclusion, not a hardship")
CEHRT_ID_CATEGORIES = Fact({"ehr-cehrt", "meaningful-use"}, OMB)
LIMITED_PRESCRIBING: dict[int, Fact] = {
    2012: Fact("Fewer than 10 prescriptions between January 1 and June 30, 2011", RULE),
    2013: Fact("Fewer than 100 prescriptions between January 1 and June 30, 2012", AASM_2013),
    2014: Fact("Fewer than 100 prescriptions between January 1 and June 30, 2013", CGS_2014),
}
EHR_AUTOMATIC_2014 = Fact(
    "CMS granted them automatically to EPs who had attested to meaningful use, or had registered for the EHR "
    "Incentive Program and given a CEHRT certification ID, by June 30, 2013",
    CGS_2014 + "; " + CORCORAN,
)


@dataclass(frozen=True)
class WindowFact:
    channel: str
    opens: dt.date
    closes: dt.date
    opening_published: bool
    original_close: dt.date | None = None


# Opening days marked unpublished are assumptions (the rule's effective date, or the day CMS was known to accept).
WINDOWS: dict[int, Fact] = {
    2012: Fact(
        (
            WindowFact("online", dt.date(2011, 10, 6), dt.date(2011, 11, 8), False, dt.date(2011, 11, 1)),
            WindowFact("letter", dt.date(2011, 10, 6), dt.date(2011, 11, 1), False),
        ),
        RULE + "; " + EXTENSION,
        uncertain=True,
        note="opening day: CMS did not publish it; assumed the rule's effective date, October 6, 2011",
    ),
    2013: Fact(
        (
            WindowFact("online", dt.date(2012, 4, 17), dt.date(2012, 6, 30), False),
            WindowFact("online", dt.date(2012, 11, 1), dt.date(2013, 1, 31), True),
        ),
        AASM_2013 + "; " + MINGLE,
        uncertain=True,
        note="first window's opening day: CMS did not publish it; requests were accepted by April 17, 2012",
    ),
    2014: Fact(
        (WindowFact("online", dt.date(2013, 5, 22), dt.date(2013, 6, 30), False),),
        CORCORAN + "; " + CGS_2014,
        uncertain=True,
        note="opening day: CMS did not publish it; requests were accepted by May 22, 2013",
    ),
}
TIME_OF_DAY = Fact(
    "00:00 ET on the opening day, 23:59:59 ET on the closing day",
    "not stated by any source",
    uncertain=True,
    note="CMS announced dates only; each window keeps the assumption in its timing note",
)
EXTENSION_ANNOUNCED = Fact(dt.date(2011, 11, 1), EXTENSION, note="the online deadline moved to November 8, 2011")
EXTENSION_COVERS_LETTERS = Fact(
    False, EXTENSION, uncertain=True, note="CMS did not publish whether the extension also applied to GPRO letters"
)

# --- Channels and who files --------------------------------------------------------------------------------------
LETTER_ADDRESS = Fact(
    (
        "Significant Hardship Exemptions",
        "Centers for Medicare & Medicaid Services",
        "Office of Clinical Standards and Quality",
        "Quality Measurement and Health Assessment Group",
        "7500 Security Boulevard, Mail Stop S3-02-01",
        "Baltimore, MD 21244-1850",
    ),
    CMS_LETTER_NOTICE,
    note="the rule itself does not give the address",
)
LETTER_POSTMARK_2012 = Fact(dt.date(2011, 11, 1), CMS_LETTER_NOTICE)
# How a GPRO group asks, per year. 2013 and 2014: CMS-selected groups used the online page.
GROUP_CHANNEL: dict[int, Fact] = {
    2012: Fact("letter", CMS_LETTER_NOTICE, note="groups selected for and taking part in the 2011 GPRO I or II"),
    2013: Fact("online", AASM_2013, uncertain=True, note="CMS did not publish whether letters were still accepted"),
    2014: Fact("online", CGS_2014, uncertain=True, note="CMS did not publish whether letters were still accepted"),
}
GPRO_PROGRAM_YEARS = {2012: Fact((2011,), CMS_LETTER_NOTICE)}
FILER: dict[int, Fact] = {
    2012: Fact("ep", MANAGE_MY_PRACTICE, note="entered by the EP personally, not by billing or office staff"),
    2013: Fact("delegate", "", uncertain=True, note="CMS did not publish who may enter a request for this year"),
    2014: Fact("delegate", "", uncertain=True, note="CMS did not publish who may enter a request for this year"),
}

# --- Automatic exclusions (no request needed) --------------------------------------------------------------------
ELIGIBLE_PROFESSIONS = Fact(
    ("MD", "DO", "podiatrist", "nurse practitioner", "physician assistant"),
    ELIGIBILITY,
    note="anyone else is excluded",
)
ENCOUNTER_THRESHOLD = Fact(100, ELIGIBILITY, note="fewer denominator-eligible encounters in the reporting period")
CHARGES_SHARE_THRESHOLD = Fact(
    Decimal("10"), ELIGIBILITY, note="percent of Part B allowed charges (per TIN) from the measure's denominator codes"
)

# --- After a decision --------------------------------------------------------------------------------------------
DECISIONS = Fact("sent by email, final (no appeal), one adjustment year", RULE + "; " + HEMATOLOGY)
INFORMAL_REVIEW_EXAMPLES = Fact(
    (
        "the 2014 adjustment's informal review closed February 28, 2014",
        "the 2013 eRx informal review ran January 1 - February 28, 2015",
    ),
    HHS_PAYMENT,
    note="a separate request about the adjustment itself, with its own windows",
)
FEEDBACK_REPORTS = Fact(
    "from CMS, per TIN where at least one EP reported the measure; no claim-level detail", HHS_PAYMENT
)
INCENTIVE_PAID = Fact("per TIN, the year after the reporting year", HHS_PAYMENT)


def percent_text(value: Decimal) -> str:
    """1.0 -> "1%", 1.5 -> "1.5%": as the pages print a rate."""
    return f"{value.normalize():f}%"


def date_text(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"
