"""Every seeded fact and every text that states a fact agrees with the facts table (exemptions/facts.py).

The checks are functions returning what disagrees, so a test can also show that a drifted row or sentence is
caught (the "drift" tests at the end).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from exemptions import facts, reasons
from exemptions.documents.letters import CMS_ADDRESS
from exemptions.emails.decisions import decision_email
from exemptions.emails.rendering import render_email
from exemptions.models import AdjustmentYear, Announcement, HardshipCategory, StatusChange, SubmissionWindow
from exemptions.models import YearCategory as YC
from exemptions.windows import ET
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db
REAL_YEARS = sorted(facts.ADJUSTMENT_PERCENT)


def text_of(html: str) -> str:
    """A page's words, tags dropped and spaces collapsed, as a reader sees them."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return text_of(response.content.decode())


def pct(value) -> str:
    return facts.percent_text(value)


# --- Seeded facts -------------------------------------------------------------------------------------------------
def seeded_problems() -> list[str]:
    problems = []
    years = {y.year: y for y in AdjustmentYear.objects.filter(is_practice=False)}
    if sorted(years) != REAL_YEARS:
        problems.append(f"years {sorted(years)}")
    for number, year in years.items():
        if year.adjustment_percent != facts.ADJUSTMENT_PERCENT[number].value:
            problems.append(f"{number} percent {year.adjustment_percent}")
        if year.reporting_period != facts.REPORTING_PERIOD[number].value:
            problems.append(f"{number} reporting period {year.reporting_period!r}")
        problems += _category_problems(number)
        problems += _window_problems(number)
        problems += _rule_problems(year)
    for code, g_code in facts.G_CODES.value.items():
        if HardshipCategory.objects.get(code=code).g_code != g_code:
            problems.append(f"{code} G-code")
    for code in facts.CEHRT_ID_CATEGORIES.value:
        if not HardshipCategory.objects.get(code=code).requires_cehrt_id:
            problems.append(f"{code} must need a CEHRT ID")
    return problems


def _category_problems(number: int) -> list[str]:
    selectable, information_only = facts.CATEGORIES[number].value
    rows = YC.objects.filter(year__year=number, year__is_practice=False).select_related("category")
    found = (
        {r.category.code for r in rows if not r.information_only},
        {r.category.code for r in rows if r.information_only},
    )
    problems = [f"{number} categories {found}"] if found != (selectable, information_only) else []
    limited = rows.get(category__code="limited-prescribing").detail
    if facts.LIMITED_PRESCRIBING[number].value not in limited:
        problems.append(f"{number} limited prescribing {limited!r}")
    if number == 2014:
        for row in rows.filter(category__code__in=["meaningful-use", "ehr-cehrt"]):
            if "by June 30, 2013" not in row.detail or "automatically" not in row.detail:
                problems.append(f"2014 {row.category.code} without its condition: {row.detail!r}")
    return problems


def _window_problems(number: int) -> list[str]:
    rows = SubmissionWindow.objects.filter(year__year=number, year__is_practice=False).order_by("channel", "opens_at")
    found = sorted(
        (
            w.channel,
            w.opens_at.astimezone(ET).date(),
            w.closes_at.astimezone(ET).date(),
            w.opening_published,
            w.original_closes_at.astimezone(ET).date() if w.original_closes_at else None,
        )
        for w in rows
    )
    expected = sorted(
        (w.channel, w.opens, w.closes, w.opening_published, w.original_close) for w in facts.WINDOWS[number].value
    )
    return [f"{number} windows {found} != {expected}"] if found != expected else []


def _rule_problems(year: AdjustmentYear) -> list[str]:
    problems = []
    channel = facts.GROUP_CHANNEL[year.year]
    if year.group_channel != channel.value:
        problems.append(f"{year.year} group channel {year.group_channel}")
    if channel.uncertain and "CMS did not publish" not in year.group_channel_note:
        problems.append(f"{year.year} group note must say CMS did not publish: {year.group_channel_note!r}")
    program_years = facts.GPRO_PROGRAM_YEARS.get(year.year)
    if year.gpro_program_year_list != list(program_years.value if program_years else ()):
        problems.append(f"{year.year} GPRO program years {year.gpro_program_years!r}")
    filer = facts.FILER[year.year]
    if year.filer != filer.value or bool(year.filer_source) == filer.uncertain:
        problems.append(f"{year.year} filer {year.filer} ({year.filer_source!r})")
    delegate_words = "authorized by every affected EP"
    if (delegate_words in year.attestation_text) != (filer.value == "delegate"):
        problems.append(f"{year.year} attestation does not match who may file: {year.attestation_text!r}")
    if (channel.value == "letter") != bool(year.group_attestation_text):
        problems.append(f"{year.year} group attestation")
    return problems


