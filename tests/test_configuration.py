"""Misconfiguration stops start-up with one readable line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60
    )


def test_unparsable_database_url_is_one_line():
    result = run_check(DATABASE_URL="not a url at all")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Configuration error: DATABASE_URL")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_missing_secret_key_in_production_is_one_line():
    result = run_check(DEBUG="False", ALLOWED_HOSTS="portal.example.org")
    assert result.returncode == 2
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG=False."


def test_missing_allowed_hosts_in_production_is_one_line():
    result = run_check(DEBUG="False", SECRET_KEY="x" * 60)
    assert result.returncode == 2
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_embedded_defaults_pass_the_check():
    result = run_check()
    assert result.returncode == 0, result.stderr
