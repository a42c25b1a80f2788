"""The outbox (sent-log) in the admin, the bulk retry, and the dry-run command."""

import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from exemptions.models import OutboundEmail, ReminderPolicy
from tests.conftest import et
from tests.factories import RequestFactory, WindowFactory, YearFactory

CHANGELIST = "admin:exemptions_outboundemail_changelist"


@pytest.fixture
def capture_commits(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def rows(ep):
    request = RequestFactory(
        owner=ep, year=YearFactory(year=2031), status="submitted", reference="R-1", submitted_at=et(2030, 2, 1)
    )
    sent = OutboundEmail.objects.create(
        key="confirmation:1", kind="confirmation", request=request, recipients=["alice@example.org"], status="sent"
    )
    failed = OutboundEmail.objects.create(
        key="confirmation:2",
        kind="confirmation",
        request=request,
        recipients=["bob@example.org"],
        status="failed",
        last_error="SMTP 550: mailbox unavailable",
        attempts=1,
    )
    return sent, failed


def test_staff_filter_the_sent_log_by_status_and_search_by_recipient(admin_client, rows):
    page = admin_client.get(reverse(CHANGELIST), {"status": "failed"}).content.decode()
    assert "bob@example.org" in page
    assert "SMTP 550: mailbox unavailable" in page
    assert "alice@example.org" not in page
    page = admin_client.get(reverse(CHANGELIST), {"q": "alice@"}).content.decode()
    assert "alice@example.org" in page
    assert "bob@example.org" not in page
    page = admin_client.get(reverse(CHANGELIST), {"q": "confirmation:2"}).content.decode()
    assert "bob@example.org" in page


def test_rows_are_read_only(admin_client, rows):
    sent, _ = rows
    url = reverse("admin:exemptions_outboundemail_change", args=[sent.pk])
    page = admin_client.get(url).content.decode()
    assert "confirmation:1" in page
    admin_client.post(url, {"status": "pending", "key": "changed"})
    sent.refresh_from_db()
    assert (sent.status, sent.key) == ("sent", "confirmation:1")
    assert admin_client.get(reverse("admin:exemptions_outboundemail_add")).status_code == 403


def test_retry_failed_sends_requeues_only_failed_rows_and_reports_counts(admin_client, rows, capture_commits):
    sent, failed = rows
    with capture_commits(execute=True):
        response = admin_client.post(
            reverse(CHANGELIST), {"action": "retry_failed", "_selected_action": [sent.pk, failed.pk]}, follow=True
        )
    assert "1 failed email(s) queued again; 1 skipped (not failed)." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "sent"  # eager Celery in unit tests: re-sent at once
    (message,) = mail.outbox
    assert message.to == ["bob@example.org"]


def test_the_outbox_admin_is_for_staff_only(client, ep, rows):
    client.force_login(ep)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_dry_run_lists_what_would_be_sent_and_writes_nothing(ep):
    window = WindowFactory(year=YearFactory(year=2031), opens_at=et(2030, 2, 1), closes_at=et(2030, 3, 14, 23, 59, 59))
    ReminderPolicy.objects.create(window=window, offsets_minutes=[3 * 1440, 30])
    with time_machine.travel(et(2030, 2, 15), tick=False):
        draft = RequestFactory(owner=ep, year=window.year)
    out = io.StringIO()
    call_command("reminders_dry_run", "--at", "2030-03-11T09:00", stdout=out)
    text = out.getvalue()
    assert "Reminders due at 9:00 a.m. ET on Monday, March 11, 2030" in text
    assert "4320 min → 9:00 a.m. ET on Monday, March 11, 2030" in text
    assert "30 min → 11:30 p.m. ET on Thursday, March 14, 2030" in text
    assert "alice@example.org" in text
    assert f"reminder:draft:{draft.pk}:{window.pk}:4320:" in text
    assert "1 reminder(s) would be sent." in text
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_the_dry_run_rejects_a_bad_instant(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--at must be an ISO date-time"):
        call_command("reminders_dry_run", "--at", "next tuesday", stdout=io.StringIO())
