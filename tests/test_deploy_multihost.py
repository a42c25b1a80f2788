"""Several hosts, one portal: `manage.py check` warns about state one host would keep to itself, and every
stored file gets a name no other host or render can take."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from exemptions.models.files import stored_file_upload_to
from exemptions.models.letters import batch_upload_to, letter_upload_to
from exemptions.models.requests import document_upload_to
from portal.checks import cache_is_shared, files_are_shared

ROOT = Path(__file__).resolve().parent.parent
REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379/1"}}
LOCMEM_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
S3 = "storages.backends.s3.S3Storage"


@pytest.fixture
def several_hosts(settings):
    settings.DEBUG = False
    settings.PORTAL_MULTI_HOST = True
    settings.CACHES = REDIS_CACHE
    settings.STORAGE_URL = "s3://portal:secret@minio:9000/portal-files"
    return settings


def messages(settings) -> list[str]:
    return [warning.msg for warning in cache_is_shared() + files_are_shared()]


def test_several_hosts_with_redis_and_a_bucket_pass(several_hosts):
    assert messages(several_hosts) == []


@pytest.mark.parametrize(
    ("change", "check", "code", "words"),
    [
        (
            {"CACHES": LOCMEM_CACHE},
            cache_is_shared,
            "portal.W001",
            ["cache is per process (LocMemCache)", "CACHE_URL=redis://"],
        ),
        ({"STORAGE_URL": ""}, files_are_shared, "portal.W002", ["files are on this host's disk", "set STORAGE_URL"]),
    ],
)
def test_state_one_host_keeps_to_itself_is_one_warning_line(several_hosts, change, check, code, words):
    for name, value in change.items():
        setattr(several_hosts, name, value)
    (warning,) = check()
    assert warning.id == code
    assert all(w in warning.msg for w in words)
    assert "\n" not in warning.msg


def test_a_bucket_configured_without_storage_url_counts_as_shared(several_hosts):
    several_hosts.STORAGE_URL = ""
    several_hosts.STORAGES = {**several_hosts.STORAGES, "default": {"BACKEND": S3}}
    assert files_are_shared() == []


def test_one_host_or_development_is_never_warned(settings):
    settings.CACHES = LOCMEM_CACHE
    settings.STORAGE_URL = ""
    settings.DEBUG, settings.PORTAL_MULTI_HOST = False, False
    assert messages(settings) == []
    settings.DEBUG, settings.PORTAL_MULTI_HOST = True, True
    assert messages(settings) == []


def test_manage_py_check_prints_both_warnings_one_line_each(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "STORAGE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        {
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "portal.example.org",
            "PORTAL_MULTI_HOST": "1",
            "STATIC_ROOT": str(tmp_path / "static"),
            "PORTAL_VAR_DIR": str(tmp_path / "var"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    lines = (result.stdout + result.stderr).splitlines()
    assert len([line for line in lines if "(portal.W001)" in line]) == 1
    assert len([line for line in lines if "(portal.W002)" in line]) == 1


UPLOAD_TO = [document_upload_to, letter_upload_to, batch_upload_to, stored_file_upload_to]


@pytest.mark.parametrize("upload_to", UPLOAD_TO, ids=lambda f: f.__name__)
def test_every_stored_file_gets_a_fresh_random_name(upload_to):
    """Names never come from the user or the row: two hosts (or two renders) never write the same object."""
    instance = type("Row", (), {"kind": "receipt", "content_type": "application/pdf"})()
    names = {upload_to(instance, "letter.pdf") for _ in range(50)}
    assert len(names) == 50
    assert not any("letter" in name.rsplit("/", 1)[-1] for name in names)
