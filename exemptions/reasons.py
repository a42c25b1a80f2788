"""Reason codes staff pick when deciding, each with the default message the EP reads (editable before sending).

Codes are stored on the request (`decision_reason_code`) and on its StatusChange rows, so they must never be
renamed; add new ones instead. The default messages are plain language: they go to the EP word for word.
"""

from __future__ import annotations

from dataclasses import dataclass


class Decision:
    APPROVE = "approve"
    DENY = "deny"
    REQUEST_INFO = "request_info"


@dataclass(frozen=True)
class Reason:
    code: str
    decision: str
    label: str
    default_message: str


EXEMPT = "You are exempt from this year's eRx payment adjustment."

REASONS: list[Reason] = [
    # Approvals
    Reason(
        "hardship_verified",
        Decision.APPROVE,
        "Significant hardship verified",
        "CMS reviewed your request and the information you gave, and found that it meets the requirements of the "
        "hardship category you chose for this adjustment year. " + EXEMPT,
    ),
    # One approval per hardship category, so the text the EP reads fits what was verified (issue 13).
    Reason(
        "approved_rural_internet",
        Decision.APPROVE,
        "Approved: rural area without sufficient high-speed internet (G8642)",
        "CMS verified that you practiced in a rural area without sufficient high-speed internet access. " + EXEMPT,
    ),
    Reason(
        "approved_pharmacies",
        Decision.APPROVE,
        "Approved: too few pharmacies that accept e-prescriptions (G8643)",
        "CMS verified that you practiced in an area without sufficient pharmacies that accept electronic "
        "prescriptions. " + EXEMPT,
    ),
    Reason(
        "approved_law_regulation",
        Decision.APPROVE,
        "Approved: law or regulation",
        "CMS verified that a local, state or federal law or regulation kept you from prescribing electronically. "
        + EXEMPT,
    ),
    Reason(
        "approved_limited_prescribing",
        Decision.APPROVE,
        "Approved: limited prescribing activity",
        "CMS verified that you wrote fewer prescriptions in the reporting period than this adjustment year's limit "
        "for the limited-prescribing category. " + EXEMPT,
    ),
    Reason(
        "approved_insufficient_opportunities",
        Decision.APPROVE,
        "Approved: insufficient opportunities to report the eRx measure",
        "CMS verified that the limits of the eRx measure's denominator left you too few opportunities to report "
        "the measure. " + EXEMPT,
    ),
    Reason(
        "approved_ehr_cehrt",
        Decision.APPROVE,
        "Approved: registered for the EHR Incentive Program and adopted certified EHR technology",
        "CMS verified that you registered for the Medicare or Medicaid EHR Incentive Program and adopted certified "
        "EHR technology by this adjustment year's deadline. " + EXEMPT,
    ),
    Reason(
        "approved_meaningful_use",
        Decision.APPROVE,
        "Approved: achieved meaningful use",
        "CMS verified that you achieved meaningful use of certified EHR technology and attested to it by this "
        "adjustment year's deadline. " + EXEMPT,
    ),
    Reason(
        "approved_after_documents",
        Decision.APPROVE,
        "Approved after supporting documents",
        "Thank you for the additional information. With it, CMS was able to verify the significant hardship you "
        "described. You are exempt from this year's eRx payment adjustment.",
    ),
    # Denials
    Reason(
        "tin_npi_mismatch",
        Decision.DENY,
        "TIN/NPI does not match claims",
        "The TIN and NPI in your request do not match the Medicare Part B claims CMS holds for the reporting "
        "period, so CMS could not confirm that the exemption applies to you.",
    ),
    Reason(
        "cehrt_not_certified",
        Decision.DENY,
        "CEHRT ID not on the certified list",
        "The CEHRT certification ID you gave is not on the Office of the National Coordinator's list of "
        "certified EHR technology, which this hardship category requires.",
    ),
    Reason(
        "justification_incomplete",
        Decision.DENY,
        "Justification incomplete",
        "Your justification did not explain how your circumstances during the reporting period meet the "
        "hardship category you chose, and CMS could not verify it from the information provided.",
    ),
    Reason(
        "category_not_met",
        Decision.DENY,
        "Hardship category requirements not met",
        "The circumstances you described do not meet the requirements of the hardship category you chose for "
        "this adjustment year.",
    ),
    Reason(
        "no_answer",
        Decision.DENY,
        "No answer to the request for information",
        "CMS asked you for more information and did not receive an answer by the date given, so CMS could not "
        "verify your request.",
    ),
    Reason("deny_other", Decision.DENY, "Other (write the reason)", ""),
    # Requests for more information
    Reason(
        "info_tin_npi",
        Decision.REQUEST_INFO,
        "TIN/NPI does not match claims: ask for proof",
        "The TIN and NPI in your request do not match the Medicare claims CMS holds. Please confirm both numbers "
        "and upload a document that shows them together (for example a remittance advice).",
    ),
    Reason(
        "info_cehrt",
        Decision.REQUEST_INFO,
        "CEHRT ID not found: ask for the right ID",
        "CMS could not find your CEHRT certification ID on the certified list. Please check the ID with your EHR "
        "vendor and send the correct one, or a letter from the vendor showing it.",
    ),
    Reason(
        "info_justification",
        Decision.REQUEST_INFO,
        "Justification incomplete: ask for details",
        "Please explain in more detail how your circumstances during the reporting period meet the hardship "
        "category you chose (dates, what you tried, and why it failed), and upload any document that supports it.",
    ),
    Reason("info_other", Decision.REQUEST_INFO, "Other (write the question)", ""),
]

BY_CODE: dict[str, Reason] = {r.code: r for r in REASONS}


def reasons_for(decision: str) -> list[Reason]:
    return [r for r in REASONS if r.decision == decision]


def choices_for(decision: str) -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in reasons_for(decision)]


def default_message(code: str) -> str:
    reason = BY_CODE.get(code)
    return reason.default_message if reason else ""


def label(code: str) -> str:
    reason = BY_CODE.get(code)
    return reason.label if reason else code


def suggested_reason(decision: str, *, needs_cehrt: bool, answered: bool) -> str:
    """The reason preselected on the review screen: the usual one for the request's categories (a category that needs
    a CEHRT ID is usually decided on that ID) and history (an EP who answered a question). The reviewer may change it.
    """
    if decision == Decision.APPROVE:
        return "approved_after_documents" if answered else "hardship_verified"
    if decision == Decision.DENY:
        return "cehrt_not_certified" if needs_cehrt else "category_not_met"
    return "info_cehrt" if needs_cehrt else "info_justification"
