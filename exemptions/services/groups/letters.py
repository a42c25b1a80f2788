"""GPRO letters: make a new version, record what the render task made, and the letter's mailing and receipt.

Workflow: draft → letter generated (reference issued, letter v1) → mailed (by the group) → received (by staff).
A group may still edit after generating, while the letter window is open: every edit makes a new letter
version and keeps the old ones. A version is a row "preparing" until the task "exemptions.render_letter" stores
its PDF. The task runs after the transaction commits, outside the row lock: in this process for letters of at
most SYNC_RENDER_MAX_EPS EPs (the group gets its letter at once), in the worker for larger ones (the group sees
"preparing", then gets an email).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...completeness import group_problems
from ...models import Channel, ExemptionRequest, GroupLetter, OutboundEmail, User
from ...models.letters import GroupMailing, letter_upload_to
from ...windows import WindowState, date_et, window_state
from ..outbox import outbox_enqueue
from ..references import reference_issue
from ..registry_checks import request_check_registry
from ..render_queue import RenderQueue, pdf_sha256
from ..requests import RequestLocked, WindowClosed
from ..transitions import apply_transition, exemption_lock, transition_locked

RENDER_LETTER_TASK = "exemptions.render_letter"
LETTER_RENDERS = RenderQueue(GroupLetter, RENDER_LETTER_TASK)
S = ExemptionRequest.Status
EDITABLE = {S.DRAFT, S.LETTER_GENERATED}
SYNC_RENDER_MAX_EPS = 100  # about a second of rendering; larger letters go to a worker


def letter_window_require(locked: ExemptionRequest, at: dt.datetime) -> WindowState:
    """The letter window's state for this request (its extensions count); WindowClosed unless it is open."""
    state = window_state(year=locked.year, channel=Channel.LETTER, at=at, exemption=locked)
    if not state.is_open:
        raise WindowClosed(state)
    return state


@transaction.atomic
def letter_generate(*, exemption: ExemptionRequest, actor: User, at: dt.datetime) -> GroupLetter:
    """Generate the letter: check it is complete and the letter window is open, then make a new version.

    The first call issues the reference (draft → letter generated). Calling again with nothing changed
    returns the latest version (a double click makes one letter). The returned letter is "preparing": its PDF
    is rendered after commit (reload it to see it ready).
    """
    locked = exemption_lock(exemption)
    if locked.kind != ExemptionRequest.Kind.GROUP or locked.status not in EDITABLE:
        raise RequestLocked("The letter can no longer be changed: it has been mailed.")
    letter = letter_version_add(locked, actor=actor, at=at)
    exemption.refresh_from_db()
    return letter


def letter_version_add(locked: ExemptionRequest, *, actor: User, at: dt.datetime) -> GroupLetter:
    """A new letter version of `locked` (the caller holds the row lock), or the latest if nothing changed."""
    latest = locked.letters.order_by("-version").first()
    if latest and latest.source_version == locked.version and latest.status != GroupLetter.Status.FAILED:
        if latest.status == GroupLetter.Status.PREPARING:
            _dispatch_render(latest, ep_count=locked.ep_count)  # lost publish or impatient click: harmless twice
        return latest
    problems = group_problems(locked)
    if problems:
        raise ValidationError(problems)
    state = letter_window_require(locked, at)
    if locked.status == S.DRAFT:
        transition_locked(
            locked,
            "generate_letter",
            actor=actor,
            at=at,
            fields={
                "reference": reference_issue(year=locked.year.year),
                "submitted_window": state.window,
                "attestation_text": locked.year.attestation_for(locked.kind),  # what is attested, as worded then
            },
        )
    letter = GroupLetter.objects.create(
        request=locked,
        version=(latest.version if latest else 0) + 1,
        source_version=locked.version,
        postmark_deadline=date_et(state.closes_at),
    )
    _dispatch_render(letter, ep_count=locked.ep_count)
    request_check_registry(exemption=locked)  # each version: EPs edited after generation are checked again
    return letter


def _dispatch_render(letter: GroupLetter, *, ep_count: int) -> None:
    LETTER_RENDERS.dispatch_on_commit(letter.pk, run_here=ep_count <= SYNC_RENDER_MAX_EPS)


@transaction.atomic
def letter_store_rendered(*, letter_id: int, pdf: bytes, page_count: int, at: dt.datetime | None = None) -> bool:
    """Store a rendered letter if it is still "preparing" (else the file just written is removed: False).

    Large letters are announced by email to the group once stored (small ones were rendered while they waited).
    """
    letter = GroupLetter.objects.select_related("request__owner").filter(pk=letter_id).first()
    if letter is None:
        return False
    stored = LETTER_RENDERS.store_once(
        letter,
        path=letter_upload_to(letter, "letter.pdf"),
        pdf=pdf,
        sha256=pdf_sha256(pdf),
        page_count=page_count,
        rendered_at=at or timezone.now(),
    )
    if stored and letter.request.ep_count > SYNC_RENDER_MAX_EPS:
        _letter_ready_email(letter)
    return stored


def _letter_ready_email(letter: GroupLetter) -> None:
    exemption = letter.request
    outbox_enqueue(
        kind=OutboundEmail.Kind.LETTER_READY,
        key=f"letter_ready:{letter.pk}",
        recipients=[exemption.owner.email, exemption.contact_email],
        request=exemption,
        user=exemption.owner,
        context={"letter_id": letter.pk},
    )


# --- Mailing and receipt: both record the letter's date and flag it when late (GroupMailingQuerySet's rule) ---


@transaction.atomic
def letter_mark_mailed(*, exemption: ExemptionRequest, actor: User, at: dt.datetime, mailed_on: dt.date) -> bool:
    """The group says it mailed the letter on `mailed_on`. Returns True when that is after the deadline."""
    return _record_letter_day(
        exemption,
        "mark_mailed",
        actor=actor,
        at=at,
        day=mailed_on,
        fields={"mailed_on": mailed_on},
        late_reason=("mailed_late", "Mailed after the postmark deadline printed on the letter."),
    )


@transaction.atomic
def letter_mark_received(
    *, exemption: ExemptionRequest, actor: User, at: dt.datetime, received_on: dt.date, postmarked_on: dt.date
) -> bool:
    """Staff record that CMS received the letter. Returns True when the postmark is after the deadline."""
    return _record_letter_day(
        exemption,
        "mark_received",
        actor=actor,
        at=at,
        day=postmarked_on,
        fields={"received_on": received_on, "postmarked_on": postmarked_on},
        late_reason=("postmarked_late", "Postmarked after the deadline printed on the letter."),
    )


def _record_letter_day(
    exemption: ExemptionRequest,
    transition: str,
    *,
    actor: User,
    at: dt.datetime,
    day: dt.date,
    fields: dict,
    late_reason: tuple[str, str],
) -> bool:
    late = GroupMailing.objects.is_late(exemption, letter_day=day)
    reason_code, note = late_reason if late else ("", "")
    apply_transition(
        exemption=exemption,
        name=transition,
        actor=actor,
        at=at,
        fields=fields,
        reason_code=reason_code,
        internal_note=note,
    )
    return late
