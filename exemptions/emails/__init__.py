"""Emails by name: templates/emails/<name>-subject.txt, -body.txt and -body.html.

Each outbox kind has a builder (registered with @builder) that reads the *current* database state and returns
the template name and context, or None when there is nothing to send any more.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from ..models import OutboundEmail

Builder = Callable[[OutboundEmail], "tuple[str, dict] | None"]
_BUILDERS: dict[str, Builder] = {}


def builder(kind: str) -> Callable[[Builder], Builder]:
    def register(func: Builder) -> Builder:
        _BUILDERS[kind] = func
        return func

    return register


def render_email(name: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    return message


def build_message(email: OutboundEmail) -> EmailMultiAlternatives | None:
    built = _BUILDERS[email.kind](email)
    if built is None:
        return None
    name, context = built
    message = render_email(name, context, to=list(email.recipients))
    for filename, content, mimetype in context.get("attachments", []):
        message.attach(filename, content, mimetype)
    message.extra_headers.update(context.get("headers", {}))  # e.g. List-Unsubscribe on reminders
    return message


from . import confirmation, decisions, letters, reminders  # noqa: E402,F401  (register builders)