def test_seeded_facts_agree_with_the_table():
    assert seeded_problems() == []


def test_the_letter_address_is_the_table_s():
    assert CMS_ADDRESS == facts.LETTER_ADDRESS.value


def test_announcements_state_no_invented_date_or_assumed_fact():
    texts = " ".join(f"{a.title} {a.body}" for a in Announcement.objects.all())
    assert "must still" not in texts and "October 15" not in texts
    assert "CMS did not publish whether the extension also applies to GPRO letters" in texts
    second = Announcement.objects.get(title__startswith="A second window for 2013")
    assert second.published_at.astimezone(ET).date() == facts.WINDOWS[2013].value[1].opens


def test_every_uncertain_fact_has_a_note_saying_what_is_assumed():
    uncertain = [f for f in vars(facts).values() if isinstance(f, facts.Fact) and f.uncertain]
    uncertain += [
        f
        for d in vars(facts).values()
        if isinstance(d, dict)
        for f in d.values()
        if isinstance(f, facts.Fact) and f.uncertain
    ]
    assert uncertain and all(f.note for f in uncertain)
    sourced = [f for d in vars(facts).values() if isinstance(d, dict) for f in d.values() if isinstance(f, facts.Fact)]
    assert all(f.source or f.uncertain for f in sourced)


# --- Rendered texts -----------------------------------------------------------------------------------------------
def home_problems(text: str) -> list[str]:
    problems = []
    if "Medicare Part B Physician Fee Schedule payments, per TIN/NPI pair" not in text:
        problems.append("home: the payment base must be Part B Physician Fee Schedule, per TIN/NPI pair")
    for number, fact in facts.ADJUSTMENT_PERCENT.items():
        if f"{number} adjustment ({pct(fact.value)})" not in text:
            problems.append(f"home: {number} percent")
    unpublished = sum(not w.opening_published for f in facts.WINDOWS.values() for w in f.value)
    if text.count("CMS did not publish the opening day") != unpublished:
        problems.append("home: each unpublished opening day must say so")
    if "October 15" in text or "must still" in text:
        problems.append("home: invented announcement")
    return problems


def faq_problems(text: str) -> list[str]:
    problems = []
    for profession in facts.ELIGIBLE_PROFESSIONS.value:
        if profession.lower() not in text.lower():
            problems.append(f"faq: exclusion {profession}")
    if f"fewer than {facts.ENCOUNTER_THRESHOLD.value} denominator-eligible encounters" not in text:
        problems.append("faq: encounters exclusion")
    if f"less than {facts.CHARGES_SHARE_THRESHOLD.value}% of Part B allowed charges" not in text:
        problems.append("faq: denominator-codes exclusion")
    if "had no appeal" in text or "informal review" not in text:
        problems.append("faq: decisions final, informal review of the adjustment exists")
    if "2011 GPRO I or II" not in text or "CMS-selected groups used the online page" not in text:
        problems.append("faq: GPRO channel per year")
    return problems


def gpro_problems(text: str) -> list[str]:
    problems = [f"gpro: address line {line}" for line in facts.LETTER_ADDRESS.value if line not in text]
    if "should submit a letter" not in text or "could not use" in text:
        problems.append("gpro: wording of the source (should submit a letter)")
    if facts.date_text(facts.LETTER_POSTMARK_2012.value) not in text or "in 2011" not in text:
        problems.append("gpro: 2011 GPRO, postmark date")
    if "CMS did not publish whether letters were still accepted" not in text:
        problems.append("gpro: 2013/2014 letters uncertain")
    return problems


def test_home_states_the_table_s_facts(client):
    assert home_problems(page(client, "/")) == []


def test_faq_states_the_exclusions_the_final_decisions_and_informal_review(client):
    text = page(client, reverse("exemptions:help_page", args=["faq"]))
    assert faq_problems(text) == []
    for example in ("February 28, 2014", "January 1 - February 28, 2015"):
        assert example in text


def test_gpro_help_says_should_submit_a_letter_for_2011_groups(client):
    assert gpro_problems(page(client, reverse("exemptions:help_page", args=["gpro"]))) == []


def test_deadlines_help_says_cms_gave_no_time_of_day(client):
    text = page(client, reverse("exemptions:help_page", args=["deadlines"]))
    assert facts.TIME_OF_DAY.uncertain and "CMS announced deadlines as dates without a time of day" in text
    assert "11:59:59 p.m. ET on the closing day" in text


