"""One home for "try a service, then tell the person": the review pages and the EP's answer page agree."""
# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from exemptions.models import Channel, ExemptionRequest, InformationRequest, SubmissionWindow
from exemptions.outcomes import describe_refusal, service_outcome, window_closed_words
from exemptions.selectors.review import stale_message
from exemptions.services import review
from exemptions.services.requests import WindowClosed
from exemptions.windows import window_state
from tests.conftest import et
from tests.helpers import pdf_bytes
from tests.review_fixtures import deny, reviewer, start_review, submitted  # noqa: F401

pytestmark = pytest.mark.django_db
S = ExemptionRequest.Status
PDF = pdf_bytes()


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def http_request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def said(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def refuse():
    raise review.ReviewError("Give the reason.")


def refuse_the_document():
    raise ValidationError("Too many documents.")


def test_success_is_a_success_message_made_from_the_result():
    request = http_request()
    assert service_outcome(request, lambda: 3, refusals=review.ReviewError, success=lambda n: f"{n} done.")
    assert said(request) == [("success", "3 done.")]


def test_a_refusal_without_a_form_is_an_error_message():
    request = http_request()
    ok = service_outcome(request, refuse, refusals=review.REFUSALS, success="never", refused_prefix="Nothing: ")
    assert not ok and said(request) == [("error", "Nothing: Give the reason.")]


def test_a_refusal_with_a_form_is_a_form_error_and_no_message():
    request, form = http_request(), NoteForm({"note": "x"})
    assert form.is_valid()
    assert not service_outcome(request, refuse, refusals=review.ReviewError, success="never", form=form)
    assert form.non_field_errors() == ["Give the reason."] and said(request) == []
    assert not service_outcome(
        request, refuse_the_document, refusals=ValidationError, success="never", form=form, field="note"
    )
    assert form.errors["note"] == ["Too many documents."]


def test_an_unexpected_error_is_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        service_outcome(http_request(), lambda: 1 / 0, refusals=review.REFUSALS, success="never")


def test_every_review_page_reports_a_stale_version_the_same_way(client, reviewer, submitted):
    start_review(submitted, reviewer)
    deny(submitted, reviewer, "tin_npi_mismatch")
    submitted.refresh_from_db()
    stale = submitted.version - 1
    expected = f"Nothing was changed. {stale_message(submitted)}"
    client.force_login(reviewer)
    reopen = client.post(
        reverse("admin:exemptions_review_reopen", args=[submitted.pk]),
        {"reason": "Claims data was wrong.", "version": stale},
        follow=True,
    )
    assert [str(m) for m in reopen.context["messages"]] == [expected]
    submitted.refresh_from_db()
    assert submitted.status == S.DENIED


def test_the_notes_form_and_the_services_word_a_stale_version_alike(client, reviewer, submitted):
    client.force_login(reviewer)
    url = reverse("admin:exemptions_exemptionrequest_change", args=[submitted.pk])
    stale = submitted.version
    review.request_update_notes(exemption=submitted, actor=reviewer, internal_notes="first")
    with pytest.raises(review.StaleRequest) as refused:
        review.request_update_notes(exemption=submitted, actor=reviewer, internal_notes="x", expected_version=stale)
    page = client.post(url, {"internal_notes": "second", "seen_version": stale}).content.decode()
    assert str(refused.value) == stale_message(submitted)
    assert "changed by Rita Reviewer since you opened it" in str(refused.value)
    assert stale_message(submitted) in page


def test_the_ep_answer_page_shows_a_refused_document_on_the_form(client, ep, reviewer, submitted, settings):
    settings.PORTAL_DOCUMENTS_PER_REQUEST = 0
    start_review(submitted, reviewer)
    review.request_ask_for_information(exemption=submitted, actor=reviewer, at=submitted.submitted_at, message="Why?")
    client.force_login(ep)
    url = reverse("exemptions:request_respond", args=[submitted.public_id])
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    page = client.post(url, {"answer": "Because.", "documents": upload})
    assert page.status_code == 200 and "at most 0 documents" in page.content.decode()
    assert not [m for m in page.context["messages"]]
    submitted.refresh_from_db()
    assert submitted.status == S.INFO_REQUESTED
    assert InformationRequest.objects.get(request=submitted).answered_at is None


def test_a_window_that_is_not_open_is_worded_one_way_for_every_page():
    """The EP's submit, the group edit pages and letter generation all word WindowClosed through describe_refusal."""
    letter = SubmissionWindow(channel=Channel.LETTER, opens_at=et(2011, 10, 1), closes_at=et(2011, 11, 1, 23, 59, 59))
    state = window_state(year=1, channel=Channel.LETTER, at=et(2011, 11, 2), windows=[letter])
    assert describe_refusal(WindowClosed(state)) == (
        "The letter window is not open. Closed at 11:59:59 p.m. ET on Tuesday, November 1, 2011."
    )
    online = SubmissionWindow(channel=Channel.ONLINE, opens_at=et(2030, 2, 1), closes_at=et(2030, 3, 14, 23, 59, 59))
    early = window_state(year=1, channel=Channel.ONLINE, at=et(2030, 1, 2), windows=[online])
    assert (
        describe_refusal(WindowClosed(early))
        == window_closed_words(early)
        == ("The online window is not open. Opens at 12:00 a.m. ET on Friday, February 1, 2030.")
    )
    assert describe_refusal(ValidationError(["TIN is missing.", "Add an EP."])) == "TIN is missing. Add an EP."
