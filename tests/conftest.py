"""Shared fixtures: personas (ep, other_ep, reviewer), fast hashing, eager Celery for unit tests."""

import datetime as dt
import os

import pytest
from django.core.cache import cache

from exemptions.windows import ET

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.worker", "tests.storage"]


@pytest.fixture(autouse=True)
def _files_in_the_bucket_when_asked(request):
    """PORTAL_TEST_STORAGE=s3: every test keeps its files in the loopback S3-compatible bucket (tests/storage.py)
    instead of MEDIA_ROOT, so the file tests also run against object storage (.ci/run does it for the file tests)."""
    if os.environ.get("PORTAL_TEST_STORAGE") == "s3" and "no_bucket" not in request.keywords:
        request.getfixturevalue("bucket")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PORTAL_REQUIRE_STAFF_MFA = False  # admin_client/force_login staff; tests/test_security_mfa.py turns it on
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()  # allauth's rate limits count there: one test's failed logins must not pause the next test's
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _program_data_in_transactional_tests(request):
    """Transactional tests flush every table afterwards, data migrations included: reload the program data."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if transactional:
        request.getfixturevalue("transactional_db")
        load_program_data()


def load_program_data() -> None:
    import importlib

    from django.apps import apps

    for name, loader in (
        ("0002_historical_program_data", "load"),
        ("0012_informal_reviews", "load_windows"),
        ("0013_year_rules_and_facts", "load"),
    ):
        getattr(importlib.import_module(f"exemptions.migrations.{name}"), loader)(apps, None)


def et(*args) -> dt.datetime:
    """An aware Eastern Time instant: et(2013, 1, 31, 23, 59, 59)."""
    return dt.datetime(*args, tzinfo=ET)


@pytest.fixture
def ep(db):
    from tests.factories import UserFactory

    return UserFactory(email="alice@example.org", full_name="Alice Able")


@pytest.fixture
def other_ep(db):
    from tests.factories import UserFactory

    return UserFactory(email="bob@example.org", full_name="Bob Baker")


@pytest.fixture
def staff_user(db):
    from tests.factories import UserFactory

    return UserFactory(email="admin@example.org", full_name="Ada Admin", is_staff=True, is_superuser=True)
