"""Failed-login lockout (django-axes) wired for this portal's two logins: allauth's (email) and the admin's.

Lockout is per (username, client IP) with a cool-off, so an attacker can neither guess one account's password
from one address for long nor lock a whole clinic behind one NAT address out for good.
"""

from __future__ import annotations

import datetime as dt

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


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
