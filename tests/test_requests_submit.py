"""Submitting: only inside the window (checked at the second on the server), once, with a receipt."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import TestCase
from django.urls import reverse

from exemptions.models import AdjustmentYear, ExemptionRequest, HardshipCategory, OutboundEmail, StatusChange
from exemptions.services.requests import WindowClosed, request_submit
from tests.conftest import et
from tests.factories import UserFactory, complete_draft
from tests.helpers import ep_row, form_data, pdf_bytes, pdf_text, post_steps

pytestmark = pytest.mark.django_db
CLOSE_2013 = et(2013, 1, 31, 23, 59, 59)


@pytest.fixture
def draft2013(ep):
    return complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))


def submit_url(obj):
    """The whole request in one POST (a tab opened before the steps): it still saves and submits the same way."""
    return reverse("exemptions:request_edit", args=[obj.public_id])


def post_submit(client, obj, **fields):
    """Walk the steps with these answers, then Submit on the summary."""
    law = HardshipCategory.objects.get(code="law-regulation").pk
    # Test transactions never commit: run the on_commit callbacks (the email publish) as a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return post_steps(client, obj, form_data(action="submit", categories=[law], **fields))


def test_submit_one_second_before_the_close_succeeds(client, ep, draft2013):
    client.force_login(ep)
    with time_machine.travel(CLOSE_2013 - dt.timedelta(seconds=1), tick=False):
        response = post_submit(client, draft2013)
    draft2013.refresh_from_db()
    assert draft2013.status == "submitted"
    assert draft2013.reference == "HX-2013-000001"
    assert draft2013.submitted_at == CLOSE_2013 - dt.timedelta(seconds=1)
    assert draft2013.submitted_window.label == "second window"
    page = response.content.decode()
    assert "Your request was submitted" in page and "HX-2013-000001" in page
    # time_left_until counts the last minute as "1 minute"
    assert "Received at 11:59:58 p.m. ET on Thursday, January 31, 2013, 1 minute before the close at 11:59:59" in page


def test_submit_one_second_after_the_close_is_refused_and_the_draft_is_intact(client, ep, draft2013):
    client.force_login(ep)
    with time_machine.travel(CLOSE_2013 + dt.timedelta(seconds=1), tick=False):
        response = post_submit(client, draft2013, justification="Edited at the last second")
    draft2013.refresh_from_db()
    assert draft2013.status == "draft" and draft2013.reference is None
    assert draft2013.justification == "Edited at the last second"  # the edit was kept
    page = response.content.decode()
    assert "Your draft is saved, but it was not submitted. The online window is not open." in page
    assert "Closed at 11:59:59 p.m. ET on Thursday, January 31, 2013" in page
    assert not OutboundEmail.objects.exists()


def test_window_closing_while_the_ep_edits_keeps_the_draft_and_documents(client, ep, draft2013):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ep)
    pdf = SimpleUploadedFile("letter.pdf", pdf_bytes(), "application/pdf")
    with time_machine.travel(CLOSE_2013 - dt.timedelta(minutes=5), tick=False):
        client.post(submit_url(draft2013), {**form_data(), "documents": pdf})
    with time_machine.travel(CLOSE_2013 + dt.timedelta(seconds=30), tick=False):
        post_submit(client, draft2013)
    draft2013.refresh_from_db()
    assert draft2013.status == "draft"
    assert list(draft2013.documents.values_list("original_name", flat=True)) == ["letter.pdf"]


def submit_page(client, user, draft, at) -> str:
    """What `user` sees after pressing Submit on `draft` at `at`."""
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        return post_submit(client, draft).content.decode()


def still_a_draft(draft) -> bool:
    draft.refresh_from_db()
    return draft.status == "draft"


def test_before_the_window_opens_the_page_says_when_it_opens(client, ep):
    draft = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2014))
    page = submit_page(client, ep, draft, et(2013, 5, 1))
    assert "Opens at 12:00 a.m. ET on Wednesday, May 22, 2013" in page
    assert still_a_draft(draft)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attested": ""}, "Check the attestation box to submit."),
        ({"justification": "   "}, "Justification is required to submit"),
        ({"tin": ""}, "TIN is required to submit."),
        ({"contact_phone": ""}, "Phone is required to submit."),
        ({"eps": [ep_row(city="")]}, "EP 1, City: City is required to submit."),
    ],
)
def test_incomplete_submissions_are_refused_clearly(client, ep, draft2013, fields, message):
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 1), tick=False):
        response = client.post(
            submit_url(draft2013),
            form_data(action="submit", categories=[], **fields)
            | (
                {}
                if "categories" in fields
                else {"categories": [str(HardshipCategory.objects.get(code="law-regulation").pk)]}
            ),
        )
    assert message in response.content.decode()
    draft2013.refresh_from_db()
    assert draft2013.status == "draft"


def test_cehrt_id_is_required_for_the_ehr_categories(client, ep, draft2013):
    client.force_login(ep)
    ehr = HardshipCategory.objects.get(code="ehr-cehrt").pk
    with time_machine.travel(et(2012, 12, 1), tick=False):
        page = client.post(submit_url(draft2013), form_data(action="submit", categories=[ehr])).content.decode()
        assert "CEHRT certification ID is required for: Registered for the EHR Incentive Program" in page
        post = form_data(action="submit", categories=[ehr], cehrt_id="A014E01O3PVCEAS")
        client.post(submit_url(draft2013), post)
    draft2013.refresh_from_db()
    assert draft2013.status == "submitted" and draft2013.cehrt_id == "A014E01O3PVCEAS"


def test_an_unverified_email_cannot_submit_and_is_told_how(client, draft2013):
    user = UserFactory(email="new@example.org", verified=False)
    draft2013.owner = user
    draft2013.save()
    page = submit_page(client, user, draft2013, et(2012, 12, 1))
    assert "Confirm your email address before submitting" in page
    assert still_a_draft(draft2013)


def test_a_submitted_request_is_locked(client, ep, draft2013):
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 1), tick=False):
        post_submit(client, draft2013)
        response = client.post(submit_url(draft2013), form_data(justification="changed"))
    assert response.status_code == 302
    assert response.url == reverse("exemptions:request_detail", args=[draft2013.public_id])
    draft2013.refresh_from_db()
    assert draft2013.justification == "State law."  # as submitted, not "changed"


def test_double_submit_creates_one_submission_and_one_email(client, ep, draft2013):
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 1), tick=False):
        post_submit(client, draft2013)
        second = post_submit(client, draft2013)
        _, created = request_submit(exemption=draft2013, actor=ep, at=et(2012, 12, 1, 0, 1))
    assert not created
    assert "HX-2013-000001" in second.content.decode()  # the detail page of the one submission
    assert ExemptionRequest.objects.filter(reference__isnull=False).count() == 1
    assert StatusChange.objects.filter(request=draft2013, to_status="submitted").count() == 1
    assert OutboundEmail.objects.filter(kind="confirmation").count() == 1
    assert len(mail.outbox) == 1


def test_references_are_sequential_per_year_and_never_reused(ep):
    year = AdjustmentYear.objects.get(year=2013)
    at = et(2012, 12, 1)
    first = complete_draft(owner=ep, year=year)
    second = complete_draft(owner=ep, year=year)
    request_submit(exemption=first, actor=ep, at=at)
    with pytest.raises(RuntimeError), transaction.atomic():
        third = complete_draft(owner=ep, year=year)
        request_submit(exemption=third, actor=ep, at=at)
        raise RuntimeError("rolled back after issuing a number")
    request_submit(exemption=second, actor=ep, at=at)
    assert (first.reference, second.reference) == ("HX-2013-000001", "HX-2013-000002")


def test_confirmation_email_content(client, ep, draft2013):
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 3, 14, 5, 9), tick=False):
        post_submit(client, draft2013)
    (email,) = mail.outbox
    draft2013.refresh_from_db()
    assert email.subject == "Received: your 2013 eRx hardship exemption request HX-2013-000001"
    assert email.to == ["alice@example.org"]
    assert "Reference: HX-2013-000001" in email.body
    assert "Submitted: 2:05:09 p.m. ET on Monday, December 3, 2012" in email.body
    assert "Received: 59 days before the close at 11:59:59 p.m. ET on Thursday, January 31, 2013" in email.body
    assert "Unable to e-prescribe because of local, state or federal law or regulation" in email.body
    assert f"/requests/{draft2013.public_id}/" in email.body
    html = email.alternatives[0][0]
    assert "HX-2013-000001" in html and "This is a receipt, not a decision." in html


def test_a_rolled_back_submission_sends_nothing(ep, draft2013):
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            request_submit(exemption=draft2013, actor=ep, at=et(2012, 12, 1))
            raise RuntimeError("something later in the same transaction failed")
    assert callbacks == []
    draft2013.refresh_from_db()
    assert draft2013.status == "draft"
    assert len(mail.outbox) == 0 and not OutboundEmail.objects.exists()


def test_service_refuses_a_closed_window_with_the_reason(ep, draft2013):
    with pytest.raises(WindowClosed) as closed:
        request_submit(exemption=draft2013, actor=ep, at=et(2013, 3, 1))
    assert closed.value.state.describe() == "Closed at 11:59:59 p.m. ET on Thursday, January 31, 2013"


def test_html_in_every_field_is_escaped_in_email_and_receipt(client, ep, draft2013):
    evil = "<b>bold</b><script>alert(1)</script>"
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 1), tick=False):
        post_submit(client, draft2013, justification=evil, eps=[ep_row(name=evil)])
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    receipt = client.get(reverse("exemptions:request_receipt", args=[draft2013.public_id]))
    text = pdf_text(b"".join(receipt.streaming_content))
    assert "<b>bold</b><script>alert(1)</script>" in text  # shown literally, not interpreted


def test_receipt_pdf_renders_non_latin_names(client, ep, draft2013):
    names = ["José Núñez", "Zoë Ørsted", "王小明"]
    eps = [ep_row(npi=n, name=name) for n, name in zip(["1234567893", "1558598797", "1528060837"], names, strict=True)]
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 1, 9, 30), tick=False):
        post_submit(client, draft2013, eps=eps)
    response = client.get(reverse("exemptions:request_receipt", args=[draft2013.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="receipt-HX-2013-000001.pdf"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    text = pdf_text(content)
    for name in names:
        assert name in text
    assert "HX-2013-000001" in text and "9:30 a.m. ET on Saturday, December 1, 2012" in text
    assert "XX-XXX6789" in text and "123456789" not in text.replace("1234567893", "")
    fonts = _font_names(content)
    assert any("DejaVu" in f for f in fonts) and any("Droid" in f for f in fonts), fonts


def _font_names(content: bytes) -> set[str]:
    import io

    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names
