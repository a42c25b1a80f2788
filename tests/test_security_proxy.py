"""What a proxy may tell the portal (X-Forwarded-Proto, X-Forwarded-For) is believed only through
TRUSTED_PROXY_COUNT; with 0 (the default, and the compose stack, which has no proxy) a client cannot claim HTTPS
or another address."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from django.test import RequestFactory; "
    "r = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https', REMOTE_ADDR='203.0.113.7'); "
    "print(s.SECURE_PROXY_SSL_HEADER is not None, s.ALLAUTH_TRUSTED_PROXY_COUNT, r.is_secure())"
)


def production_settings(tmp_path, trusted_proxy_count: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")}
    env.update(
        {
            "DEBUG": "False",
            "SECRET_KEY": "s" * 60,
            "ALLOWED_HOSTS": "testserver",
            "PORTAL_VAR_DIR": str(tmp_path),
            "STATIC_ROOT": str(tmp_path / "static"),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "TRUSTED_PROXY_COUNT": trusted_proxy_count,
        }
    )
    run = [sys.executable, "-c", PROBE]
    result = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_finding_forwarded_proto_trusted_from_any_client_without_a_proxy(tmp_path):
    # No trusted proxy: the client's own X-Forwarded-Proto does not make plain HTTP look like HTTPS.
    assert production_settings(tmp_path, "0") == "False 0 False"


def test_forwarded_proto_is_trusted_behind_a_counted_proxy(tmp_path):
    assert production_settings(tmp_path, "1") == "True 1 True"


@pytest.mark.parametrize("count", [0, 1, 2])
def test_allauth_and_axes_see_the_same_client_address(rf, settings, count):
    from allauth.core.internal.httpkit import get_client_ip

    from portal.auth import client_ip

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20, 10.0.0.2", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == get_client_ip(request) == {0: "10.0.0.1", 1: "10.0.0.2", 2: "198.51.100.20"}[count]


def test_the_compose_stack_has_one_proxy_so_web_trusts_exactly_one():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"nginx", "caddy", "traefik", "proxy"} & set(compose["services"]) == {"proxy"}
    assert "TRUSTED_PROXY_COUNT" not in compose["x-portal-env"]
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert "ports" not in compose["services"]["web"], "clients reach web only through the proxy"
