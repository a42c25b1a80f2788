"""Every outbox kind and the builder that writes it: one explicit table, checked complete by a test."""

from __future__ import annotations

from django.core.mail import EmailMessage

from ..models import OutboundEmail
from . import accounts, confirmation, decisions, informal_reviews, letters, reminders
from .rendering import Builder, render_email

K = OutboundEmail.Kind
BUILDERS: dict[str, Builder] = {
    K.ACCOUNT: accounts.account_email,  # rendered by allauth's own templates: a finished message
    K.CONFIRMATION: confirmation.confirmation,
    K.DECISION_APPROVED: decisions.decision,
    K.DECISION_DENIED: decisions.decision,
    K.DECISION_REOPENED: decisions.reopened,
    K.INFO_REQUESTED: decisions.decision,  # sent even if answered since: the question is part of the record
    K.LETTER_READY: letters.letter_ready,
    K.REMINDER_DRAFT: reminders.draft_reminder,
    K.REMINDER_LETTER: reminders.letter_reminder,
    K.REMINDER_INFO: reminders.info_reminder,
    K.WINDOW_OPENING: reminders.window_opening,
    K.INFORMAL_REVIEW_CONFIRMATION: informal_reviews.confirmation,
    K.INFORMAL_REVIEW_DECISION: informal_reviews.decision,
}


def build_message(email: OutboundEmail) -> EmailMessage | None:
    """The message for one outbox row as of now, or None when the state changed and nothing is due any more."""
    built = BUILDERS[email.kind](email)
    if built is None or isinstance(built, EmailMessage):
        return built
    name, context = built
    return render_email(name, context, to=list(email.recipients))
