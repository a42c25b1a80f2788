"""Informal reviews: the seeded windows, the window rule to the second, one submission, one email of each kind."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from exemptions.emails.delivery import email_deliver
from exemptions.models import AdjustmentYear, InformalReview, InformalReviewWindow, OutboundEmail
from exemptions.services import informal_reviews as services
from exemptions.services.references import reference_issue
from tests.conftest import et

pytestmark = pytest.mark.django_db
CLOSE_2014 = et(2014, 2, 28, 23, 59, 59)
K = OutboundEmail.Kind


def year(number: int) -> AdjustmentYear:
    return AdjustmentYear.objects.get(year=number)


def complete_review(owner, number: int = 2014, **fields) -> InformalReview:
    review = services.review_create(owner=owner, year=year(number))
    values = {
        "tin": "123456789",
        "npis": ["1234567893", "1558598797"],
        "reason": "I reported the eRx measure on 30 claims in the first half of 2013.",
        "contact_email": owner.email,
        **fields,
    }
    return services.review_save_draft(review=review, actor=owner, fields=values)


def edit_url(review):
    return reverse("exemptions:informal_review_edit", args=[review.public_id])


def post_form(client, review, action="submit", **fields):
    data = {
        "tin": "12-3456789",
        "npis": "1234567893\n1558598797",
        "reason": "I reported the eRx measure on 30 claims.",
        "contact_email": "alice@example.org",
        "action": action,
        **fields,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):  # test transactions never commit: run the email publish
        return client.post(edit_url(review), data, follow=True)


# --- the data ---------------------------------------------------------------------------------------------------


def test_windows_are_loaded_only_for_the_years_the_sources_give():
    windows = {w.year.year: w for w in InformalReviewWindow.objects.select_related("year")}
    assert sorted(windows) == [2013, 2014]
    assert windows[2014].closes_at == CLOSE_2014
    assert windows[2014].opening_published is False  # CMS did not publish it: not shown as a date
    assert (windows[2013].opens_at, windows[2013].closes_at) == (et(2015, 1, 1), et(2015, 2, 28, 23, 59, 59))
    assert windows[2013].opening_published is True


# --- the window rule, to the second -----------------------------------------------------------------------------


def test_submit_on_the_last_second_succeeds_with_its_own_reference_series(ep):
    reference_issue(year=2014)  # a hardship reference of the same year: another series, its own numbers
    review = complete_review(ep)
    with TestCase.captureOnCommitCallbacks(execute=True):
        submitted, created = services.review_submit(review=review, actor=ep, at=CLOSE_2014)
    assert created
    assert submitted.status == "submitted"
    assert submitted.reference == "IR-2014-000001"
    assert submitted.submitted_at == CLOSE_2014
    assert submitted.submitted_window.closes_at == CLOSE_2014


def test_submit_one_second_after_the_close_is_refused_and_the_draft_is_kept(ep):
    review = complete_review(ep)
    with pytest.raises(services.ReviewWindowClosed) as refused:
        services.review_submit(review=review, actor=ep, at=CLOSE_2014 + dt.timedelta(seconds=1))
    assert str(refused.value) == (
        "The informal review window for the 2014 payment adjustment is not open. "
        "Closed at 11:59:59 p.m. ET on Friday, February 28, 2014."
    )
    review.refresh_from_db()
    assert review.status == "draft" and review.reference is None
    assert review.npis == ["1234567893", "1558598797"]
    assert not OutboundEmail.objects.exists()


def test_the_page_refuses_outside_the_window_and_keeps_what_was_typed(client, ep):
    review = services.review_create(owner=ep, year=year(2013))
    client.force_login(ep)
    with time_machine.travel(et(2015, 3, 1, 0, 0, 0), tick=False):
        response = post_form(client, review, reason="Typed after the close")
    page = response.content.decode()
    assert (
        "Your draft is saved, but it was not submitted. The informal review window for the 2013 payment adjustment "
        "is not open. Closed at 11:59:59 p.m. ET on Saturday, February 28, 2015." in page
    )
    review.refresh_from_db()
    assert review.status == "draft"
    assert review.reason == "Typed after the close"
    assert review.tin == "123456789" and review.npis == ["1234567893", "1558598797"]


def test_the_page_refuses_before_the_window_opens(client, ep):
    review = services.review_create(owner=ep, year=year(2013))
    client.force_login(ep)
    with time_machine.travel(et(2014, 12, 31, 23, 59, 59), tick=False):
        page = post_form(client, review).content.decode()
    assert "Opens at 12:00 a.m. ET on Thursday, January 1, 2015" in page
    review.refresh_from_db()
    assert review.status == "draft"


def test_a_year_without_an_informal_review_window_is_refused_clearly(client, ep):
    review = complete_review(ep, number=2012)
    with pytest.raises(services.ReviewWindowClosed) as refused:
        services.review_submit(review=review, actor=ep, at=et(2012, 6, 1))
    assert "CMS did not publish an informal review window for the 2012 payment adjustment" in str(refused.value)
    client.force_login(ep)
    response = client.post(reverse("exemptions:informal_review_start"), {"year": "2012"}, follow=True)
    assert "CMS did not publish an informal review window for the 2012 payment adjustment" in response.content.decode()
    assert InformalReview.objects.filter(year__year=2012).count() == 1  # only the one made above


def test_starting_after_the_close_is_refused(client, ep):
    client.force_login(ep)
    with time_machine.travel(et(2014, 3, 1), tick=False):
        response = client.post(reverse("exemptions:informal_review_start"), {"year": "2014"}, follow=True)
    assert "Informal reviews of the 2014 adjustment can no longer be started" in response.content.decode()
    assert not InformalReview.objects.exists()


def test_an_incomplete_review_is_refused_with_every_problem(ep):
    review = services.review_create(owner=ep, year=year(2014))
    with pytest.raises(ValidationError) as refused:
        services.review_submit(review=review, actor=ep, at=CLOSE_2014)
    assert refused.value.messages == [
        "Enter the TIN the adjustment was applied to.",
        "Enter at least one NPI.",
        "Explain why you believe the payment adjustment is wrong.",
    ]


def test_bad_npis_and_tin_are_refused_by_the_form(client, ep):
    review = services.review_create(owner=ep, year=year(2014))
    client.force_login(ep)
    response = client.post(edit_url(review), {"tin": "00-1234567", "npis": "1234567890, 12345", "action": "save"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "TIN prefix 00 is never issued for an EIN" in page
    assert "1234567890: This is not a valid NPI" in page and "12345: NPI must be exactly 10 digits" in page


# --- once, and one email of each kind ---------------------------------------------------------------------------


def test_double_post_is_one_submission_and_one_email(client, ep):
    review = services.review_create(owner=ep, year=year(2014))
    client.force_login(ep)
    with time_machine.travel(CLOSE_2014 - dt.timedelta(hours=1), tick=False):
        first = post_form(client, review)
        second = post_form(client, review)
    assert "Informal review IR-2014-000001 submitted" in first.content.decode()
    assert "IR-2014-000001" in second.content.decode()  # the second POST lands on the submitted review
    assert InformalReview.objects.filter(reference__isnull=False).count() == 1
    (email,) = OutboundEmail.objects.all()
    assert email.kind == K.INFORMAL_REVIEW_CONFIRMATION and email.status == "sent"
    assert len(mail.outbox) == 1
    assert email_deliver(email_id=email.pk) == "skipped"  # the task run again sends nothing
    assert len(mail.outbox) == 1


def test_the_confirmation_email_says_what_an_informal_review_is(ep):
    review = complete_review(ep)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.review_submit(review=review, actor=ep, at=CLOSE_2014)
    (message,) = mail.outbox
    assert message.subject == "Received: your informal review of the 2014 eRx payment adjustment IR-2014-000001"
    assert message.to == ["alice@example.org"]
    assert "NPIs: 1234567893, 1558598797" in message.body
    assert "It is not an appeal of a hardship exemption decision: hardship decisions are final." in message.body
    assert "the payment adjustment itself" in message.body
    assert "IR-2014-000001" in message.alternatives[0][0]


def test_a_decision_is_emailed_once_and_is_final(ep, staff_user):
    review = complete_review(ep)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.review_submit(review=review, actor=ep, at=CLOSE_2014)
    services.review_start(review=review, actor=staff_user, at=CLOSE_2014 + dt.timedelta(days=3))
    with TestCase.captureOnCommitCallbacks(execute=True):
        changed = services.review_decide(
            review=review, decision="reverse", actor=staff_user, at=et(2014, 4, 1), message="Claims show the measure."
        )
        again = services.review_decide(
            review=review, decision="reverse", actor=staff_user, at=et(2014, 4, 1), message="Claims show the measure."
        )
    assert (changed, again) == (True, False)
    with pytest.raises(services.DecisionRefused):
        services.review_decide(review=review, decision="uphold", actor=staff_user, at=et(2014, 4, 2), message="No.")
    review.refresh_from_db()
    assert review.status == "reversed" and review.decided_by == staff_user
    decision = OutboundEmail.objects.get(kind=K.INFORMAL_REVIEW_DECISION)
    assert email_deliver(email_id=decision.pk) == "skipped"
    confirmation, message = mail.outbox
    assert message.subject == "Decision on your informal review IR-2014-000001: adjustment reversed"
    assert "The 2014 eRx payment adjustment no longer applies" in message.body
    assert "Claims show the measure." in message.body
    assert "hardship decisions are final" in message.body
    # The audit trail: every change with who made it.
    users = [h.history_user for h in review.history.order_by("history_date")]
    assert users[-2:] == [staff_user, staff_user] and ep in users


def test_a_decision_needs_a_reason(ep, staff_user):
    review = complete_review(ep)
    services.review_submit(review=review, actor=ep, at=CLOSE_2014)
    with pytest.raises(services.DecisionRefused):
        services.review_decide(review=review, decision="uphold", actor=staff_user, at=CLOSE_2014, message="  ")
    review.refresh_from_db()
    assert review.status == "submitted"


def test_an_unverified_account_cannot_submit(ep):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=ep).update(verified=False)
    review = complete_review(ep)
    with pytest.raises(services.NotVerified):
        services.review_submit(review=review, actor=ep, at=CLOSE_2014)
