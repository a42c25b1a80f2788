"""`manage.py check --deploy` with production environment variables is clean (and would catch a regression)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def deploy_check(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the test suite (conftest.py), never in production
    env.update(
        {
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "portal.example.org",
            "STATIC_ROOT": str(tmp_path / "static"),
            "PORTAL_VAR_DIR": str(tmp_path / "var"),
            **overrides,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_check_would_catch_insecure_cookies(tmp_path):
    result = deploy_check(tmp_path, SECURE_COOKIES="False")
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr and "CSRF_COOKIE_SECURE" in result.stderr


def test_production_settings_values(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS, "
        "s.LOG_FORMAT, s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[-1])"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "LOG_FORMAT")},
        "DEBUG": "False",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "portal.example.org",
        "PORTAL_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "TRUSTED_PROXY_COUNT": "1",  # production runs behind a TLS proxy; without one the header is not trusted
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    ).stdout.split()
    assert out == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "DENY",
        "json",
        "CompressedManifestStaticFilesStorage",
    ]
