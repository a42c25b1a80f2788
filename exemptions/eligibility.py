"""The "Do I need to file?" pre-check: per-year rules (data from the facts table) and the function applying them.

Three outcomes, most decisive first: an automatic exclusion (no request needed), a reason the EP may not need to
file (a G-code on claims or an automatic EHR grant, where that year had one), or "file a hardship request" with the
categories the answers point to. The rules never read the database: the page adds names and links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .facts import (
    CATEGORIES,
    CHARGES_SHARE_THRESHOLD,
    EHR_AUTOMATIC_2014,
    ELIGIBLE_PROFESSIONS,
    ENCOUNTER_THRESHOLD,
    G_CODES,
    GROUP_CHANNEL,
    NO_PRESCRIBING_G_CODE,
    REPORTING_PERIOD,
)


class Outcome(StrEnum):
    EXCLUDED = "excluded"
    MAY_NOT_NEED = "may_not_need"
    FILE = "file"


HEADLINES = {
    Outcome.EXCLUDED: "You are automatically excluded: no request needed",
    Outcome.MAY_NOT_NEED: "You may not need to file",
    Outcome.FILE: "File a hardship request",
}

# Answer values (the form's choices use the same ones).
PROFESSIONS = {
    "md_do": "MD or DO",
    "podiatrist": "Podiatrist",
    "np": "Nurse practitioner",
    "pa": "Physician assistant",
    "other": "Another profession",
}
# NUCC taxonomy code prefixes (the NPI registry's primary specialty) that pre-answer the profession question.
# "20": allopathic and osteopathic physicians; anything not listed is "another profession".
PROFESSION_BY_TAXONOMY = {"20": "md_do", "213E": "podiatrist", "363L": "np", "363A": "pa"}


def profession_from_taxonomy(code: str) -> str:
    """A registry taxonomy code as a profession answer; "" when there is no code to go by."""
    if not code:
        return ""
    return next((p for prefix, p in PROFESSION_BY_TAXONOMY.items() if code.startswith(prefix)), "other")


YES, NO, BELOW, AT_LEAST, UNKNOWN, NONE = "yes", "no", "below", "at_least", "unknown", "none"
G8642, G8643, BOTH = "g8642", "g8643", "both"
MEANINGFUL_USE, CEHRT = "meaningful_use", "cehrt"


@dataclass(frozen=True)
class YearRules:
    year: int
    reporting_period: str
    encounter_threshold: int
    charges_share_threshold: Decimal
    selectable: frozenset[str]  # categories a request may name this year
    g_codes_on_claims_suffice: bool  # the year took G8642/G8643 from claims: no request
    ehr_automatic: str  # the condition under which CMS granted the EHR categories itself; "" when it did not
    group_channel: str


def _rules(year: int) -> YearRules:
    selectable, information_only = CATEGORIES[year].value  # type: ignore[misc]
    return YearRules(
        year=year,
        reporting_period=str(REPORTING_PERIOD[year].value),
        encounter_threshold=int(ENCOUNTER_THRESHOLD.value),  # type: ignore[arg-type]
        charges_share_threshold=CHARGES_SHARE_THRESHOLD.value,  # type: ignore[arg-type]
        selectable=frozenset(selectable),
        g_codes_on_claims_suffice=bool(set(G_CODES.value) & information_only),  # type: ignore[arg-type]
        ehr_automatic=str(EHR_AUTOMATIC_2014.value) if {"meaningful-use", "ehr-cehrt"} <= information_only else "",
        group_channel=str(GROUP_CHANNEL[year].value),
    )


RULES: dict[int, YearRules] = {year: _rules(year) for year in sorted(CATEGORIES)}


@dataclass
class Result:
    year: int
    outcome: Outcome
    reasons: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # codes the answers point to, for a FILE outcome
    notes: list[str] = field(default_factory=list)  # unknown answers that could still change the outcome

    @property
    def headline(self) -> str:
        return HEADLINES[self.outcome]


def precheck(answers: dict[str, str]) -> Result:
    """Apply the year's rules to complete answers (the form checks every question was answered)."""
    rules = RULES[int(answers["year"])]
    exclusions = _exclusions(rules, answers)
    if exclusions:
        return Result(rules.year, Outcome.EXCLUDED, reasons=exclusions)
    notes = _unknowns(rules, answers)
    may_not = _may_not_need(rules, answers)
    if may_not:
        return Result(rules.year, Outcome.MAY_NOT_NEED, reasons=may_not, notes=notes)
    return Result(rules.year, Outcome.FILE, categories=_categories(rules, answers), notes=notes)


def _exclusions(rules: YearRules, answers: dict[str, str]) -> list[str]:
    found = []
    if answers["profession"] == "other":
        professions = ", ".join(ELIGIBLE_PROFESSIONS.value[:-1]) + " or " + ELIGIBLE_PROFESSIONS.value[-1]  # type: ignore[index]
        found.append(f"The program applies only to an {professions}.")
    if answers["prescribing"] == NO:
        found.append(
            f"You had no prescribing privileges (reported on claims with G-code {NO_PRESCRIBING_G_CODE.value})."
        )
    if answers["encounters"] == BELOW:
        found.append(
            f"You had fewer than {rules.encounter_threshold} denominator-eligible encounters in the reporting "
            f"period ({rules.reporting_period})."
        )
    if answers["charges_share"] == BELOW:
        found.append(
            f"Less than {rules.charges_share_threshold}% of your Part B allowed charges (per TIN) came from the eRx "
            "measure's denominator codes."
        )
    return found


def _may_not_need(rules: YearRules, answers: dict[str, str]) -> list[str]:
    found = []
    g_code = answers["g_code"]
    if rules.g_codes_on_claims_suffice and g_code in (G8642, G8643, BOTH):
        codes = {"g8642": "G8642", "g8643": "G8643", "both": "G8642 and G8643"}[g_code]
        found.append(
            f"You reported {codes} on claims: for the {rules.year} adjustment CMS took these hardships from claims, "
            "so no request was needed for them."
        )
    if rules.ehr_automatic and answers["ehr"] in (MEANINGFUL_USE, CEHRT):
        found.append(
            f"For the {rules.year} adjustment, the two EHR categories needed no request: {rules.ehr_automatic}."
        )
    return found


def _categories(rules: YearRules, answers: dict[str, str]) -> list[str]:
    wanted = []
    g_code = answers["g_code"]
    if g_code in (G8642, BOTH):
        wanted.append("rural-internet")
    if g_code in (G8643, BOTH):
        wanted.append("pharmacies")
    if answers["ehr"] == MEANINGFUL_USE:
        wanted += ["meaningful-use", "ehr-cehrt"]
    elif answers["ehr"] == CEHRT:
        wanted.append("ehr-cehrt")
    # Only what the year allows, once, in the order above (2012 has no meaningful-use category: CEHRT instead).
    return [code for i, code in enumerate(wanted) if code in rules.selectable and code not in wanted[:i]]


def _unknowns(rules: YearRules, answers: dict[str, str]) -> list[str]:
    notes = []
    if answers["encounters"] == UNKNOWN:
        notes.append(
            f"If you had fewer than {rules.encounter_threshold} denominator-eligible encounters in "
            f"{rules.reporting_period}, you are excluded and need no request."
        )
    if answers["charges_share"] == UNKNOWN:
        notes.append(
            f"If less than {rules.charges_share_threshold}% of your Part B allowed charges came from the measure's "
            "denominator codes, you are excluded and need no request."
        )
    return notes
