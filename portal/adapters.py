"""allauth wired to the portal: its emails go through the outbox, and sign-up costs the same for every address.

A sign-up with a new address used to render and send the verification email inside the request while one with
an existing address did neither (and skipped hashing the password), so the answer time told who had an account.
Now both paths hash the password once and write one outbox row; the worker sends the email.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.conf import settings
from django.contrib.auth.hashers import make_password

from exemptions.emails.accounts import account_email_context
from exemptions.models import OutboundEmail
from exemptions.services.outbox import outbox_enqueue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Enqueue instead of sending: one outbox row per email, delivered once by the worker."""
        user = context.get("user")
        context = {name: on_site(value) for name, value in context.items()}
        outbox_enqueue(
            kind=OutboundEmail.Kind.ACCOUNT,
            key=f"account:{uuid.uuid4().hex}",
            recipients=[email],
            user=user if getattr(user, "pk", None) else None,
            context=account_email_context(template_prefix, context),
        )


def on_site(value):
    """A link allauth built from the request's host ("http://127.0.0.1:8000/accounts/...") on SITE_URL instead: an
    email names the site people know, and a forged Host header cannot put its own host in a reset link."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return value
    parts = urlsplit(value)
    return f"{settings.SITE_URL}{parts.path}" + (f"?{parts.query}" if parts.query else "")


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # A new account's password is hashed when it is saved: spend the same time for an existing address.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
