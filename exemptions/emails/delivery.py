"""Send one outbox email at most once: claim the row, build the message from the current state, send, record."""

from __future__ import annotations

import smtplib

from ..services.outbox import (
    outbox_claim,
    outbox_record_failed,
    outbox_record_sent,
    outbox_record_suppressed,
    outbox_record_transient,
)
from .messages import build_message


def email_deliver(*, email_id: int, connection=None) -> str:
    """Returns 'sent', 'skipped' (claimed elsewhere or done), 'suppressed' or 'failed'.

    `connection` (an open email backend) lets a batch reuse one SMTP session instead of one per email.
    Raises TransientSendError after putting the row back to pending (the task retries with backoff).
    """
    email = outbox_claim(email_id=email_id)
    if email is None:
        return "skipped"
    try:
        message = build_message(email)
        if message is None:
            outbox_record_suppressed(email=email)
            return "suppressed"
        if connection is not None:
            message.connection = connection
        message.send()
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
        code = getattr(exc, "smtp_code", None) or _first_code(exc)
        if code and 400 <= code < 500:
            return outbox_record_transient(email=email, error=f"SMTP {code}: {exc}")
        outbox_record_failed(email=email, error=f"SMTP {code}: {exc}")
        return "failed"
    except (TimeoutError, ConnectionError, smtplib.SMTPServerDisconnected, OSError) as exc:
        return outbox_record_transient(email=email, error=f"{type(exc).__name__}: {exc}")
    outbox_record_sent(email=email, subject=message.subject)
    return "sent"


def _first_code(exc) -> int | None:
    recipients = getattr(exc, "recipients", {}) or {}
    for code, _msg in recipients.values():
        return code
    return None
