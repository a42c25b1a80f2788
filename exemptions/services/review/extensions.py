"""Extensions: the requests staff chose may submit after their window closed."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.db import transaction

from ...models import ExemptionRequest, Extension, User
from .errors import ReviewError


@transaction.atomic
def extension_grant(
    *,
    actor: User,
    exemptions: Sequence[ExemptionRequest],
    until: dt.datetime,
    reason: str,
    at: dt.datetime,
) -> list[Extension]:
    """Let exactly the chosen requests submit after their window closed, until `until` (the last second accepted).

    One grant: one Extension row per request, sharing a grant id, so the grant lists what staff chose. The requests
    must be of one year and one channel and, when there are several, under one TIN. An extension never follows a
    TIN: a request that gets the TIN later is not covered. The window rule (windows.window_state) honors it;
    nothing else needs to know. Audited by simple-history (one record per row, with the granting user).
    """
    if not (reason or "").strip():
        raise ReviewError("Give the reason for the extension: it is shown to the EP and kept for audit.")
    if until <= at:
        raise ReviewError("The extension must end in the future.")
    chosen = list({exemption.pk: exemption for exemption in exemptions}.values())
    if not chosen:
        raise ReviewError("Choose at least one request to extend.")
    first = chosen[0]
    if any((e.year_id, e.channel) != (first.year_id, first.channel) for e in chosen):
        raise ReviewError("Requests extended together must be of the same year and channel.")
    if len(chosen) > 1 and (not first.tin or any(e.tin != first.tin for e in chosen)):
        raise ReviewError("Requests extended together must be under the same TIN.")
    grant_id = uuid.uuid4()
    extensions = []
    for exemption in chosen:
        extension = Extension(
            grant_id=grant_id,
            year_id=exemption.year_id,
            channel=exemption.channel,
            request=exemption,
            until=until,
            reason=reason.strip(),
            granted_by=actor,
        )
        extension._history_user = actor
        extension.save()
        extensions.append(extension)
    return extensions
