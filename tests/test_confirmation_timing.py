"""The confirmation page and email say how long before the close the request arrived, against the deadline it was
submitted under: the window's close, or the end of a staff extension that kept the channel open for it."""

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from exemptions.models import AdjustmentYear
from exemptions.services import review
from exemptions.services.requests import request_submit
from tests.conftest import et
from tests.factories import complete_draft
from tests.review_fixtures import staff_member

pytestmark = pytest.mark.django_db


def submit(exemption, actor, at):
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        request_submit(exemption=exemption, actor=actor, at=at)


def shown(client, exemption) -> str:
    return client.get(reverse("exemptions:request_submitted", args=[exemption.public_id])).text


def test_twenty_minutes_before_the_window_closes(client, ep):
    year = AdjustmentYear.objects.get(year=2012)  # online window closed at 11:59:59 p.m. ET on November 8, 2011
    with time_machine.travel(et(2011, 11, 1), tick=False):
        draft = complete_draft(owner=ep, year=year)
    submit(draft, ep, et(2011, 11, 8, 23, 40))
    words = "20 minutes before the close at 11:59:59 p.m. ET on Tuesday, November 8, 2011"
    client.force_login(ep)
    page = shown(client, draft)
    assert f"Received at 11:40:00 p.m. ET on Tuesday, November 8, 2011, {words}." in page
    (email,) = mail.outbox
    assert f"Received: {words}" in email.body
    assert words in email.alternatives[0][0]


def test_under_an_extension_the_deadline_is_the_extensions_end(client, ep):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 11, 1), tick=False):
        draft = complete_draft(owner=ep, year=year)
    staff = staff_member("rita@cms.example.gov", "Rita Reviewer")
    review.extension_grant(
        actor=staff, exemptions=[draft], until=et(2011, 11, 10, 23, 59, 59), reason="Outage", at=et(2011, 11, 9, 10)
    )
    submit(draft, ep, et(2011, 11, 10, 21, 59, 59))
    words = "2 hours before the close at 11:59:59 p.m. ET on Thursday, November 10, 2011"
    client.force_login(ep)
    assert words in shown(client, draft)
    (email,) = mail.outbox
    assert f"Received: {words}" in email.body
