"""GPRO groups: the group request, its letter (rendered once, versioned, kept), mailing, receipt, print batches.

Workflow: draft → letter generated (reference issued, letter v1) → mailed (by the group) → received (by staff).
A group may still edit after generating, while the letter window is open: every edit renders a new letter
version and keeps the old ones. Letters of more than SYNC_RENDER_MAX_EPS EPs render in a Celery task; the
group sees "preparing" meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from .. import letters
from ..completeness import EP_FIELDS, GROUP_FIELDS, GROUP_MAX_EPS, group_problems
from ..models import (
    AdjustmentYear,
    AffectedEP,
    Channel,
    ExemptionRequest,
    GroupLetter,
    OutboundEmail,
    PrintBatch,
    User,
)
from ..pdf import sha256
from ..windows import window_state
from .outbox import outbox_enqueue
from .references import reference_issue
from .requests import RequestLocked, WindowClosed, refresh_summary, replace_eps, request_create
from .transitions import apply_transition

log = logging.getLogger(__name__)
S = ExemptionRequest.Status
GROUP = ExemptionRequest.Kind.GROUP
EDITABLE = {S.DRAFT, S.LETTER_GENERATED}
MAX_EPS = GROUP_MAX_EPS
SYNC_RENDER_MAX_EPS = 100  # about a second of rendering; larger letters go to a worker
SYNC_BATCH_MAX_LETTERS = 20


# --- The group request ------------------------------------------------------------------------------------


@transaction.atomic
def group_request_create(*, owner: User, year: AdjustmentYear) -> ExemptionRequest:
    return request_create(owner=owner, year=year, kind=GROUP)


def _lock_editable(request: ExemptionRequest, at: dt.datetime) -> ExemptionRequest:
    """Lock the row; refuse unless it can still change. After generation, only while a new letter can be made."""
    locked = ExemptionRequest.objects.select_for_update().select_related("year").get(pk=request.pk)
    if locked.status not in EDITABLE:
        raise RequestLocked("This letter has been mailed; the request can no longer be changed.")
    if locked.status == S.LETTER_GENERATED:
        state = window_state(year=locked.year, channel=Channel.LETTER, at=at, request=locked)
        if not state.is_open:
            raise WindowClosed(state)
    return locked


def _after_edit(locked: ExemptionRequest, actor: User, at: dt.datetime) -> None:
    locked.version = F("version") + 1
    locked._history_user = actor
    locked.save()
    refresh_summary(locked)
    locked.refresh_from_db()
    if locked.status == S.LETTER_GENERATED:
        # "Any edit makes a new version": the letter on file must always match the request.
        letter_finalize(request=locked, actor=actor, at=at)


@transaction.atomic
def group_request_save(
    *, request: ExemptionRequest, actor: User, at: dt.datetime, fields: dict, categories=None
) -> ExemptionRequest:
    """Save the group's details (complete or not). After generation this renders a new letter version."""
    locked = _lock_editable(request, at)
    for name in GROUP_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    if categories is not None:
        locked.categories.set(categories)
    _after_edit(locked, actor, at)
    request.refresh_from_db()
    return request


@transaction.atomic
def group_eps_replace(*, request: ExemptionRequest, actor: User, at: dt.datetime, rows: list[dict]) -> int:
    """Replace the whole EP list (a CSV import in "replace" mode)."""
    _check_count(len(rows))
    locked = _lock_editable(request, at)
    replace_eps(locked, rows)
    _after_edit(locked, actor, at)
    return len(rows)


@transaction.atomic
def group_eps_add(*, request: ExemptionRequest, actor: User, at: dt.datetime, rows: list[dict]) -> int:
    """Append EPs; an NPI already listed is refused (nothing is added)."""
    locked = _lock_editable(request, at)
    existing = dict(locked.affected_eps.exclude(npi="").values_list("npi", "position"))
    clashes = [row["npi"] for row in rows if row.get("npi") in existing]
    if clashes:
        raise ValidationError([f"NPI {npi} is already listed for this group." for npi in clashes])
    _check_count(len(existing) + len(rows))
    start = (locked.affected_eps.aggregate(m=Max("position"))["m"] or 0) + 1
    AffectedEP.objects.bulk_create(
        [
            AffectedEP(request=locked, position=start + i, **{k: row.get(k, "") for k in EP_FIELDS})
            for i, row in enumerate(rows)
        ],
        batch_size=1000,
    )
    _after_edit(locked, actor, at)
    return len(rows)


@transaction.atomic
def group_ep_remove(*, request: ExemptionRequest, actor: User, at: dt.datetime, ep_id: int) -> None:
    locked = _lock_editable(request, at)
    locked.affected_eps.filter(pk=ep_id).delete()
    _after_edit(locked, actor, at)


