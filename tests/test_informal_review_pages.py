# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)
"""Informal review pages: public explanation, owner-only pages and documents, the receipt, the pointer after a
hardship denial, the dashboard and the staff queue."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from exemptions.models import InformalReview, InformalReviewDocument
from exemptions.services import informal_reviews as services
from tests.conftest import et
from tests.helpers import pdf_bytes, pdf_text
from tests.review_fixtures import deny, reviewer, start_review, submit  # noqa: F401
from tests.test_informal_reviews import CLOSE_2014, complete_review

pytestmark = pytest.mark.django_db
START = reverse("exemptions:informal_review_start")


def submitted_review(owner):
    review = complete_review(owner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        submitted, _ = services.review_submit(review=review, actor=owner, at=CLOSE_2014 - dt.timedelta(days=1))
    return submitted


def with_document(review):
    upload = SimpleUploadedFile("claims.pdf", pdf_bytes(), "application/pdf")
    services.review_save_draft(review=review, actor=review.owner, fields={}, documents=[upload])
    return review.documents.get()


def informal_review_world(owner) -> None:
    """An informal review draft with a document and a submitted one (tests/test_security_sweep.py's world)."""
    with_document(complete_review(owner))
    review = complete_review(owner)
    InformalReview.objects.filter(pk=review.pk).update(
        status="submitted", reference=f"IR-2014-{review.pk:06d}", submitted_at=CLOSE_2014
    )


def test_the_public_page_explains_and_shows_each_years_window(client):
    with time_machine.travel(et(2014, 12, 1), tick=False):
        page = client.get(START).content.decode()
    assert "A hardship decision is final." in page
    assert "the eRx payment adjustment itself" in page
    assert "CMS did not publish an informal review window for the 2012 payment adjustment." in page
    assert "CMS did not publish the opening date" in page  # 2014
    assert "11:59 p.m. ET on Friday, February 28, 2014" in page
    assert "Opens at 12:00 a.m. ET on Thursday, January 1, 2015" in page  # 2013, still to come
    assert "Sign in to start an informal review" in page


def test_home_links_to_informal_review(client):
    assert START in client.get(reverse("exemptions:home")).content.decode()


def test_start_creates_a_draft_for_the_owner(client, ep):
    client.force_login(ep)
    with time_machine.travel(et(2014, 2, 1), tick=False):
        response = client.post(START, {"year": "2014"})
    review = InformalReview.objects.get()
    assert response.url == reverse("exemptions:informal_review_edit", args=[review.public_id])
    assert (review.owner, review.year.year, review.status, review.contact_email) == (ep, 2014, "draft", ep.email)


@pytest.mark.parametrize("name", ["informal_review_detail", "informal_review_edit", "informal_review_receipt"])
def test_other_users_get_404_for_someone_elses_review(client, ep, other_ep, name):
    review = submitted_review(ep)
    client.force_login(other_ep)
    assert client.get(reverse(f"exemptions:{name}", args=[review.public_id])).status_code == 404
    assert client.post(reverse("exemptions:informal_review_delete", args=[review.public_id])).status_code == 404


def test_other_users_get_404_for_someone_elses_documents(client, ep, other_ep):
    document = with_document(complete_review(ep))
    client.force_login(other_ep)
    url = reverse("exemptions:informal_review_document", args=[document.public_id])
    assert client.get(url).status_code == 404
    delete = reverse("exemptions:informal_review_document_delete", args=[document.public_id])
    assert client.post(delete).status_code == 404
    assert InformalReviewDocument.objects.count() == 1
    client.force_login(ep)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)  # the file as uploaded (pdf_bytes() stamps the second it is made)
    assert body.startswith(b"%PDF") and hashlib.sha256(body).hexdigest() == document.sha256


def test_a_refused_upload_stores_nothing(client, ep):
    review = complete_review(ep)
    client.force_login(ep)
    fake = SimpleUploadedFile("claims.pdf", b"<html>not a pdf</html>", "application/pdf")
    response = client.post(
        reverse("exemptions:informal_review_edit", args=[review.public_id]),
        {"tin": "12-3456789", "npis": "1234567893", "reason": "x", "action": "save", "documents": fake},
    )
    assert response.status_code == 400
    assert "is not a PDF, PNG or JPEG file" in response.content.decode()
    assert not InformalReviewDocument.objects.exists()


