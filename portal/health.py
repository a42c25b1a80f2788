"""Load-balancer probes. /healthz: the process answers. /readyz: the database and the broker answer, each
within a short timeout, so a stuck dependency takes the instance out of rotation instead of hanging probes."""

from __future__ import annotations

import logging
import os
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2.0


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(database_ready), "broker": _check(broker_ready)}
    ok = all(result["ok"] for result in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


def _check(probe) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure means "not ready"; the type is logged, not returned
        log.warning("readiness probe %s failed: %s", probe.__name__, type(exc).__name__)
        return {"ok": False, "ms": _ms(started), "error": type(exc).__name__}
    return {"ok": True, "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def database_ready() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET statement_timeout = %s", [int(PROBE_TIMEOUT_SECONDS * 1000)])
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.execute("SET statement_timeout = 0")
        else:
            cursor.execute("SELECT 1")


def broker_ready() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not os.access(folder, os.W_OK):
            raise OSError("broker folder not writable")
        return
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=PROBE_TIMEOUT_SECONDS, socket_connect_timeout=PROBE_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    from portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
