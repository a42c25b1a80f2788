"""What each reminder email says: name, year, what is missing, the deadline in ET, links, .ics, stop link."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from exemptions.models import ExemptionRequest, InformationRequest, OutboundEmail, WindowOpeningSubscription
from exemptions.reminder_keys import ReminderKey
from exemptions.services.reminders import stop_target
from exemptions.windows import time_left, time_left_until, time_left_words, window_state
from tests.conftest import et
from tests.factories import RequestFactory, WindowFactory, YearFactory, complete_draft
from tests.reminder_fixtures import CLOSES, THREE_DAYS, online_window, sweep

S = ExemptionRequest.Status
K = OutboundEmail.Kind


@pytest.fixture
def year(db):
    return YearFactory(year=2031)


def draft_reminder(year, make_draft):
    """The one reminder a draft made two weeks before the online close gets three days before it."""
    online_window(year)
    with time_machine.travel(et(2030, 2, 15), tick=False):
        draft = make_draft()
    sweep(THREE_DAYS)
    (message,) = mail.outbox
    return message, draft


def test_the_draft_reminder_says_what_is_missing_when_and_where(year, ep):
    message, draft = draft_reminder(year, lambda: RequestFactory(owner=ep, year=year, tin="", attested=False))
    assert message.subject == "Reminder: your 2031 eRx hardship exemption request is not submitted (3 days left)"
    assert message.to == ["alice@example.org"]
    body = message.body
    assert "Hello Alice Able," in body
    assert "2031 eRx payment adjustment" in body
    assert "Deadline: 11:59 p.m. ET on Thursday, March 14, 2030 (3 days left)" in body
    assert "TIN is required to submit." in body
    assert "Check the attestation box to submit." in body
    assert f"http://127.0.0.1:8000/requests/{draft.public_id}/edit/" in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Finish and submit your request" in html
    assert "TIN is required to submit." in html
    (filename, ics, ics_type) = message.attachments[0]
    assert (filename, ics_type) == ("deadline.ics", "text/calendar")
    assert "DTEND:20300315T040000Z" in ics  # the first second after 23:59:59 EDT
    assert "SUMMARY:Deadline: 2031 eRx hardship exemption request" in ics
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["UID"]) == f"deadline-{draft.public_id}-{int(CLOSES.timestamp())}@127.0.0.1"
    assert event.decoded("DTSTART") == CLOSES + dt.timedelta(seconds=1) - dt.timedelta(minutes=30)
    assert event.decoded("DTEND") == CLOSES + dt.timedelta(seconds=1)
    assert str(event["DESCRIPTION"]) == (
        "Deadline: 2031 eRx hardship exemption request: 11:59 p.m. ET on Thursday, March 14, 2030. "
        f"http://127.0.0.1:8000/requests/{draft.public_id}/edit/"
    )
    assert str(event["URL"]) == f"http://127.0.0.1:8000/requests/{draft.public_id}/edit/"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(days=1)
    stop = next(line for line in body.splitlines() if line.startswith("Stop reminders for this request: "))
    token = stop.split("/reminders/stop/")[1].rstrip("/")
    assert stop_target(token) == draft
    # Mail clients offer one-click unsubscribe (RFC 8058) that POSTs to the same link.
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop.split(': ', 1)[1]}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_complete_draft_is_told_to_press_submit(year, ep):
    message, _draft = draft_reminder(year, lambda: complete_draft(owner=ep, year=year))
    assert 'Your draft looks complete: review it and press "Submit".' in message.body


def test_a_generated_letter_not_mailed_gets_a_postmark_reminder(year, ep):
    window = WindowFactory(year=year, channel="letter", opens_at=et(2030, 2, 1), closes_at=CLOSES)
    with time_machine.travel(et(2030, 2, 15), tick=False):
        letter = RequestFactory(
            owner=ep, year=year, kind="group", status=S.LETTER_GENERATED, reference="G-1", group_name="Towson Clinic"
        )
        RequestFactory(owner=ep, year=year, kind="group", status=S.MAILED, reference="G-2")
    sweep(THREE_DAYS)
    (message,) = mail.outbox
    assert message.subject == (
        "Reminder: mail your 2031 GPRO hardship letter, postmark deadline 11:59 p.m. ET on Thursday, March 14, 2030"
    )
    assert "letter for Towson Clinic" in message.body
    assert f"http://127.0.0.1:8000/groups/{letter.public_id}/" in message.body
    assert (
        OutboundEmail.objects.get().key
        == ReminderKey.of(
            kind=K.REMINDER_LETTER, subject_id=letter.pk, scope_id=window.pk, offset=4320, deadline=CLOSES
        ).text
    )


def test_an_unanswered_question_gets_a_reminder_before_its_reply_by_date(year, ep, staff_user):
    window = online_window(year)
    with time_machine.travel(et(2030, 3, 1), tick=False):
        exemption = RequestFactory(
            owner=ep, year=year, status=S.INFO_REQUESTED, reference="R-9", submitted_window=window
        )
        question = InformationRequest.objects.create(
            request=exemption,
            asked_by=staff_user,
            asked_at=et(2030, 3, 1),
            message="Send the state law citation.",
            reply_by=dt.date(2030, 3, 20),
        )
        answered = RequestFactory(owner=ep, year=year, status=S.INFO_REQUESTED, reference="R-10")
        InformationRequest.objects.create(
            request=answered,
            asked_by=staff_user,
            asked_at=et(2030, 3, 1),
            message="?",
            reply_by=dt.date(2030, 3, 20),
            answered_at=et(2030, 3, 2),
        )
    sweep(et(2030, 3, 17, 9, 0))
    (message,) = mail.outbox
    assert message.subject == "Reminder: CMS is waiting for your answer on request R-9 (3 days left)"
    assert "Please answer by: 11:59 p.m. ET on Wednesday, March 20, 2030 (3 days left)" in message.body
    assert "closes" not in message.subject + message.body  # nothing closes: CMS waits for an answer
    assert "Send the state law citation." in message.body
    assert f"/requests/{exemption.public_id}/respond/" in message.body
    reply_by_end = et(2030, 3, 20, 23, 59, 59)
    assert (
        OutboundEmail.objects.get().key
        == ReminderKey.of(
            kind=K.REMINDER_INFO, subject_id=exemption.pk, scope_id=question.pk, offset=4320, deadline=reply_by_end
        ).text
    )
    sweep(et(2030, 3, 17, 9, 15))
    assert len(mail.outbox) == 1


def test_subscribers_are_told_once_when_the_window_opens(year, ep, other_ep):
    WindowOpeningSubscription.objects.create(user=ep, year=year)
    WindowOpeningSubscription.objects.create(user=other_ep, year=year, channel="letter")
    window = online_window(year)
    sweep(et(2030, 1, 31, 23, 45))
    assert mail.outbox == []
    sweep(et(2030, 2, 1, 0, 0))
    sweep(et(2030, 2, 1, 0, 15))
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == (
        "Now open: 2031 eRx hardship exemption requests (Online request), "
        "until 11:59 p.m. ET on Thursday, March 14, 2030"
    )
    assert "opened 12:00 a.m. ET on Friday, February 1, 2030" in message.body
    assert "/requests/new/" in message.body
    assert (
        OutboundEmail.objects.get().key == f"reminder:opening:{ep.pk}:{window.pk}:0:{int(window.opens_at.timestamp())}"
    )


def test_an_email_counts_the_time_left_as_the_pages_do(year, ep):
    message, _draft = draft_reminder(year, lambda: RequestFactory(owner=ep, year=year))
    assert time_left(window_state(year=year, channel="online", at=THREE_DAYS)) == "closes in 3 days"
    assert message.subject.endswith("(3 days left)")
    assert "Deadline: 11:59 p.m. ET on Thursday, March 14, 2030 (3 days left)" in message.body


@pytest.mark.parametrize(
    ("at", "amount", "email_words"),
    [
        (et(2030, 3, 11, 9, 0), "3 days", "3 days left"),  # the 3-day reminder
        (et(2030, 3, 13, 9, 0), "1 day", "1 day left"),  # the 1-day reminder: calendar days in ET, not 39 hours
        (et(2030, 3, 14, 9, 0), "15 hours", "15 hours left, due today"),  # closing today
        (et(2030, 3, 14, 23, 45), "15 minutes", "15 minutes left"),
    ],
)
def test_pages_and_emails_count_the_time_left_alike(year, at, amount, email_words):
    window = online_window(year)
    assert time_left_until(deadline=window.closes_at, at=at).amount == amount
    assert time_left(window_state(year=year, channel="online", at=at)) == f"closes in {amount}"
    assert time_left_words(deadline=window.closes_at, at=at) == email_words


def test_a_deadline_less_than_a_day_away_counts_hours_even_across_midnight():
    # Under a day away but tomorrow in ET: hours, without "due today".
    assert time_left_words(deadline=et(2030, 3, 15, 10, 0), at=et(2030, 3, 14, 23, 0)) == "11 hours left"