def test_categories_help_gives_the_2014_ehr_condition(client):
    text = page(client, reverse("exemptions:help_page", args=["categories"]))
    assert "had attested to meaningful use, or had registered for the EHR Incentive Program" in text
    assert "by June 30, 2013" in text


def test_after_decision_page_covers_finality_informal_review_feedback_reports_and_payments(client):
    text = page(client, reverse("exemptions:help_page", args=["after-decision"]))
    assert "final" in text and "informal review" in text
    assert "per TIN where at least one EP reported the eRx measure" in text and "claim-level detail" in text
    assert "paid per TIN, the year after the reporting year" in text
    assert f"reduced by {facts.SEQUESTRATION_PERCENT.value}%" in text
    assert facts.date_text(facts.SEQUESTRATION_FROM.value) in text


def test_after_decision_page_links_informal_review_only_when_that_page_exists(client):
    html = client.get(reverse("exemptions:help_page", args=["after-decision"])).content.decode()
    try:
        url = reverse("exemptions:informal_review_start")
    except Exception:  # noqa: BLE001 (NoReverseMatch: the informal review pages are not merged yet)
        assert "Ask for an informal review</a>" not in html
    else:
        assert f'href="{url}"' in html


def test_estimator_page_lists_the_table_s_rates(client):
    text = page(client, reverse("exemptions:estimator"))
    adjustments = ", ".join(f"{y} {pct(f.value)}" for y, f in facts.ADJUSTMENT_PERCENT.items())
    incentives = ", ".join(f"{y} {pct(f.value)}" for y, f in facts.INCENTIVE_PERCENT.items())
    assert adjustments in text and incentives in text
    assert "$100,000 × 0.5% = $500, less 2% = $490" in text


def test_precheck_page_lists_the_exclusions(client):
    text = page(client, reverse("exemptions:precheck"))
    assert f"fewer than {facts.ENCOUNTER_THRESHOLD.value} denominator-eligible encounters" in text
    assert f"less than {facts.CHARGES_SHARE_THRESHOLD.value}% of Part B allowed charges" in text


def _decision_text(status: str, kind: str = "individual") -> tuple[str, str]:
    exemption = RequestFactory(year=AdjustmentYear.objects.get(year=2013), kind=kind, reference="HX-2013-000001")
    change = StatusChange(request=exemption, to_status=status, message_to_ep="Reason.", at=timezone.now())
    name, context = decision_email(exemption, change)
    email = render_email(name, context, to=["alice@example.org"])
    return re.sub(r"\s+", " ", email.body), text_of(email.alternatives[0][0])


def test_denial_email_does_not_say_the_adjustment_applies(settings):
    for text in _decision_text("denied"):
        assert "applies to your" not in text
        assert "does not by itself mean the adjustment applies" in text
        assert "final" in text and "informal review of the adjustment" in text
        assert "/help/after-decision/" in text or "What you can do after a decision" in text


def test_approval_email_names_part_b_physician_fee_schedule_per_tin_npi_pair():
    for text in _decision_text("approved"):
        assert "Medicare Part B Physician Fee Schedule payments, for each TIN/NPI pair" in text
        assert "1.5% eRx payment adjustment in 2013" in text


def test_approval_texts_fit_each_category():
    approvals = reasons.reasons_for(reasons.Decision.APPROVE)
    assert not [r.code for r in approvals if "prevented you from e-prescribing" in r.default_message]
    selectable = set().union(*(f.value[0] for f in facts.CATEGORIES.values()))
    assert {f"approved_{code.replace('-', '_')}" for code in selectable} <= {r.code for r in approvals}


# --- Drift is caught ----------------------------------------------------------------------------------------------
def test_a_drifted_seeded_fact_is_caught():
    AdjustmentYear.objects.filter(year=2013).update(adjustment_percent="1.75")
    SubmissionWindow.objects.filter(year__year=2014).update(opening_published=True)
    AdjustmentYear.objects.filter(year=2012).update(gpro_program_years="2010,2011")
    problems = " | ".join(seeded_problems())
    assert "2013 percent 1.75" in problems and "2014 windows" in problems and "2012 GPRO program years" in problems


def test_a_drifted_text_is_caught():
    assert faq_problems("The program had no appeal.")
    assert gpro_problems("Groups could not use the online page.")
    assert home_problems("2013 adjustment (1%) Medicare Part B payments")
