"""The informal review confirmation travels through a real Celery worker and the real broker (Redis in CI)."""

import datetime as dt

import pytest
from django.utils import timezone

from exemptions.models import AdjustmentYear, InformalReviewWindow, OutboundEmail
from exemptions.services import informal_reviews as services

pytestmark = pytest.mark.worker


def test_informal_review_confirmation_is_sent_by_a_real_worker(live_worker, ep):
    year = AdjustmentYear.objects.get(year=2014)
    now = timezone.now()
    # A transactional test's flush removed the migration's windows: one open now.
    InformalReviewWindow.objects.create(
        year=year, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=1)
    )
    review = services.review_create(owner=ep, year=year)
    fields = {
        "tin": "123456789",
        "npis": ["1234567893"],
        "reason": "I e-prescribed in 2013.",
        "contact_email": ep.email,
    }
    services.review_save_draft(review=review, actor=ep, fields=fields)
    submitted, created = services.review_submit(review=review, actor=ep, at=now)
    assert created
    email = live_worker.wait_for(
        lambda: OutboundEmail.objects.filter(kind="informal_review_confirmation", status="sent").first(),
        what="the email to be sent",
    )
    (body,) = live_worker.wait_for(live_worker.emails, what="the email file")
    # The long subject is folded in the file: check the row's record of it, and the header's start.
    assert email.subject == f"Received: your informal review of the 2014 eRx payment adjustment {submitted.reference}"
    assert "Subject: Received: your informal review" in body
    assert "To: alice@example.org" in body
    assert email.attempts == 1
