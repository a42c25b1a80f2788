"""A real Celery worker process for tests, on the configured broker (Redis in CI) and the test database.

Use the `live_worker` fixture (needs `transactional_db` so rows are committed and visible to the worker).
Each test session gets its own queue name, so parallel runs on one Redis do not steal each other's tasks.
Without Redis (REDIS_URL unset) or on SQLite these tests skip; with PORTAL_REQUIRE_SERVICES=1 (CI) they fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from bench.reminders import celery_worker_argv

ROOT = Path(__file__).resolve().parent.parent
QUEUE = f"test-{uuid.uuid4().hex[:8]}"


def services_or_skip() -> None:
    problems = []
    if not os.environ.get("REDIS_URL"):
        problems.append("REDIS_URL is not set")
    if connection.vendor != "postgresql":
        problems.append("the database is not PostgreSQL")
    if problems:
        message = "needs a real broker and database: " + ", ".join(problems)
        if os.environ.get("PORTAL_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@dataclass
class LiveWorker:
    process: subprocess.Popen
    mail_dir: Path
    log_path: Path

    def emails(self) -> list[str]:
        return [p.read_text() for p in sorted(self.mail_dir.glob("*.log"))]

    def wait_for(self, predicate, timeout: float = 30.0, what: str = "condition"):
        """Poll (not sleep-for-a-fixed-time) until predicate() is truthy; fail with the worker log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"timed out waiting for {what}; worker log:\n{self.log_path.read_text()[-4000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def start_worker(tmp_path: Path, *, env: dict | None = None, concurrency: int = 1) -> LiveWorker:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    log_path = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"file://{mail_dir}",
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **(env or {}),
    }
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        celery_worker_argv(full_env["CELERY_TASK_DEFAULT_QUEUE"], concurrency),
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = LiveWorker(process, mail_dir, log_path)
    worker.wait_for(lambda: "ready." in log_path.read_text(), timeout=60, what="the worker to start")
    return worker


@pytest.fixture
def live_worker(transactional_db, tmp_path, settings):
    """A running worker; the test process publishes to it for real (not eager)."""
    services_or_skip()
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = QUEUE
    worker = start_worker(tmp_path)
    yield worker
    worker.kill()
    app.conf.task_default_queue = "celery"
