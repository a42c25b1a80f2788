"""allauth's account emails (verify your address, an account already exists, password reset, ...) as outbox rows.

The web request stores what rebuilds the message (allauth's template prefix and the plain values its templates
read: links, codes, addresses); the worker renders it with the portal's own texts (templates/account/email/ and
templates/mfa/email/ replace the library's), greeting the person by name and ending with the help-desk signature
like every other email. Objects (the request, the user, the confirmation) are not stored: the row's user and
SITE_URL stand in for them, so no host and port ("127.0.0.1:8000") ever reaches a person.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.mail import EmailMessage

from ..contact import SITE_NAME, identity
from ..models import OutboundEmail, User
from .rendering import with_signature_text

TIMESTAMP_KEYS = ("timestamp",)  # notification emails say when the change was made
NOT_STORED = ("key", "uid")  # the link carries them; no second copy of a secret in the row


def account_email_context(template_prefix: str, context: dict) -> dict:
    """The JSON context of an outbox row for one allauth email."""
    stored: dict = {"template_prefix": template_prefix}
    for name, value in context.items():
        if name in NOT_STORED:
            continue
        if isinstance(value, dt.datetime):
            stored[name] = value.isoformat()
        elif value is None or isinstance(value, str | int | bool):
            stored[name] = value
    return stored


def account_email(email: OutboundEmail) -> EmailMessage:
    context = dict(email.context)
    template_prefix = context.pop("template_prefix")
    for name in TIMESTAMP_KEYS:
        if isinstance(context.get(name), str):
            context[name] = dt.datetime.fromisoformat(context[name])
    # "An account already exists" is queued without its user (the sign-up must not reveal it): the inbox is the
    # account's own, so its email greets the account holder by name like the others.
    user = email.user or User.objects.filter(email__iexact=email.recipients[0]).first()
    context.update(
        identity(),
        email=email.recipients[0],
        user=user,
        name=getattr(user, "full_name", "") or "",
        current_site={"name": SITE_NAME, "domain": settings.SITE_URL},
    )
    message = get_adapter().render_mail(template_prefix, list(email.recipients), context)
    message.body = with_signature_text(message.body, context)
    return message
