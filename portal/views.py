"""Session keep-alive ("Stay signed in") and the page a timed-out browser lands on."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .middleware import session_deadlines, session_touch


@never_cache
@require_http_methods(["GET", "POST"])
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """GET: the deadlines, without counting as activity (the dialog checks whether another tab kept the
    session alive). POST: the dialog's one action, "Stay signed in": counts as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    if request.method == "POST":
        session_touch(request, force=True)
    return JsonResponse({"signed_in": True, **session_remaining(request)})


@never_cache
def session_expired(request: HttpRequest) -> HttpResponse:
    """Where session.js sends the browser after saving the draft and signing out at the deadline."""
    if request.user.is_authenticated and request.method == "POST":
        logout(request)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = ""
    context = {"draft_saved": request.GET.get("saved") == "1", "next_url": next_url}
    return render(request, "security/session_expired.html", context)


def session_remaining(request: HttpRequest) -> dict:
    now = time.time()
    idle_deadline, absolute_deadline = session_deadlines(request, now)
    return {
        "idle_seconds": settings.PORTAL_SESSION_IDLE_SECONDS,
        "idle_remaining": max(0, int(idle_deadline - now)),
        "absolute_remaining": max(0, int(absolute_deadline - now)),
    }