def test_the_receipt_is_a_pdf_with_the_reference_and_a_masked_tin(client, ep):
    review = submitted_review(ep)
    client.force_login(ep)
    response = client.get(reverse("exemptions:informal_review_receipt", args=[review.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = " ".join(pdf_text(response.content).split())
    assert "IR-2014-000001" in text and "TIN XX-XXX6789" in text and "12-3456789" not in text
    assert "1234567893, 1558598797" in text
    assert "hardship decisions are final" in text


def test_the_detail_page_shows_the_reference_and_status(client, ep):
    review = submitted_review(ep)
    client.force_login(ep)
    page = client.get(reverse("exemptions:informal_review_detail", args=[review.public_id])).content.decode()
    assert "Informal review IR-2014-000001" in page and "Status: <strong>Received</strong>" in page
    assert "XX-XXX6789" in page
    assert "hardship decisions are final" in page


def test_the_dashboard_lists_the_persons_informal_reviews(client, ep, other_ep):
    submitted_review(ep)
    complete_review(other_ep)
    client.force_login(ep)
    page = client.get(reverse("exemptions:dashboard")).content.decode()
    assert "My informal reviews" in page and "IR-2014-000001" in page and "Informal review draft" not in page


def test_a_denied_request_points_to_an_informal_review_while_one_is_open_or_upcoming(client, ep, reviewer):
    exemption = submit(ep)  # 2013 adjustment
    start_review(exemption, reviewer)
    deny(exemption, reviewer, "tin_npi_mismatch")
    client.force_login(ep)
    url = reverse("exemptions:request_detail", args=[exemption.public_id])
    with time_machine.travel(et(2014, 12, 1), tick=False):
        upcoming = client.get(url).content.decode()
    with time_machine.travel(et(2015, 2, 28, 23, 59, 59), tick=False):
        open_now = client.get(url).content.decode()
    with time_machine.travel(et(2015, 3, 1), tick=False):
        closed = client.get(url).content.decode()
    link = "Ask for an informal review of the 2013 adjustment"
    assert link in upcoming and "Opens at 12:00 a.m. ET on Thursday, January 1, 2015" in upcoming
    assert "This decision is final." in upcoming
    assert link in open_now and "Open until 11:59:59 p.m. ET on Saturday, February 28, 2015" in open_now
    assert link not in closed


def test_a_request_not_denied_does_not_point_to_informal_review(client, ep):
    exemption = submit(ep)
    client.force_login(ep)
    with time_machine.travel(et(2014, 12, 1), tick=False):
        page = client.get(reverse("exemptions:request_detail", args=[exemption.public_id])).content.decode()
    assert "Ask for an informal review" not in page


# --- staff ------------------------------------------------------------------------------------------------------


def test_staff_queue_lists_submitted_reviews_only(client, ep, reviewer):
    submitted_review(ep)
    complete_review(ep)  # a draft: the EP's own business
    client.force_login(reviewer)
    page = client.get(reverse("admin:exemptions_informalreview_changelist") + "?status__exact=submitted")
    assert page.status_code == 200
    text = page.content.decode()
    assert "IR-2014-000001" in text and "Informal review draft" not in text


def test_staff_decide_with_a_reason_and_the_ep_is_emailed_once(client, ep, reviewer):
    review = submitted_review(ep)
    client.force_login(reviewer)
    url = reverse("admin:exemptions_informal_review_decide", args=[review.pk, "uphold"])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"message": ""})
    assert refused.status_code == 200
    review.refresh_from_db()
    assert review.status == "submitted"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"message": "Our records show no eRx reporting in 2013."})
        client.post(url, {"message": "Our records show no eRx reporting in 2013."})
    review.refresh_from_db()
    assert review.status == "upheld" and review.decided_by == reviewer
    decisions = [m for m in mail.outbox if m.subject.startswith("Decision")]
    assert len(decisions) == 1
    assert decisions[0].subject == "Decision on your informal review IR-2014-000001: adjustment upheld"
    assert "still applies" in decisions[0].body and "Our records show no eRx reporting in 2013." in decisions[0].body
    client.force_login(ep)
    page = client.get(reverse("exemptions:informal_review_detail", args=[review.public_id])).content.decode()
    assert "The 2014 payment adjustment was upheld" in page


def test_an_ep_cannot_reach_the_staff_decision(client, ep):
    review = submitted_review(ep)
    client.force_login(ep)
    response = client.post(reverse("admin:exemptions_informal_review_decide", args=[review.pk, "reverse"]))
    assert response.status_code == 302  # to the admin sign-in
    review.refresh_from_db()
    assert review.status == "submitted"
