"""Which reminders are due when: the schedule, the claim (one per key) and who never gets one."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from exemptions.emails.delivery import email_deliver
from exemptions.models import ExemptionRequest, OutboundEmail, ReminderPolicy
from exemptions.reminder_keys import ReminderKey
from exemptions.services.reminders import (
    latest_due_offset,
    reminder_instant,
    reminders_claim_due,
    reminders_due,
    reminders_sweep,
)
from tests.conftest import et
from tests.factories import YearFactory
from tests.reminder_fixtures import CLOSES, THREE_DAYS, make_draft, online_window, sweep

S = ExemptionRequest.Status


@pytest.fixture
def window(db):
    return online_window(YearFactory(year=2031))


def test_whole_day_offsets_go_out_at_the_send_time_in_eastern_time():
    assert reminder_instant(closes_at=CLOSES, offset_minutes=3 * 1440, send_time=dt.time(9)) == THREE_DAYS
    # Across the March DST change the local time stays 9:00 a.m.
    assert reminder_instant(closes_at=CLOSES, offset_minutes=14 * 1440, send_time=dt.time(9)) == et(2030, 2, 28, 9)


def test_minute_offsets_count_back_from_the_end_of_the_last_second():
    assert reminder_instant(closes_at=CLOSES, offset_minutes=15, send_time=dt.time(9)) == et(2030, 3, 14, 23, 45)
    assert reminder_instant(closes_at=CLOSES, offset_minutes=90, send_time=dt.time(9)) == et(2030, 3, 14, 22, 30)


def test_the_latest_passed_offset_is_due_until_the_deadline_and_never_after():
    policy = ReminderPolicy()
    assert latest_due_offset(policy=policy, closes_at=CLOSES, at=THREE_DAYS - dt.timedelta(seconds=1))[0] == 14 * 1440
    assert latest_due_offset(policy=policy, closes_at=CLOSES, at=THREE_DAYS)[0] == 3 * 1440
    assert latest_due_offset(policy=policy, closes_at=CLOSES, at=et(2030, 3, 14, 23, 59, 59))[0] == 1440
    assert latest_due_offset(policy=policy, closes_at=CLOSES, at=et(2030, 3, 15, 0, 0)) is None
    assert latest_due_offset(policy=policy, closes_at=CLOSES, at=et(2030, 2, 20)) is None


def test_a_draft_gets_exactly_one_three_day_reminder_when_the_sweep_runs_three_times(window, ep):
    draft = make_draft(window, owner=ep)
    for minutes in (0, 15, 30):
        sweep(THREE_DAYS + dt.timedelta(minutes=minutes))
    (email,) = OutboundEmail.objects.filter(request=draft)
    assert email.key == f"reminder:draft:{draft.pk}:{window.pk}:4320:{int(CLOSES.timestamp())}"
    assert ReminderKey.parse(email.key) == ReminderKey.of(
        kind=OutboundEmail.Kind.REMINDER_DRAFT, subject_id=draft.pk, scope_id=window.pk, offset=4320, deadline=CLOSES
    )
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "(3 days left)" in message.subject


def test_a_missed_sweep_catches_up_and_a_later_offset_supersedes_an_unsent_one(window, ep):
    draft = make_draft(window, owner=ep)
    sweep(THREE_DAYS + dt.timedelta(hours=20))  # beat was down at 9:00: still due
    sweep(et(2030, 3, 13, 10, 0))  # past the 1-day instant: that one, and only it
    keys = sorted(OutboundEmail.objects.filter(request=draft).values_list("context__offset", flat=True))
    assert keys == [1440, 4320]
    assert len(mail.outbox) == 2


def test_nothing_is_due_after_the_deadline(window, ep):
    make_draft(window, owner=ep)
    sweep(et(2030, 3, 15, 0, 0, 0))
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_a_draft_started_after_the_instant_waits_for_the_next_reminder(window, ep):
    make_draft(window, owner=ep, at=THREE_DAYS + dt.timedelta(minutes=5))
    sweep(THREE_DAYS + dt.timedelta(minutes=15))
    assert mail.outbox == []


@pytest.mark.parametrize("status", [S.SUBMITTED, S.WITHDRAWN, S.APPROVED, S.DENIED, S.UNDER_REVIEW])
def test_submitted_withdrawn_and_decided_requests_get_none(window, ep, status):
    make_draft(window, owner=ep, status=status, reference=f"R-{status}")
    sweep(THREE_DAYS)
    assert not OutboundEmail.objects.exists()


def test_opted_out_requests_and_accounts_get_none(window, ep, other_ep):
    make_draft(window, owner=ep, reminders_opt_out=True)
    other_ep.email_reminders = False
    other_ep.save()
    make_draft(window, owner=other_ep)
    sweep(THREE_DAYS)
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []


def test_a_kind_switched_off_in_the_policy_sends_nothing(window, ep):
    ReminderPolicy.objects.filter(window=window).update(draft_reminders=False)
    make_draft(window, owner=ep)
    sweep(THREE_DAYS)
    assert not OutboundEmail.objects.exists()


def test_a_window_without_a_policy_uses_the_default_schedule(window, ep):
    ReminderPolicy.objects.filter(window=window).delete()
    make_draft(window, owner=ep)
    sweep(THREE_DAYS)
    assert OutboundEmail.objects.get().context["offset"] == 4320


def test_minute_offsets_set_by_staff_work_for_the_demo(window, ep):
    ReminderPolicy.objects.filter(window=window).update(offsets_minutes=[15])
    make_draft(window, owner=ep)
    sweep(et(2030, 3, 14, 23, 44))
    assert mail.outbox == []
    sweep(et(2030, 3, 14, 23, 45))
    (message,) = mail.outbox
    assert "(15 minutes left)" in message.subject


def test_when_staff_extend_the_window_the_schedule_follows_the_new_close(window, ep):
    draft = make_draft(window, owner=ep)
    with time_machine.travel(THREE_DAYS, tick=False):
        reminders_sweep(at=THREE_DAYS - dt.timedelta(days=1))  # the 14-day reminder claimed for the old close
    OutboundEmail.objects.update(status=OutboundEmail.Status.PENDING, sent_at=None)  # still queued when extended
    mail.outbox.clear()
    new_close = CLOSES + dt.timedelta(days=7)
    window.original_closes_at, window.closes_at = CLOSES, new_close
    window.save()

    sweep(THREE_DAYS)  # the old 3-day instant: under the new close the 14-day reminder is the one due
    old, new = OutboundEmail.objects.filter(request=draft).order_by("pk")
    assert old.status == OutboundEmail.Status.PENDING  # the old row is left alone by the sweep …
    assert ReminderKey.parse(new.key).deadline == int(new_close.timestamp())
    assert new.context["offset"] == 14 * 1440
    (message,) = mail.outbox
    assert "11:59 p.m. ET on Thursday, March 21, 2030" in message.body
    assert "extended from 11:59 p.m. ET on Thursday, March 14, 2030" in message.body

    with time_machine.travel(THREE_DAYS, tick=False):
        assert email_deliver(email_id=old.pk) == "suppressed"  # … and never claims the moved deadline
    sweep(et(2030, 3, 18, 9, 0))  # the new 3-day instant
    assert sorted(OutboundEmail.objects.filter(status="sent").values_list("context__offset", flat=True)) == [
        4320,
        20160,
    ]
    old_close_keys = [ReminderKey.parse(key) for key in OutboundEmail.objects.values_list("key", flat=True)]
    assert not [k for k in old_close_keys if k.deadline == int(CLOSES.timestamp()) and k.offset == 4320]


def test_a_draft_submitted_after_the_claim_is_suppressed_at_delivery(window, ep):
    draft = make_draft(window, owner=ep)
    with time_machine.travel(THREE_DAYS, tick=False):
        assert reminders_claim_due(at=THREE_DAYS) == 1  # claimed, not yet published
        ExemptionRequest.objects.filter(pk=draft.pk).update(status=S.SUBMITTED, reference="R-1")
        assert email_deliver(email_id=OutboundEmail.objects.get().pk) == "suppressed"
    assert mail.outbox == []


def test_the_due_set_is_read_only(window, ep):
    make_draft(window, owner=ep)
    with time_machine.travel(THREE_DAYS, tick=False):
        (due,) = reminders_due(at=THREE_DAYS)
    assert due.recipients == ["alice@example.org"]
    assert not OutboundEmail.objects.exists()
