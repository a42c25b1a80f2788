"""Structured access logs: one JSON line per request with ids, status and duration, and no secrets."""

import json
import logging

import pytest
from django.urls import reverse

from portal.logs import JsonFormatter, RequestIdFilter, redacted_path, request_id_var
from tests.factories import complete_draft
from tests.helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_lines(caplog):
    caplog.set_level(logging.INFO, logger="portal.access")
    formatter = JsonFormatter()

    def lines():
        return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "portal.access"]

    return lines


def test_one_json_line_per_request_with_request_id_user_status_and_duration(client, ep, access_lines):
    client.force_login(ep)
    response = client.get("/requests/", HTTP_X_REQUEST_ID="lb-7f3a9c21")
    (line,) = access_lines()
    assert line["request_id"] == "lb-7f3a9c21" == response["X-Request-ID"]
    assert line["user_id"] == ep.pk and line["status"] == 200 and line["method"] == "GET"
    assert line["path"] == "/requests/" and line["route"] == "requests/"
    assert isinstance(line["duration_ms"], float) and line["level"] == "INFO" and line["logger"] == "portal.access"


def test_a_hostile_request_id_is_replaced(client, access_lines, db):
    response = client.get("/", HTTP_X_REQUEST_ID='x"}\n{"forged": true')
    (line,) = access_lines()
    assert line["request_id"] == response["X-Request-ID"] != 'x"}\n{"forged": true'
    assert "forged" not in json.dumps(line)


def test_posted_tins_passwords_and_justifications_never_reach_the_log(client, ep, access_lines, caplog):
    draft = complete_draft(owner=ep)
    client.post(reverse("account_login"), {"login": ep.email, "password": "hunter2-secret-password"})
    client.post(
        reverse("exemptions:request_edit", args=[draft.public_id]),
        form_data(tin="98-7654321", justification="Confidential diagnosis text"),
    )
    everything = caplog.text + json.dumps(access_lines())
    for secret in ("hunter2-secret-password", "987654321", "98-7654321", "Confidential diagnosis"):
        assert secret not in everything
    assert ep.email not in json.dumps(access_lines()), "user ids, not email addresses"


def test_secret_url_parts_are_masked():
    path = "/accounts/password/reset/key/3-abcdef-1234567890abcdef/"
    assert redacted_path(path, {"uidb36": "3", "key": "abcdef-1234567890abcdef"}) == "/accounts/password/reset/key/***"
    assert redacted_path("/requests/1/", {"public_id": "1"}) == "/requests/1/"


def test_other_loggers_carry_the_request_id_too():
    record = logging.LogRecord("exemptions", logging.WARNING, __file__, 1, "window closed for %s", ("HX-1",), None)
    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line == {**line, "msg": "window closed for HX-1", "request_id": "abc123", "level": "WARNING"}


def test_exceptions_are_one_line_with_the_traceback_escaped():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = JsonFormatter().format(record)
    assert "\n" not in text and "ValueError: boom" in json.loads(text)["exc"]


def test_celery_task_log_lines_carry_the_task_id():
    from celery.signals import task_postrun, task_prerun

    task_prerun.send(sender=None, task_id="0f1e2d3c", task=None)
    try:
        assert request_id_var.get() == "task:0f1e2d3c"
    finally:
        task_postrun.send(sender=None, task_id="0f1e2d3c", task=None)
    assert request_id_var.get() == ""
