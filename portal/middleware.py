"""Request-wide concerns: request id + access log, early body-size refusal, no caching, session expiry, staff MFA."""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from .logs import redacted_path, request_id_var

access_log = logging.getLogger("portal.access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
QUIET_PATHS = ("/healthz", "/readyz")


class RequestLogMiddleware:
    """Gives every request an id (X-Request-ID from the proxy, if sane, else a new one), returns it in the
    response, and writes one JSON access line: method, redacted path, route, status, duration, user id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response.status_code, started)
            return response
        except Exception:
            self._log(request, 500, started)
            raise
        finally:
            request_id_var.reset(token)

    def _log(self, request: HttpRequest, status: int, started: float) -> None:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        level = logging.DEBUG if request.path in QUIET_PATHS and status < 400 else logging.INFO
        fields = {
            "method": request.method,
            "path": redacted_path(request.path, match.kwargs if match else {}),
            "route": match.route if match else None,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user.pk if user is not None and user.is_authenticated else None,
        }
        access_log.log(level, "%(method)s %(path)s %(status)s %(duration_ms)sms user=%(user_id)s", fields, extra=fields)


class BodySizeLimitMiddleware:
    """Refuses a body larger than PORTAL_MAX_REQUEST_BYTES from its Content-Length, before anything reads it.

    DATA_UPLOAD_MAX_MEMORY_SIZE caps only non-file fields; multipart files would otherwise be spooled to disk
    in full before the form sees their size."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PORTAL_MAX_REQUEST_BYTES
        if length > limit:
            body = render_to_string("security/too_large.html", {"limit_mb": limit // (1024 * 1024)}, request=None)
            response = HttpResponse(body, status=413)
            response["Connection"] = "close"  # the unread body must not be parsed as a next request
            return response
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response the portal renders, unless the view set its own.

    Pages for a signed-in user show TINs, NPIs and names; downloads are receipts, letters and bundles; even a
    signed-out form page echoes the email typed into it, and a reminder link shows its request. None of it may
    stay in a shared proxy or on a shared computer's disk. Static files are answered by WhiteNoise before this
    runs and keep their long cache lifetimes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


SESSION_AUTH_AT = "_portal_auth_at"
SESSION_SEEN_AT = "_portal_seen_at"
SEEN_RESOLUTION_SECONDS = 60  # refresh the idle clock at most once a minute: not one session write per request


def session_deadlines(request: HttpRequest, now: float | None = None) -> tuple[float, float]:
    """(idle deadline, absolute deadline) of the signed-in session, as epoch seconds."""
    now = time.time() if now is None else now
    auth_at = request.session.get(SESSION_AUTH_AT, now)
    seen_at = request.session.get(SESSION_SEEN_AT, now)
    return seen_at + settings.PORTAL_SESSION_IDLE_SECONDS, auth_at + settings.PORTAL_SESSION_ABSOLUTE_SECONDS


def session_touch(request: HttpRequest, *, force: bool = False) -> None:
    now = time.time()
    request.session.setdefault(SESSION_AUTH_AT, now)
    if force or now - request.session.get(SESSION_SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
        request.session[SESSION_SEEN_AT] = now


@functools.cache
def _poll_path() -> str:
    return reverse("session_keepalive")


@receiver(user_logged_in, dispatch_uid="portal-session-clock")
def _start_session_clock(sender, request=None, user=None, **kwargs) -> None:
    """A fresh login starts both clocks, whatever the session held before."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_AUTH_AT] = request.session[SESSION_SEEN_AT] = time.time()


class SessionExpiryMiddleware:
    """Signs a user out after PORTAL_SESSION_IDLE_SECONDS without a request (30 min) and, whatever the
    activity, PORTAL_SESSION_ABSOLUTE_SECONDS after signing in (12 h): NIST SP 800-63B AAL2."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and SESSION_AUTH_AT in request.session:
            idle_deadline, absolute_deadline = session_deadlines(request)
            now = time.time()
            if now >= idle_deadline or now >= absolute_deadline:
                reason = "30 minutes without activity" if now >= idle_deadline else "12 hours"
                return self._expired(request, reason)
        if request.user.is_authenticated and not (request.method == "GET" and request.path == _poll_path()):
            session_touch(request)
        return self.get_response(request)

    def _expired(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"signed_in": False}, status=401)
        messages.info(request, f"For your security you were signed out after {reason}. Please sign in again.")
        login = reverse(settings.LOGIN_URL)
        target = request.get_full_path() if request.method == "GET" else ""
        return redirect(f"{login}?{urlencode({'next': target})}" if target else login)


class StaffMFAMiddleware:
    """Staff reach the admin only with a TOTP authenticator set up (PORTAL_REQUIRE_STAFF_MFA).

    The admin's own login form is routed through allauth's (portal/urls.py), so an account that has TOTP is
    asked for its code on every login; this middleware makes sure every staff account has it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.PORTAL_REQUIRE_STAFF_MFA
            and request.path.startswith(settings.PORTAL_ADMIN_PATH)
            and request.user.is_authenticated
            and request.user.is_staff
            and not staff_has_totp(request.user)
        ):
            messages.warning(
                request, "Staff accounts must use two-factor authentication. Set up an authenticator app to continue."
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def staff_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


DATE_PART = re.compile(r"__(year|month|day)$")
DATE_PART_RANGE = {"year": (1, 9998), "month": (1, 12), "day": (1, 31)}


class BadQueryMiddleware:
    """Refuses (400) query strings and form fields that would end as a 500 further down.

    - a NUL character: no one types one, and PostgreSQL refuses it in any text it stores or compares, so
      `?kind=%00` reaching an admin filter would fail there. Forms refuse it field by field already; this also
      covers what views and filters read directly. Multipart bodies are left to the forms: reading them here
      would parse uploads before a view could choose how.
    - an admin date-hierarchy part out of range (`?submitted_at__year=99999999999999999999`): Django builds a
      datetime from it and catches ValueError but not OverflowError, nor year 9999's next year. Any admin list
      with a date hierarchy (ours and the libraries') is covered here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        urlencoded = request.content_type == "application/x-www-form-urlencoded"
        if _holds_nul(request.GET) or (request.method == "POST" and urlencoded and _holds_nul(request.POST)):
            return HttpResponse("A NUL character is not allowed in a request.", status=400, content_type="text/plain")
        if _date_part_out_of_range(request.GET):
            return HttpResponse("A date in the query is out of range.", status=400, content_type="text/plain")
        return self.get_response(request)


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def _date_part_out_of_range(data) -> bool:
    for key, values in data.lists():
        part = DATE_PART.search(key)
        if part is None:
            continue
        low, high = DATE_PART_RANGE[part.group(1)]
        if any(v.isascii() and v.isdigit() and (len(v) > 6 or not low <= int(v) <= high) for v in values):
            return True
    return False
