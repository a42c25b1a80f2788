"""/healthz (the process answers) and /readyz (database and broker answer, within short timeouts)."""

import socket
import threading
import time

import pytest

from portal import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_each_dependency(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"]


def test_readyz_is_503_when_the_database_fails(client, monkeypatch, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}

    def broken():
        raise ConnectionError("database down")

    monkeypatch.setattr(health, "database_ready", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {**response.json()["checks"]["database"], "ok": False}
    assert "database down" not in response.content.decode(), "error details stay in the log"


def test_readyz_is_503_at_once_when_redis_refuses(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["broker"]["ok"] is False
    assert time.monotonic() - started < 2


def test_readyz_gives_up_on_a_hung_redis_within_its_timeout(client, settings):
    """A broker that accepts the connection and never answers must not hang the probe."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    listener.close()
    assert response.status_code == 503
    assert health.PROBE_TIMEOUT_SECONDS <= elapsed < health.PROBE_TIMEOUT_SECONDS + 2


def test_probes_do_not_accept_writes(client):
    assert client.post("/healthz").status_code in (403, 405)
    assert client.post("/readyz").status_code in (403, 405)
