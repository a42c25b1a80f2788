"""Two hosts, one portal, over real HTTP: two gunicorn instances (portal/gunicorn.conf.py, production settings) on
two loopback ports share the PostgreSQL test database, Redis (broker and cache) and the file storage, with a real
Celery worker. A session started on one works on the other, a document uploaded through one downloads through
the other, a letter a worker renders is served by both, and a lockout or a rate limit counted on one holds on the
other. Both hosts trust one proxy (TRUSTED_PROXY_COUNT=1), so each request names its client address in
X-Forwarded-For, as the compose file's nginx does.

Needs PostgreSQL and Redis (tests/worker.py): skipped without them, failed with PORTAL_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
import requests
from axes.models import AccessAttempt

from exemptions.models import GroupLetter, SupportingDocument
from exemptions.services.groups.letters import SYNC_RENDER_MAX_EPS
from tests.factories import RequestFactory, UserFactory
from tests.helpers import form_data, pdf_bytes
from tests.test_groups_support import complete_group
from tests.worker import QUEUE, database_url, services_or_skip, start_worker

pytestmark = [pytest.mark.postgres, pytest.mark.worker]

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "two hosts one portal 2013"  # noqa: S105 (test accounts only)
AXES_FAILURE_LIMIT = 3
LOGIN_FAILED_LIMIT = 6  # above axes' limit, as in production: one address meets axes' pause first
PUBLIC_HOST = "portal.example.test"  # what the proxy passes on to every host (nginx: Host $host)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def storage_env(s3_server) -> dict[str, str]:
    """Where both hosts and the worker keep files: the S3-compatible server on loopback (tests/storage.py), as a
    production bucket would be. This test reads every file over HTTP only."""
    return {"STORAGE_URL": s3_server.url()}


def cache_url() -> str:
    """The broker's Redis, the next database number: the hosts' shared cache (rate limits)."""
    url = urlparse(os.environ["REDIS_URL"])
    number = int(url.path.strip("/") or 0)
    return urlunparse(url._replace(path=f"/{(number + 1) % 16}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Host:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()[-6000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def wait_until_answering(host: Host, seconds: float = 60) -> None:
    """Bounded polling for a subprocess to come up (the only wait this test has)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if host.process.poll() is not None:
            break
        try:
            if requests.get(f"{host.url}/healthz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still loading the app
            pass
        time.sleep(0.2)
    pytest.fail(f"host {host.name} did not answer on {host.url}; its log:\n{host.log()}")


def common_env(tmp_path: Path, storage_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    env.update(
        {
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),  # one key for every host: signed values verify anywhere
            "ALLOWED_HOSTS": f"{PUBLIC_HOST},127.0.0.1",
            "DATABASE_URL": database_url(),
            "CACHE_URL": cache_url(),
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "EMAIL_URL": f"file://{tmp_path / 'mail'}",
            "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback; production sits behind TLS
            "SECURE_COOKIES": "False",
            "TRUSTED_PROXY_COUNT": "1",
            "AXES_FAILURE_LIMIT": str(AXES_FAILURE_LIMIT),
            "LOGIN_FAILED_RATE_LIMIT": f"{LOGIN_FAILED_LIMIT}/15m/key",
            "PORTAL_MULTI_HOST": "1",
            "LOG_FORMAT": "json",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            **storage_env,
        }
    )
    return env


def start_host(name: str, env: dict[str, str], tmp_path: Path) -> Host:
    port = free_port()
    log_path = tmp_path / f"host-{name}.log"
    host_env = {
        **env,
        "PORTAL_VAR_DIR": str(tmp_path / f"var-{name}"),  # nothing of a host's own is shared
        "SITE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    log = open(log_path, "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--config", "portal/gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=host_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Host(name, f"http://127.0.0.1:{port}", process, log_path)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """The hashed static files DEBUG=False serves, collected once for every test here."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "x", "STATIC_ROOT": str(root)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return root


@pytest.fixture
def hosts(request, transactional_db, tmp_path, settings, storage_env):
    """Hosts A and B and one Celery worker; their logs are printed at teardown (shown when the test fails)."""
    services_or_skip()
    static_root = request.getfixturevalue("static_root")  # only once the services are known to be there
    # The hosts check passwords with the production hasher, not the suite's fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    env = {**common_env(tmp_path, storage_env), "STATIC_ROOT": str(static_root)}
    (tmp_path / "mail").mkdir(exist_ok=True)
    started = []
    worker = None
    try:
        started = [start_host("A", env, tmp_path), start_host("B", env, tmp_path)]
        for host in started:
            wait_until_answering(host)
        worker = start_worker(tmp_path, env={k: env[k] for k in ("CACHE_URL", *storage_env)})
        yield started
    finally:
        for host in started:
            host.stop()
        if worker is not None:
            worker.kill()
        for host in started:
            print(f"--- host {host.name} log ---\n{host.log()}")
        if worker is not None:
            print(f"--- worker log ---\n{worker.log_path.read_text()[-6000:]}")


class Browser:
    """One person's browser behind the proxy: one cookie jar for both hosts (cookies ignore ports), the public host
    name and the client's address on every request, as the proxy passes them on. The host name matters: allauth
    keys its per-account limit by it, so a proxy that rewrote Host per backend would split the count."""

    def __init__(self, address: str):
        self.session = requests.Session()
        self.session.headers.update({"Host": PUBLIC_HOST, "X-Forwarded-For": address})

    def get(self, url: str) -> requests.Response:
        return self.session.get(url, allow_redirects=False, timeout=30)

    def post(self, url: str, data: dict, *, files=None, token_from: str | None = None) -> requests.Response:
        page = self.get(token_from or url)
        assert page.status_code == 200, page.text[:2000]
        data = {**data, "csrfmiddlewaretoken": CSRF.search(page.text).group(1)}
        return self.session.post(url, data=data, files=files, allow_redirects=False, timeout=60)

    def log_in(self, host: Host, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post(f"{host.url}/accounts/login/", {"login": email, "password": password})


def person(label: str):
    """A verified EP with a unique address, so runs sharing one Redis never share a rate limit."""
    return UserFactory(email=f"{label}-{uuid.uuid4().hex[:8]}@example.org", password=PASSWORD)


def test_two_hosts_share_sessions_documents_and_letters(hosts):
    a, b = hosts
    alice = person("alice")
    browser = Browser("198.51.100.7")

    # A session started on A works on B.
    assert browser.log_in(a, alice.email).headers["Location"] == "/requests/"
    dashboard = browser.get(f"{b.url}/requests/")
    assert dashboard.status_code == 200 and alice.email in dashboard.text

    # A document uploaded through A's hardship step downloads through B, byte for byte.
    draft = RequestFactory(owner=alice)
    scan = pdf_bytes(pages=2)
    edit = f"{a.url}/requests/{draft.public_id}/step/hardship/"
    saved = browser.post(edit, form_data(), files={"documents": ("scan.pdf", scan, "application/pdf")})
    assert saved.status_code == 302, saved.text[:3000]
    document = SupportingDocument.objects.get(request=draft)
    downloaded = browser.get(f"{b.url}/documents/{document.public_id}/")
    assert downloaded.status_code == 200 and downloaded.content == scan

    # A large letter, asked for on A and rendered by the worker, is served by both hosts.
    group = complete_group(owner=alice, eps=SYNC_RENDER_MAX_EPS + 20)
    asked = browser.post(
        f"{a.url}/groups/{group.public_id}/letter/", {}, token_from=f"{a.url}/groups/{group.public_id}/"
    )
    assert asked.status_code == 302, asked.text[:3000]
    letter = GroupLetter.objects.get(request=group)
    deadline = time.monotonic() + 120
    while letter.status != GroupLetter.Status.READY and time.monotonic() < deadline:
        assert letter.status == GroupLetter.Status.PREPARING, letter.error
        time.sleep(0.2)
        letter.refresh_from_db()
    assert letter.status == GroupLetter.Status.READY, "the worker did not render the letter in time"
    served = [browser.get(f"{host.url}/groups/letters/{letter.public_id}/") for host in (a, b)]
    assert [r.status_code for r in served] == [200, 200]
    assert served[0].content == served[1].content
    assert served[0].content.startswith(b"%PDF") and hashlib.sha256(served[0].content).hexdigest() == letter.sha256


def test_a_lockout_counted_on_one_host_holds_on_the_other(hosts):
    a, b = hosts
    carol = person("carol")
    guesser = Browser("203.0.113.10")
    for _ in range(AXES_FAILURE_LIMIT - 1):
        assert guesser.log_in(a, carol.email, "a wrong guess").status_code == 200
    last_guess = guesser.log_in(b, carol.email, "a wrong guess")  # counted with A's failures: the limit is reached
    assert last_guess.status_code == 429 and "Sign-in paused for this account" in last_guess.text
    refused = guesser.log_in(a, carol.email)  # the right password, back on A
    assert refused.status_code == 429 and "Sign-in paused for this account" in refused.text
    assert guesser.get(f"{b.url}/requests/").status_code == 302, "not signed in on either host"
    assert AccessAttempt.objects.get(username=carol.email).failures_since_start == AXES_FAILURE_LIMIT


def test_failed_logins_counted_on_one_host_are_rate_limited_on_the_other(hosts):
    """A guess from a new address each time never meets axes' per-address pause, but allauth's per-account limit
    (in the shared Redis cache) counts them all, whichever host answered."""
    a, b = hosts
    dave = person("dave")
    for n in range(LOGIN_FAILED_LIMIT):
        assert Browser(f"203.0.113.{20 + n}").log_in(a, dave.email, "a wrong guess").status_code == 200
    browser = Browser("198.51.100.99")
    refused = browser.log_in(b, dave.email)
    assert refused.status_code == 200 and "Too many failed login attempts" in refused.text
    assert browser.get(f"{a.url}/requests/").status_code == 302, "not signed in on either host"
