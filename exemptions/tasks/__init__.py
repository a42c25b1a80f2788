"""Celery tasks: thin, named, ids only, safe to run twice. One module per area."""

from . import letters, reminders  # noqa: F401  (registers their tasks)
from .emails import drain_outbox, send_email

__all__ = ["drain_outbox", "send_email"]
