"""How far along a request is: the steps of an EP's request and the tasks of a group's letter, each with a status.

One home for "Completed / In progress / Not started / Cannot start yet": the step indicator, the "check your
answers" page and the group's task list read it from here. What counts as complete is `completeness.py`'s rule;
this module only sorts its findings by step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .completeness import (
    EP_REQUIRED_FIELDS,
    GROUP_MAX_EPS,
    GROUP_MIN_EPS,
    GROUP_REQUIRED_FIELDS,
    ep_field_problems,
    hardship_field_problems,
    hardship_values,
    incomplete_eps_filter,
    submit_field_problems,
)
from .models import ExemptionRequest, GroupLetter

S = ExemptionRequest.Status
COMPLETED, IN_PROGRESS, NOT_STARTED, CANNOT_START = "completed", "in_progress", "not_started", "cannot_start"
LABELS = {
    COMPLETED: "Completed",
    IN_PROGRESS: "In progress",
    NOT_STARTED: "Not started",
    CANNOT_START: "Cannot start yet",
}

# An EP's request, in the order it is filled in. The last step is the summary, the attestation and Submit.
STEPS = [
    ("eps", "Affected EPs"),
    ("practice", "Practice details"),
    ("hardship", "Hardship"),
    ("check", "Check your answers and submit"),
]
STEP_SLUGS = [slug for slug, _name in STEPS]
PRACTICE_FIELDS = ("tin", "contact_phone")
HARDSHIP_FIELDS = ("categories", "cehrt_id", "justification")


@dataclass(frozen=True)
class Task:
    """One step of a request or one task of a group: its status and, when not complete, what is missing."""

    key: str
    name: str
    status: str
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def is_complete(self) -> bool:
        return self.status == COMPLETED


def _status(problems, *, started: bool) -> str:
    if not problems:
        return COMPLETED
    return IN_PROGRESS if started else NOT_STARTED


def ep_problems(eps) -> list[str]:
    """Each incomplete EP row in words ("EP 2: ZIP code is required to submit."), or the empty list's problem."""
    if not eps:
        return ["Add at least one affected EP."]
    return [
        f"EP {number}: {message}"
        for number, ep in enumerate(eps, start=1)
        for message in ep_field_problems({name: getattr(ep, name) for name in EP_REQUIRED_FIELDS}).values()
    ]


def request_steps(exemption: ExemptionRequest) -> list[Task]:
    """The four steps of an EP's request with their status (the attestation belongs to the last step)."""
    eps = list(exemption.affected_eps.order_by("position", "id"))
    hardship = hardship_values(exemption)
    fields = submit_field_problems(tin=exemption.tin, contact_phone=exemption.contact_phone, **hardship)
    practice = [fields[n] for n in PRACTICE_FIELDS if n in fields]
    chosen = [fields[n] for n in HARDSHIP_FIELDS if n in fields]
    eps_found = ep_problems(eps)
    check = [fields["attested"]] if "attested" in fields else []
    submitted = exemption.status != S.DRAFT
    names = dict(STEPS)
    return [
        Task("eps", names["eps"], _status(eps_found, started=any(ep.npi for ep in eps)), eps_found),
        Task(
            "practice",
            names["practice"],
            _status(practice, started=bool(exemption.tin or exemption.contact_phone)),
            practice,
        ),
        Task(
            "hardship",
            names["hardship"],
            _status(chosen, started=bool(hardship["categories"] or exemption.justification or exemption.cehrt_id)),
            chosen,
        ),
        Task("check", names["check"], COMPLETED if submitted else NOT_STARTED, check),
    ]


def first_incomplete_step(steps: list[Task]) -> str:
    """Where a person coming back to a draft carries on: the first step not complete, else the summary."""
    return next((t.key for t in steps[:-1] if not t.is_complete), "check")


def group_tasks(exemption: ExemptionRequest) -> list[Task]:
    """The task list of a group's letter: Group details, EPs, Hardship, Letter, Mailed."""
    details = [f"{label} is missing." for name, label in GROUP_REQUIRED_FIELDS.items() if not getattr(exemption, name)]
    # The portal fills the contact's name and email at creation: only what the group typed counts as a start.
    typed = [n for n in GROUP_REQUIRED_FIELDS if n not in ("contact_name", "contact_email") and getattr(exemption, n)]
    answers = hardship_values(exemption)
    hardship = list(hardship_field_problems(**answers).values())
    count = exemption.affected_eps.count()
    eps = []
    if not GROUP_MIN_EPS <= count <= GROUP_MAX_EPS:
        eps.append(f"A group letter lists {GROUP_MIN_EPS} to {GROUP_MAX_EPS:,} EPs; this group has {count:,}.")
    incomplete = exemption.affected_eps.filter(incomplete_eps_filter()).count() if count else 0
    if incomplete:
        eps.append(f"{incomplete:,} EP row(s) are incomplete: each needs NPI, name, address and email.")
    tasks = [
        Task("details", "Group details", _status(details, started=bool(typed)), details),
        Task("eps", "Affected EPs", _status(eps, started=count > 0), eps),
        Task(
            "hardship",
            "Hardship and attestation",
            _status(
                hardship,
                started=bool(answers["categories"] or exemption.justification or exemption.attested),
            ),
            hardship,
        ),
    ]
    ready = all(t.is_complete for t in tasks)
    tasks.append(Task("letter", "Generate the letter", _letter_status(exemption, ready=ready)))
    tasks.append(Task("mailed", "Mail the letter", _mailed_status(exemption)))
    return tasks


def _letter_status(exemption: ExemptionRequest, *, ready: bool) -> str:
    if exemption.status == S.DRAFT:
        if exemption.letters.filter(status=GroupLetter.Status.PREPARING).exists():
            return IN_PROGRESS
        return NOT_STARTED if ready else CANNOT_START
    latest = exemption.letters.order_by("-version").first()
    if latest is not None and latest.status != GroupLetter.Status.READY:
        return IN_PROGRESS
    return COMPLETED


def _mailed_status(exemption: ExemptionRequest) -> str:
    if exemption.status == S.LETTER_GENERATED:
        return NOT_STARTED
    if exemption.status == S.DRAFT:
        return CANNOT_START
    return COMPLETED if exemption.mailed_on else NOT_STARTED
