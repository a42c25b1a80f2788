"""The request workflow as one explicit table. Services consult it; nothing else sets a status.

draft → submitted → under review → (info requested ⇄ resubmitted) → approved | denied;
withdrawn from any state before a decision; GPRO letters: draft → letter generated → mailed → received
→ under review. Approved and denied are final except for a staff "reopen" with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ExemptionRequest, InformalReview

S = ExemptionRequest.Status


class Actor:
    EP = "ep"
    STAFF = "staff"


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[str]
    target: str
    actor: str


def _t(name: str, source: set[str], target: str, actor: str) -> Transition:
    return Transition(name, frozenset(source), target, actor)


UNDECIDED = {S.SUBMITTED, S.LETTER_GENERATED, S.MAILED, S.RECEIVED, S.UNDER_REVIEW, S.INFO_REQUESTED, S.RESUBMITTED}
FINAL = {S.APPROVED, S.DENIED}

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", {S.DRAFT}, S.SUBMITTED, Actor.EP),
        _t("generate_letter", {S.DRAFT}, S.LETTER_GENERATED, Actor.EP),
        _t("mark_mailed", {S.LETTER_GENERATED}, S.MAILED, Actor.EP),
        _t("mark_received", {S.LETTER_GENERATED, S.MAILED}, S.RECEIVED, Actor.STAFF),
        _t("start_review", {S.SUBMITTED, S.RECEIVED, S.RESUBMITTED}, S.UNDER_REVIEW, Actor.STAFF),
        _t("request_info", {S.UNDER_REVIEW, S.RESUBMITTED}, S.INFO_REQUESTED, Actor.STAFF),
        _t("respond", {S.INFO_REQUESTED}, S.RESUBMITTED, Actor.EP),
        _t("approve", {S.UNDER_REVIEW, S.RESUBMITTED}, S.APPROVED, Actor.STAFF),
        _t("deny", {S.UNDER_REVIEW, S.RESUBMITTED, S.INFO_REQUESTED}, S.DENIED, Actor.STAFF),
        _t("withdraw", UNDECIDED, S.WITHDRAWN, Actor.EP),
        _t("reopen", FINAL, S.UNDER_REVIEW, Actor.STAFF),
    ]
}

# What the EP reads: plain words, not the working names staff use.
EP_STATUS_LABELS = {
    S.DRAFT: "Draft (not submitted)",
    S.SUBMITTED: "Received",
    S.LETTER_GENERATED: "Letter ready to print and mail",
    S.MAILED: "Letter mailed",
    S.RECEIVED: "Letter received by CMS",
    S.UNDER_REVIEW: "Being reviewed",
    S.INFO_REQUESTED: "We need more information",
    S.RESUBMITTED: "Your answer was received",
    S.APPROVED: "Approved",
    S.DENIED: "Denied",
    S.WITHDRAWN: "Withdrawn",
}


class TransitionNotAllowed(Exception):
    """An illegal transition: nothing was changed. The message is fit to show to the person who tried."""


def check(transition_name: str, current_status: str) -> Transition:
    transition = TRANSITIONS[transition_name]
    if current_status not in transition.source:
        current = EP_STATUS_LABELS.get(current_status, current_status)
        verb = transition_name.replace("_", " ")
        raise TransitionNotAllowed(f'Cannot {verb} a request whose status is "{S(current_status).label}" ({current}).')
    return transition


def allowed(transition_name: str, current_status: str) -> bool:
    return current_status in TRANSITIONS[transition_name].source


def ep_label(status: str) -> str:
    return EP_STATUS_LABELS[status]


# Informal reviews (a request about the adjustment itself): draft → submitted → in review → upheld | reversed.
# A decision is final here too: no reopen.
IR = InformalReview.Status
INFORMAL_REVIEW_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", {IR.DRAFT}, IR.SUBMITTED, Actor.EP),
        _t("start_review", {IR.SUBMITTED}, IR.IN_REVIEW, Actor.STAFF),
        _t("uphold", {IR.SUBMITTED, IR.IN_REVIEW}, IR.UPHELD, Actor.STAFF),
        _t("reverse", {IR.SUBMITTED, IR.IN_REVIEW}, IR.REVERSED, Actor.STAFF),
    ]
}
INFORMAL_REVIEW_EP_LABELS = {
    IR.DRAFT: "Draft (not submitted)",
    IR.SUBMITTED: "Received",
    IR.IN_REVIEW: "Being reviewed",
    IR.UPHELD: "Decided: the adjustment stands",
    IR.REVERSED: "Decided: the adjustment was reversed",
}


def informal_review_check(transition_name: str, current_status: str) -> Transition:
    transition = INFORMAL_REVIEW_TRANSITIONS[transition_name]
    if current_status not in transition.source:
        verb = transition_name.replace("_", " ")
        raise TransitionNotAllowed(
            f'Cannot {verb} an informal review whose status is "{INFORMAL_REVIEW_EP_LABELS[current_status]}".'
        )
    return transition