def _check_count(count: int) -> None:
    if count > MAX_EPS:
        raise ValidationError(f"A group letter may list at most {MAX_EPS:,} EPs; this would make {count:,}.")


# --- The letter -------------------------------------------------------------------------------------------


@transaction.atomic
def letter_finalize(*, request: ExemptionRequest, actor: User, at: dt.datetime) -> GroupLetter:
    """Generate the letter: check it is complete and the letter window is open, then make a new version.

    The first call issues the reference (draft → letter generated). Calling again with nothing changed
    returns the latest version (a double click makes one letter). Small letters render here; large ones in
    the worker (status "preparing" until then).
    """
    locked = ExemptionRequest.objects.select_for_update().select_related("year").get(pk=request.pk)
    if locked.kind != GROUP or locked.status not in EDITABLE:
        raise RequestLocked("The letter can no longer be changed: it has been mailed.")
    latest = locked.letters.order_by("-version").first()
    if latest and latest.source_version == locked.version and latest.status != GroupLetter.Status.FAILED:
        if latest.status == GroupLetter.Status.PREPARING:
            _queue_render(latest)  # lost publish or impatient click: rendering twice is harmless
        return latest
    problems = group_problems(locked)
    if problems:
        raise ValidationError(problems)
    state = window_state(year=locked.year, channel=Channel.LETTER, at=at, request=locked)
    if not state.is_open:
        raise WindowClosed(state)
    if locked.status == S.DRAFT:
        apply_transition(
            exemption=locked,
            name="generate_letter",
            actor=actor,
            at=at,
            fields={"reference": reference_issue(year=locked.year.year), "submitted_window": state.window},
        )
    letter = GroupLetter.objects.create(
        request=locked,
        version=(latest.version if latest else 0) + 1,
        source_version=locked.version,
        postmark_deadline=letters.date_et(state.closes_at),
    )
    if locked.ep_count <= SYNC_RENDER_MAX_EPS:
        letter_render(letter_id=letter.pk, at=at)
        letter.refresh_from_db()
    else:
        _queue_render(letter)
    request.refresh_from_db()
    return letter


def _queue_render(letter: GroupLetter) -> None:
    from ..tasks.letters import render_letter

    transaction.on_commit(lambda: _publish(render_letter, letter.pk))


def _publish(task, object_id: int) -> None:
    """Never fail the user's request because the broker is down: the page offers "try again"."""
    try:
        task.delay(object_id)
    except Exception:  # broker down or hung (OperationalError and friends)
        log.exception("could not publish %s(%s)", task.name, object_id)


