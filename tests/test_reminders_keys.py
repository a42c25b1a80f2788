"""The reminder key has one home (`ReminderKey`): the text Python writes, the text the claim query writes in SQL
and the text the outbox holds are the same, for every kind of reminder."""

import datetime as dt

import pytest
import time_machine
from django.db.models import F

from exemptions.models import ExemptionRequest, InformationRequest, OutboundEmail, WindowOpeningSubscription
from exemptions.reminder_keys import ReminderKey
from exemptions.services.reminders import reminder_candidates, reminders_claim, reminders_claim_due, reminders_due
from tests.conftest import et
from tests.factories import RequestFactory, WindowFactory, YearFactory
from tests.reminder_fixtures import CLOSES, THREE_DAYS, make_draft, online_window

K = OutboundEmail.Kind
S = ExemptionRequest.Status


def test_a_key_reads_back_from_its_text():
    key = ReminderKey.of(kind=K.REMINDER_DRAFT, subject_id=12, scope_id=3, offset=4320, deadline=CLOSES)
    assert key.text == f"reminder:draft:12:3:4320:{int(CLOSES.timestamp())}"
    assert ReminderKey.parse(key.text) == key
    assert str(key) == key.text


@pytest.mark.parametrize(
    "text", ["confirmation:12", "reminder:nope:1:2:3:4", "reminder:draft:1:2:3", "reminder:draft:a:2:3:4"]
)
def test_other_texts_are_not_reminder_keys(text):
    with pytest.raises(ValueError):
        ReminderKey.parse(text)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [K.REMINDER_DRAFT, K.REMINDER_LETTER, K.REMINDER_INFO, K.WINDOW_OPENING])
def test_the_database_writes_the_same_key_text_as_python(kind):
    drafts = [RequestFactory(year=YearFactory(year=2031)) for _ in range(3)]
    keys = ExemptionRequest.objects.annotate(
        key=ReminderKey.sql(kind=kind, subject=F("pk"), scope=F("year_id"), offset=1440, deadline=CLOSES)
    ).order_by("pk")
    assert [row.key for row in keys] == [
        ReminderKey.of(kind=kind, subject_id=d.pk, scope_id=d.year_id, offset=1440, deadline=CLOSES).text
        for d in drafts
    ]
    constant_scope = ReminderKey.sql(kind=kind, subject=F("pk"), scope=7, offset=0, deadline=CLOSES)
    assert ExemptionRequest.objects.annotate(key=constant_scope).get(pk=drafts[0].pk).key == (
        ReminderKey(kind, drafts[0].pk, 7, 0, int(CLOSES.timestamp())).text
    )


@pytest.fixture
def due_of_every_kind(db, ep, staff_user):
    """A draft, a generated letter, an unanswered question and an opening subscription, all due at THREE_DAYS."""
    year = YearFactory(year=2031)
    window = online_window(year)
    letters = WindowFactory(year=year, channel="letter", opens_at=et(2030, 2, 1), closes_at=CLOSES)
    draft = make_draft(window, owner=ep)
    letter = make_draft(window, owner=ep, kind="group", status=S.LETTER_GENERATED, reference="G-1")
    with time_machine.travel(et(2030, 3, 1), tick=False):
        asked = RequestFactory(owner=ep, year=year, status=S.INFO_REQUESTED, reference="R-1", submitted_window=window)
        question = InformationRequest.objects.create(
            request=asked, asked_by=staff_user, asked_at=et(2030, 3, 1), message="?", reply_by=dt.date(2030, 3, 14)
        )
    WindowOpeningSubscription.objects.create(user=ep, year=year)
    return [
        ReminderKey.of(kind=K.REMINDER_DRAFT, subject_id=draft.pk, scope_id=window.pk, offset=4320, deadline=CLOSES),
        ReminderKey.of(kind=K.REMINDER_LETTER, subject_id=letter.pk, scope_id=letters.pk, offset=4320, deadline=CLOSES),
        ReminderKey.of(kind=K.REMINDER_INFO, subject_id=asked.pk, scope_id=question.pk, offset=4320, deadline=CLOSES),
        ReminderKey.of(kind=K.WINDOW_OPENING, subject_id=ep.pk, scope_id=window.pk, offset=0, deadline=window.opens_at),
    ]


def test_the_due_set_and_the_claim_write_the_keys_python_builds(due_of_every_kind):
    expected = sorted(k.text for k in due_of_every_kind)
    with time_machine.travel(THREE_DAYS, tick=False):
        assert sorted(d.key.text for d in reminders_due(at=THREE_DAYS)) == expected
        assert reminders_claim_due(at=THREE_DAYS) == 4
    assert sorted(OutboundEmail.objects.values_list("key", flat=True)) == expected
    assert sorted(OutboundEmail.objects.values_list("kind", flat=True)) == sorted(k.kind for k in due_of_every_kind)


def test_a_claim_writes_each_row_once_with_what_delivery_needs(due_of_every_kind, ep):
    with time_machine.travel(THREE_DAYS, tick=False):
        due = {d.key.text: d for d in reminders_due(at=THREE_DAYS)}
        candidates = reminder_candidates(at=THREE_DAYS)
        assert sum(reminders_claim(candidates=c) for c in candidates) == 4
        assert sum(reminders_claim(candidates=c) for c in candidates) == 0  # a second claim inserts nothing
        assert reminders_due(at=THREE_DAYS) == []
    for email in OutboundEmail.objects.all():
        reminder = due[email.key]
        assert (email.request_id, email.user_id) == (reminder.request_id, reminder.user_id)
        assert email.recipients == ["alice@example.org"] == reminder.recipients
        assert email.context == reminder.context
        assert (email.status, email.attempts, email.last_error, email.last_published_at) == ("pending", 0, "", None)
    opening = OutboundEmail.objects.get(kind=K.WINDOW_OPENING)
    assert opening.request_id is None
    assert opening.context["subscription_id"] == WindowOpeningSubscription.objects.get().pk
