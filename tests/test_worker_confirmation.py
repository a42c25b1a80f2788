"""The confirmation email travels through a real Celery worker and the real broker (Redis in CI)."""

import pytest
from django.utils import timezone

from exemptions.models import OutboundEmail
from exemptions.services.requests import request_submit
from tests.factories import complete_draft

pytestmark = pytest.mark.worker


def test_confirmation_email_is_sent_by_a_real_worker(live_worker, ep):
    draft = complete_draft(owner=ep)
    submitted, created = request_submit(exemption=draft, actor=ep, at=timezone.now())
    assert created
    email = live_worker.wait_for(
        lambda: OutboundEmail.objects.filter(request=submitted, status="sent").first(), what="the email to be sent"
    )
    (body,) = live_worker.wait_for(live_worker.emails, what="the email file")
    assert f"Subject: Received: your {submitted.year.year} eRx hardship exemption request {submitted.reference}" in body
    assert "To: alice@example.org" in body
    assert email.attempts == 1