def letter_render(*, letter_id: int, at: dt.datetime | None = None) -> str:
    """Render and store one letter version. Safe to run twice: a ready letter is skipped, a race loses cleanly.

    Rendering happens outside any lock (it can take seconds for 2,500 EPs); the result is stored only if the
    row is still "preparing" (conditional UPDATE), otherwise the file just written is removed.
    """
    letter = GroupLetter.objects.select_related("request__year").filter(pk=letter_id).first()
    if letter is None or letter.status == GroupLetter.Status.READY:
        return "skipped"
    at = at or timezone.now()
    try:
        data = letters.letter_pdf(
            letter.request,
            letter_date=letters.date_et(letter.created_at or at),
            postmark_deadline=letter.postmark_deadline,
            version=letter.version,
        )
    except Exception as exc:
        log.exception("letter %s failed to render", letter_id)
        GroupLetter.objects.filter(pk=letter_id, status=GroupLetter.Status.PREPARING).update(
            status=GroupLetter.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return "failed"
    name = letter.file.storage.save(letters_path(), ContentFile(data))
    stored = GroupLetter.objects.filter(pk=letter_id, status=GroupLetter.Status.PREPARING).update(
        status=GroupLetter.Status.READY,
        file=name,
        sha256=sha256(data),
        page_count=letters.page_count(data),
        rendered_at=at,
        error="",
    )
    if not stored:
        letter.file.storage.delete(name)
        return "skipped"
    if letter.request.ep_count > SYNC_RENDER_MAX_EPS:
        _letter_ready_email(letter)
    return "rendered"


def letters_path() -> str:
    from ..models.letters import letter_upload_to

    return letter_upload_to(None, "letter.pdf")


def _letter_ready_email(letter: GroupLetter) -> None:
    request = letter.request
    outbox_enqueue(
        kind=OutboundEmail.Kind.LETTER_READY,
        key=f"letter_ready:{letter.pk}",
        recipients=[request.owner.email, request.contact_email],
        request=request,
        user=request.owner,
        context={"letter_id": letter.pk},
    )


# --- Mailing and receipt ----------------------------------------------------------------------------------


def is_late(request: ExemptionRequest, day: dt.date | None) -> bool:
    """A mailing or postmark date after the deadline printed on the letter (accepted, but flagged for staff)."""
    deadline = (
        request.letters.exclude(postmark_deadline=None).order_by("-version").values_list("postmark_deadline", flat=True)
    ).first()
    return bool(day and deadline and day > deadline)


@transaction.atomic
def letter_mark_mailed(*, request: ExemptionRequest, actor: User, at: dt.datetime, mailed_on: dt.date) -> bool:
    """The group says it mailed the letter on `mailed_on`. Returns True when that is after the deadline."""
    late = is_late(request, mailed_on)
    apply_transition(
        exemption=request,
        name="mark_mailed",
        actor=actor,
        at=at,
        fields={"mailed_on": mailed_on},
        reason_code="mailed_late" if late else "",
        internal_note="Mailed after the postmark deadline printed on the letter." if late else "",
    )
    return late


@transaction.atomic
def letter_mark_received(
    *, request: ExemptionRequest, actor: User, at: dt.datetime, received_on: dt.date, postmarked_on: dt.date
) -> bool:
    """Staff record that CMS received the letter. Returns True when the postmark is after the deadline."""
    late = is_late(request, postmarked_on)
    apply_transition(
        exemption=request,
        name="mark_received",
        actor=actor,
        at=at,
        fields={"received_on": received_on, "postmarked_on": postmarked_on},
        reason_code="postmarked_late" if late else "",
        internal_note="Postmarked after the deadline printed on the letter." if late else "",
    )
    return late


# --- Print batches ----------------------------------------------------------------------------------------


@transaction.atomic
def print_batch_create(*, requests, actor: User, include_cover_sheet: bool = True) -> PrintBatch:
    """One merged PDF of the latest ready letter of each request. Large batches build in the worker."""
    chosen = _latest_ready(requests)
    if not chosen:
        raise ValidationError("None of the selected requests has a ready letter to print.")
    batch = PrintBatch.objects.create(created_by=actor, include_cover_sheet=include_cover_sheet)
    batch.letters.set(chosen)
    if len(chosen) <= SYNC_BATCH_MAX_LETTERS:
        print_batch_build(batch_id=batch.pk)
        batch.refresh_from_db()
    else:
        from ..tasks.letters import build_print_batch

        transaction.on_commit(lambda: _publish(build_print_batch, batch.pk))
    return batch


def _latest_ready(requests) -> list[GroupLetter]:
    """The newest ready version per request (older versions are kept but never printed)."""
    latest: dict[int, GroupLetter] = {}
    for letter in GroupLetter.objects.filter(request__in=requests, status=GroupLetter.Status.READY):
        if letter.request_id not in latest or letter.version > latest[letter.request_id].version:
            latest[letter.request_id] = letter
    return list(latest.values())


def print_batch_build(*, batch_id: int) -> str:
    """Merge the batch's stored letters (ordered by reference). Safe to run twice, like letter_render."""
    batch = PrintBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None or batch.status == PrintBatch.Status.READY:
        return "skipped"
    chosen = list(batch.letters.select_related("request").order_by("request__reference"))
    try:
        sources = [_read(letter) for letter in chosen]
        cover = None
        if batch.include_cover_sheet:
            cover = letters.cover_sheet_pdf(
                entries=[
                    letters.BatchEntry(l.request.reference, l.request.group_name, l.version, l.page_count)
                    for l in chosen  # noqa: E741
                ],
                batch_number=batch.pk,
                created_by=str(batch.created_by),
                created_at=batch.created_at,
            )
        data, pages = letters.merge_pdfs(sources, cover=cover)
    except Exception as exc:
        log.exception("print batch %s failed", batch_id)
        PrintBatch.objects.filter(pk=batch_id, status=PrintBatch.Status.PREPARING).update(
            status=PrintBatch.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return "failed"
    from ..models.letters import batch_upload_to

    name = batch.file.storage.save(batch_upload_to(batch, "batch.pdf"), ContentFile(data))
    stored = PrintBatch.objects.filter(pk=batch_id, status=PrintBatch.Status.PREPARING).update(
        status=PrintBatch.Status.READY, file=name, page_count=pages, error=""
    )
    if not stored:
        batch.file.storage.delete(name)
        return "skipped"
    return "built"


def _read(letter: GroupLetter) -> bytes:
    with letter.file.open("rb") as handle:
        data = handle.read()
    if sha256(data) != letter.sha256:
        raise ValueError(f"Letter {letter.request.reference} v{letter.version} does not match its SHA-256.")
    return data
