"""Send outbox emails at most once: claim the row, build the message from the current state, send, record.

One email (`email_deliver`, the `send_email` task) or a batch of reminders over one SMTP session
(`email_deliver_batch`, the `send_email_batch` task): the batch claims its rows in one statement, reads and renders
what its emails share once, and records what went out in one statement per subject.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import OutboundEmail
from ..services.outbox import (
    TransientSendError,
    outbox_claim,
    outbox_claim_batch,
    outbox_record_batch,
    outbox_record_failed,
    outbox_record_sent,
    outbox_record_suppressed,
    outbox_record_transient,
    outbox_release,
)
from .messages import build_message
from .reminders import reminder_batch

SMTP_ANSWERS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)
CONNECTION_ERRORS = (TimeoutError, ConnectionError, smtplib.SMTPServerDisconnected, OSError)


def email_deliver(*, email_id: int, connection=None) -> str:
    """Returns 'sent', 'skipped' (claimed elsewhere or done), 'suppressed' or 'failed'.

    `connection` (an open email backend) lets a caller reuse one SMTP session instead of one per email.
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
    except SMTP_ANSWERS as exc:
        return _smtp_refused(email, exc)
    except CONNECTION_ERRORS as exc:
        return outbox_record_transient(email=email, error=f"{type(exc).__name__}: {exc}")
    outbox_record_sent(email=email, subject=message.subject)
    return "sent"


@dataclass
class BatchOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    retry: list[int] = field(default_factory=list)  # back to pending after a transient error: the caller re-queues

    def add(self, outcome: str, n: int = 1) -> None:
        if n:
            self.counts[outcome] = self.counts.get(outcome, 0) + n


def email_deliver_batch(*, email_ids: list[int], connection=None, reconnect: Callable | None = None) -> BatchOutcome:
    """Deliver a batch of reminder emails over one open email backend (`connection`, or one each if None).

    Claims every pending row of the batch in one statement (the others count as 'skipped'), builds each message
    from the current state with the batch's shared reads and renders, sends, and records the sent and suppressed
    rows in one statement per subject. A transient error puts that row back to pending (listed in `retry`) and
    asks `reconnect(connection)` for a fresh session for the rest. If the batch stops early (an unexpected error),
    what was sent is still recorded and the rows never tried are released, then the error propagates.
    """
    outcome = BatchOutcome()
    emails = outbox_claim_batch(email_ids=email_ids)
    outcome.add("skipped", len(set(email_ids)) - len(emails))
    sent: dict[int, str] = {}
    suppressed: list[int] = []
    untried = {email.pk for email in emails}
    try:
        with reminder_batch(emails):
            for email in emails:
                untried.discard(email.pk)
                result = _deliver_claimed(email, connection)
                if isinstance(result, str) and result in ("failed", "transient"):
                    outcome.add("retry" if result == "transient" else result)
                    if result == "transient":
                        outcome.retry.append(email.pk)
                        connection = reconnect(connection) if reconnect else connection
                elif result is None:
                    suppressed.append(email.pk)
                else:
                    sent[email.pk] = result.subject
    finally:
        outbox_record_batch(sent=sent, suppressed=suppressed)
        outbox_release(email_ids=sorted(untried))
    outcome.add("sent", len(sent))
    outcome.add("suppressed", len(suppressed))
    return outcome


def _deliver_claimed(email: OutboundEmail, connection):
    """The message sent (recorded by the caller), None if nothing is due, or "failed" / "transient" (recorded)."""
    try:
        message = build_message(email)
        if message is None:
            return None
        if connection is not None:
            message.connection = connection
        message.send()
    except SMTP_ANSWERS as exc:
        try:
            return _smtp_refused(email, exc)
        except TransientSendError:
            return "transient"
    except CONNECTION_ERRORS as exc:
        try:
            return outbox_record_transient(email=email, error=f"{type(exc).__name__}: {exc}")
        except TransientSendError:
            return "transient"
    return message


def _smtp_refused(email: OutboundEmail, exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None) or _first_code(exc)
    if code and 400 <= code < 500:
        return outbox_record_transient(email=email, error=f"SMTP {code}: {exc}")
    outbox_record_failed(email=email, error=f"SMTP {code}: {exc}")
    return "failed"


def _first_code(exc) -> int | None:
    recipients = getattr(exc, "recipients", {}) or {}
    for code, _msg in recipients.values():
        return code
    return None
