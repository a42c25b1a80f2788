"""The GPRO group request: create, save its details, edit its EP list (typed or from a CSV file).

Every edit locks the row once, saves a new version and, once the letter has been generated, makes a new letter
version in the same transaction ("any edit makes a new version": the letter on file always matches the
request). The PDF is rendered after commit, outside the lock.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from ...completeness import EP_FIELDS, GROUP_FIELDS, GROUP_MAX_EPS
from ...models import AdjustmentYear, AffectedEP, ExemptionRequest, User
from ..requests import RequestLocked, refresh_summary, replace_eps, request_create
from ..transitions import exemption_lock, exemption_save_version
from .letters import EDITABLE, letter_version_add, letter_window_require

S = ExemptionRequest.Status
SUMMARY_FIELDS = ["display_name", "first_npi", "ep_count"]


@transaction.atomic
def group_request_create(*, owner: User, year: AdjustmentYear) -> ExemptionRequest:
    return request_create(owner=owner, year=year, kind=ExemptionRequest.Kind.GROUP)


@transaction.atomic
def group_request_save(
    *, exemption: ExemptionRequest, actor: User, at: dt.datetime, fields: dict, categories=None
) -> ExemptionRequest:
    """Save the group's details (complete or not). After generation this makes a new letter version."""
    locked = _lock_editable(exemption, at)
    for name in GROUP_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    if categories is not None:
        locked.categories.set(categories)
    _after_edit(locked, actor, at)
    exemption.refresh_from_db()
    return exemption


@transaction.atomic
def group_eps_replace(*, exemption: ExemptionRequest, actor: User, at: dt.datetime, rows: list[dict]) -> int:
    """Replace the whole EP list (a CSV import in "replace" mode)."""
    _check_count(len(rows))
    locked = _lock_editable(exemption, at)
    replace_eps(locked, rows)
    _after_edit(locked, actor, at)
    return len(rows)


@transaction.atomic
def group_eps_add(*, exemption: ExemptionRequest, actor: User, at: dt.datetime, rows: list[dict]) -> int:
    """Append EPs; an NPI already listed is refused (nothing is added)."""
    locked = _lock_editable(exemption, at)
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
def group_ep_remove(*, exemption: ExemptionRequest, actor: User, at: dt.datetime, ep_id: int) -> None:
    locked = _lock_editable(exemption, at)
    locked.affected_eps.filter(pk=ep_id).delete()
    _after_edit(locked, actor, at)


def _lock_editable(exemption: ExemptionRequest, at: dt.datetime) -> ExemptionRequest:
    """Lock the row; refuse unless it can still change. After generation, only while a new letter can be made."""
    locked = exemption_lock(exemption)
    if locked.status not in EDITABLE:
        raise RequestLocked("This letter has been mailed; the request can no longer be changed.")
    if locked.status == S.LETTER_GENERATED:
        letter_window_require(locked, at)
    return locked


def _after_edit(locked: ExemptionRequest, actor: User, at: dt.datetime) -> None:
    exemption_save_version(locked, actor=actor)
    refresh_summary(locked)
    locked.refresh_from_db(fields=SUMMARY_FIELDS)
    if locked.status == S.LETTER_GENERATED:
        letter_version_add(locked, actor=actor, at=at)


def _check_count(count: int) -> None:
    if count > GROUP_MAX_EPS:
        raise ValidationError(f"A group letter may list at most {GROUP_MAX_EPS:,} EPs; this would make {count:,}.")
