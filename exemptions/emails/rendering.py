"""Render one email from its three templates (subject, text body, HTML body)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from ..contact import identity
from ..models import OutboundEmail

# A builder reads the current state for one outbox row: (template name, context), or None if nothing is due.
Builder = Callable[[OutboundEmail], "tuple[str, dict] | None"]


def render_email(name: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    context = {**identity(), **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = with_signature_text(render_to_string(f"emails/{name}-body.txt", context), context)
    html = with_signature_html(render_to_string(f"emails/{name}-body.html", context), context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in context.get("attachments", []):
        message.attach(filename, content, mimetype)
    message.extra_headers.update(context.get("headers", {}))  # e.g. List-Unsubscribe on reminders
    return message


# Inside signature_rendered_once() (a batch of reminders), the signature is rendered once for every email.
_SIGNATURES: ContextVar[dict | None] = ContextVar("email_signatures", default=None)


@contextmanager
def signature_rendered_once() -> Iterator[None]:
    """The signature reads only the site's identity (the same for every email), so a batch renders it once."""
    token = _SIGNATURES.set({})
    try:
        yield
    finally:
        _SIGNATURES.reset(token)


def _signature(template: str, context: dict) -> str:
    cache = _SIGNATURES.get()
    if cache is None:
        return render_to_string(template, context)
    if template not in cache:
        cache[template] = render_to_string(template, identity())
    return cache[template]


def with_signature_text(body: str, context: dict) -> str:
    """Every email ends with who sent it and how to reach the help desk (one template for all)."""
    return body.rstrip() + "\n" + _signature("emails/_signature.txt", context)


def with_signature_html(body: str, context: dict) -> str:
    signature = _signature("emails/_signature.html", context)
    closing = body.lower().rfind("</body>")
    return body[:closing] + signature + body[closing:] if closing >= 0 else body + signature
