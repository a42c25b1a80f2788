"""Render one email from its three templates (subject, text body, HTML body)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from ..models import OutboundEmail

# A builder reads the current state for one outbox row: (template name, context), or None if nothing is due.
Builder = Callable[[OutboundEmail], "tuple[str, dict] | None"]


def render_email(name: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in context.get("attachments", []):
        message.attach(filename, content, mimetype)
    message.extra_headers.update(context.get("headers", {}))  # e.g. List-Unsubscribe on reminders
    return message
