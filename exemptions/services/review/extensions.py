"""Extensions: a request (or a TIN) may submit after its window closed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ...models import AdjustmentYear, ExemptionRequest, Extension, User
from .errors import ReviewError


@transaction.atomic
def extension_grant(
    *,
    actor: User,
    until: dt.datetime,
    reason: str,
    at: dt.datetime,
    exemption: ExemptionRequest | None = None,
    tin: str = "",
    year: AdjustmentYear | None = None,
    channel: str | None = None,
) -> Extension:
    """Let one request (or every request under `tin`) submit after its window closed, until `until`.

    The window rule (windows.window_state) honours it; nothing else needs to know. Audited by simple-history.
    """
    if not (reason or "").strip():
        raise ReviewError("Give the reason for the extension: it is shown to the EP and kept for audit.")
    if until <= at:
        raise ReviewError("The extension must end in the future.")
    if exemption is None and not tin:
        raise ReviewError("An extension names a request or a TIN.")
    extension = Extension(
        year=year or exemption.year,
        channel=channel or exemption.channel,
        request=exemption,
        tin="" if exemption is not None else tin,
        until=until,
        reason=reason.strip(),
        granted_by=actor,
    )
    extension._history_user = actor
    extension.save()
    return extension
