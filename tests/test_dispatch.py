"""Services name tasks instead of importing them: every name they use must be a registered task."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exemptions.services.dispatch import task_publish
from exemptions.services.transitions import exemption_lock
from portal.celery import app

ROOT = Path(__file__).resolve().parent.parent


def task_names_named_in_code() -> set[str]:
    """Every string constant `exemptions.<name>` assigned to a *_TASK name in services, and every beat entry."""
    names = {entry["task"] for entry in app.conf.beat_schedule.values()}
    for path in (ROOT / "exemptions" / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                if any(isinstance(t, ast.Name) and t.id.endswith("_TASK") for t in node.targets):
                    names.add(node.value.value)
    return names


def test_every_task_name_services_and_beat_use_is_registered():
    names = task_names_named_in_code()
    assert {"exemptions.send_email", "exemptions.render_letter", "exemptions.send_email_batch"} <= names
    assert names - set(current_app.tasks) == set()


def test_a_mistyped_task_name_is_a_bug_not_a_broker_outage():
    with pytest.raises(KeyError):
        task_publish("exemptions.no_such_task", 1)


@pytest.mark.django_db
def test_locking_a_request_does_not_lock_its_year(ep):
    """On deadline day every write of one year must not queue behind one row: only the request's row is locked."""
    from tests.factories import complete_draft

    draft = complete_draft(owner=ep)
    with CaptureQueriesContext(connection) as queries:
        exemption_lock(draft)
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert 'FOR UPDATE OF "exemptions_exemptionrequest"' in sql
    assert "exemptions_adjustmentyear" in sql  # the year is still read in the same query
