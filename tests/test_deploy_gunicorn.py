"""gunicorn (portal/gunicorn.conf.py) serves the portal with production settings: probes, WhiteNoise static
files, the HTTPS redirect, and early refusal of oversized bodies and request heads."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    env.update(
        {
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "CELERY_BROKER_URL": "filesystem://",
            "PORTAL_VAR_DIR": str(tmp / "var"),
            "STATIC_ROOT": str(tmp / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
        }
    )
    env.pop("REDIS_URL", None)
    (tmp / "var" / "broker" / "queue").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    log = open(tmp / "gunicorn.log", "w+")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "portal/gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                log.seek(0)
                pytest.fail("gunicorn did not start:\n" + log.read())
            time.sleep(0.2)
    yield {"base": base, "port": port, "static": tmp / "static", "log": tmp / "gunicorn.log"}
    process.terminate()
    process.wait(timeout=30)
    log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, **headers):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_probes_answer_over_plain_http(server):
    status, _, body = get(server["base"] + "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, _, body = get(server["base"] + "/readyz")
    assert status == 200
    assert json.loads(body)["checks"]["database"]["ok"] and json.loads(body)["checks"]["broker"]["ok"]


def test_pages_redirect_to_https_unless_the_proxy_says_it_was_https(server):
    status, headers, _ = get(server["base"] + "/help/")
    assert status == 301 and headers["Location"] == f"https://127.0.0.1:{server['port']}/help/"
    status, headers, _ = get(server["base"] + "/help/", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_whitenoise_serves_hashed_static_files_for_a_year(server):
    manifest = json.loads((server["static"] / "staticfiles.json").read_text())["paths"]
    https = {"X-Forwarded-Proto": "https"}
    status, headers, body = get(server["base"] + "/static/" + manifest["css/portal.css"], **https)
    assert status == 200 and b".skip-link" in body
    assert "max-age=315360000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
    status, headers, _ = get(
        server["base"] + "/static/" + manifest["js/session.js"], **https, **{"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers.get("Content-Encoding") == "gzip"


def raw(server, head: bytes, body: bytes = b"", wait: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=wait) as sock:
        sock.sendall(head + body)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_50_mb_upload_is_refused_before_its_body_is_sent(server):
    started = time.monotonic()
    head = (
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 52428800\r\n\r\n"
    )
    answer = raw(server, head, b"--x\r\n")  # 5 bytes of the announced 50 MB
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert time.monotonic() - started < 5, "answered without waiting for the 50 MB"


def test_an_oversized_request_head_is_refused_by_gunicorn(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: " + b"a" * 9000 + b"\r\n\r\n"
    assert raw(server, head)[:12] in (b"HTTP/1.1 400", b"HTTP/1.1 431")
    many = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n"
    assert raw(server, many)[:12] in (b"HTTP/1.1 400", b"HTTP/1.1 431")


def test_the_access_log_is_json_lines(server):
    get(server["base"] + "/help/", **{"X-Forwarded-Proto": "https", "X-Request-ID": "probe-123456"})
    lines = [json.loads(line) for line in server["log"].read_text().splitlines() if line.startswith("{")]
    (line,) = [line for line in lines if line.get("request_id") == "probe-123456"]
    assert line["logger"] == "portal.access" and line["status"] == 200 and line["path"] == "/help/"
