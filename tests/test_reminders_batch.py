"""A batch of reminders: claimed in one statement, shared parts rendered once, recorded in one statement per subject;
every recipient gets exactly what the one-by-one path would have sent."""

from __future__ import annotations

import smtplib

import pytest
import time_machine
from django.core import mail

from exemptions.emails.delivery import email_deliver_batch
from exemptions.emails.messages import build_message
from exemptions.models import ExemptionRequest, OutboundEmail
from exemptions.services.reminders import reminders_claim_due
from tests.factories import UserFactory, YearFactory, complete_draft
from tests.reminder_fixtures import THREE_DAYS, make_draft, online_window

pytestmark = pytest.mark.django_db
S = OutboundEmail.Status


@pytest.fixture
def window(db):
    return online_window(YearFactory(year=2031))


@pytest.fixture
def claimed(window):
    """Five due reminders (drafts missing different things, one complete, names with accents), claimed not sent."""
    owners = [
        UserFactory(email=f"ep{i}@example.org", full_name=name)
        for i, name in enumerate(["Alice Able", "José Núñez", "", "Wei Chen", "O'Brien & Sons"])
    ]
    make_draft(window, owners[0], tin="", attested=False)
    make_draft(window, owners[1], justification="")
    make_draft(window, owners[2], contact_name="Front Desk")
    make_draft(window, owners[3])
    with time_machine.travel(THREE_DAYS, tick=False):
        complete_draft(owner=owners[4], year=window.year)
        ExemptionRequest.objects.filter(owner=owners[4]).update(created_at=THREE_DAYS.replace(day=1))
        assert reminders_claim_due(at=THREE_DAYS) == 5
    return list(OutboundEmail.objects.order_by("pk").values_list("pk", flat=True))


def as_sent(message) -> tuple:
    """Everything a recipient sees of a message (not the Date and Message-ID headers the backend adds on sending)."""
    return (
        message.to,
        message.subject,
        message.body,
        message.alternatives,
        message.attachments,
        message.extra_headers,
    )


def test_the_batch_sends_each_recipient_exactly_what_one_by_one_rendering_would(claimed):
    with time_machine.travel(THREE_DAYS, tick=False):
        one_by_one = [as_sent(build_message(email)) for email in OutboundEmail.objects.order_by("pk")]
        outcome = email_deliver_batch(email_ids=claimed)
    assert outcome.counts == {"sent": 5}
    assert [as_sent(message) for message in mail.outbox] == one_by_one
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Hello José Núñez," in bodies["ep1@example.org"]
    assert "Hello Front Desk," in bodies["ep2@example.org"]
    assert 'press "Submit"' in bodies["ep4@example.org"]
    assert all(message.body.rstrip().endswith("replies are not read.") for message in mail.outbox)  # signature


def test_a_batch_claims_and_records_in_a_few_statements_whatever_its_size(claimed, django_assert_max_num_queries):
    # claim; requests, their categories and EPs, users; window; the year's categories; record: 7, not 4 per email.
    with time_machine.travel(THREE_DAYS, tick=False), django_assert_max_num_queries(8):
        email_deliver_batch(email_ids=claimed)
    rows = OutboundEmail.objects.order_by("pk")
    assert [(r.status, r.attempts) for r in rows] == [(S.SENT, 1)] * 5
    assert {r.subject for r in rows} == {
        "Reminder: your 2031 eRx hardship exemption request is not submitted (3 days left)"
    }


def test_rows_claimed_elsewhere_are_skipped_and_stale_ones_suppressed(claimed):
    first, second, *rest = claimed
    OutboundEmail.objects.filter(pk=first).update(status=S.SENDING)  # another run has it
    draft = OutboundEmail.objects.get(pk=second).request_id
    ExemptionRequest.objects.filter(pk=draft).update(reminders_opt_out=True)  # the EP stopped them since
    with time_machine.travel(THREE_DAYS, tick=False):
        outcome = email_deliver_batch(email_ids=claimed)
        again = email_deliver_batch(email_ids=claimed)  # a re-delivery of the same task
    assert outcome.counts == {"skipped": 1, "sent": 3, "suppressed": 1}
    assert again.counts == {"skipped": 5}
    assert len(mail.outbox) == 3
    assert OutboundEmail.objects.get(pk=first).attempts == 0
    assert OutboundEmail.objects.get(pk=second).status == S.SUPPRESSED


class FlakyConnection:
    """An open backend whose second message gets an SMTP answer, or an unexpected error."""

    def __init__(self, error: Exception):
        self.error, self.sent, self.calls = error, [], 0

    def send_messages(self, messages):
        self.calls += 1
        if self.calls == 2:
            raise self.error
        self.sent += messages
        return len(messages)


def test_a_4xx_answer_puts_that_email_back_for_a_retry_and_the_rest_go_out(claimed):
    flaky = FlakyConnection(smtplib.SMTPResponseException(451, b"Try again later"))
    reconnected = []
    with time_machine.travel(THREE_DAYS, tick=False):
        outcome = email_deliver_batch(
            email_ids=claimed, connection=flaky, reconnect=lambda c: reconnected.append(c) or c
        )
    assert outcome.counts == {"retry": 1, "sent": 4}
    assert outcome.retry == [claimed[1]]
    assert reconnected == [flaky]
    retried = OutboundEmail.objects.get(pk=claimed[1])
    assert (retried.status, retried.attempts, retried.last_error) == (
        S.PENDING,
        1,
        "SMTP 451: (451, b'Try again later')",
    )
    assert len(flaky.sent) == 4


def test_an_unexpected_error_records_what_went_out_and_releases_what_was_never_tried(claimed):
    flaky = FlakyConnection(RuntimeError("bug"))
    with time_machine.travel(THREE_DAYS, tick=False), pytest.raises(RuntimeError):
        email_deliver_batch(email_ids=claimed, connection=flaky)
    rows = {r.pk: (r.status, r.attempts) for r in OutboundEmail.objects.all()}
    assert rows[claimed[0]] == (S.SENT, 1)
    assert rows[claimed[1]] == (S.SENDING, 1)  # may have gone out: never re-sent (the drain reports it)
    assert [rows[pk] for pk in claimed[2:]] == [(S.PENDING, 0)] * 3  # the next publish sends them


def test_outside_a_batch_one_email_renders_the_same_calendar_entry(claimed):
    from exemptions.emails.reminders import DeadlineIcs, deadline_ics
    from tests.reminder_fixtures import CLOSES

    parts = {
        "uid": "deadline-6c1f-1773547199@127.0.0.1",
        "description": "Deadline: 2031 eRx hardship exemption request: 11:59 p.m. ET on Thursday, March 14, 2030. "
        "http://127.0.0.1:8000/requests/6c1f2b8e-0000-4000-8000-000000000000/edit/; a, b\\c",
        "url": "http://127.0.0.1:8000/requests/6c1f2b8e-0000-4000-8000-000000000000/edit/",
    }
    summary = "Deadline: 2031 eRx hardship exemption request"
    with time_machine.travel(THREE_DAYS, tick=False):
        assert DeadlineIcs(deadline=CLOSES, summary=summary)(**parts) == deadline_ics(
            deadline=CLOSES, summary=summary, **parts
        )
