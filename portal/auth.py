"""Failed-login lockout wired for this portal's logins: allauth's (email, then the second factor) and the admin's.

Passwords: django-axes pauses one (account, client address) pair; allauth's "login_failed" limit, above it,
pauses one account whatever the address. Second-factor codes: an allauth rate limit per account (whatever the
address, so a stolen session cookie used elsewhere gets no more tries); each refused code and the pause are in
django-axes' access-failure log, which administrators read in the admin.
"""

from __future__ import annotations

import datetime as dt
import logging

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.mfa.base import forms as mfa_forms
from axes.backends import AxesStandaloneBackend
from axes.models import AccessFailureLog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

security_log = logging.getLogger("portal.security")


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check, except for in-process logins without a request (the test client's login(),
    management commands): they are not reachable from the network, and axes would refuse them outright."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a login attempt names: allauth passes `email`, the admin `username`; the form field is
    `login` (allauth) or `username` (admin). Case-folded so 'Alice@x' and 'alice@x' count together."""
    credentials = credentials or {}
    data = getattr(request, "POST", {}) if request is not None else {}
    value = credentials.get("email") or credentials.get("username") or data.get("login") or data.get("username")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind N trusted proxies (TRUSTED_PROXY_COUNT) the address the outermost one saw.

    Only the right-most N entries of X-Forwarded-For were written by our proxies; anything left of them
    is client-supplied and would let an attacker pick a fresh IP per guess."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    cooloff: dt.timedelta = settings.AXES_COOLOFF_TIME
    until = timezone.localtime(timezone.now() + cooloff)
    context = {
        "minutes": int(cooloff.total_seconds() // 60),
        "until": until,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "security/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


SECOND_FACTOR_ACTION = "second_factor_failed"  # a key of ACCOUNT_RATE_LIMITS


class _PausesSecondFactorGuessing:
    """allauth's code check behind the portal's own allauth rate limit, SECOND_FACTOR_ACTION, keyed on the account
    (not the address, not the session): every attempt counts and a right code clears the count, as allauth does for
    its own "login_failed" check, so once the limit is reached even the right code is refused until the pause
    ends. Each refused code is a row in django-axes' access-failure log; the pause is logged when it begins."""

    def clean_code(self) -> str:
        request = allauth_context.request
        key = f"second-factor-user-{self.user.pk}"
        if not ratelimit.consume(request, action=SECOND_FACTOR_ACTION, key=key):
            _record_second_factor_failure(request, self.user, paused=True, began=False)
            raise get_account_adapter().validation_error("too_many_login_attempts")
        try:
            code = super().clean_code()
        except ValidationError:
            paused = not ratelimit.consume(request, action=SECOND_FACTOR_ACTION, key=key, dry_run=True)
            _record_second_factor_failure(request, self.user, paused=paused, began=paused)
            raise
        ratelimit.clear(request, action=SECOND_FACTOR_ACTION, key=key)
        return code


class AuthenticateForm(_PausesSecondFactorGuessing, mfa_forms.AuthenticateForm):
    pass


class ReauthenticateForm(_PausesSecondFactorGuessing, mfa_forms.ReauthenticateForm):
    pass


def _record_second_factor_failure(request: HttpRequest, user, *, paused: bool, began: bool) -> None:
    address = client_ip(request)
    AccessFailureLog.objects.create(
        username=user.email,
        ip_address=address,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        http_accept=request.META.get("HTTP_ACCEPT", "")[:1025],
        path_info=request.path[:255],
        locked_out=paused,
    )
    if began:
        security_log.warning(
            "Second factor paused for user %s after too many wrong codes (last from %s).",
            user.pk,
            address,
            extra={"event": "second_factor_paused", "user_id": user.pk, "client_ip": address},
        )
