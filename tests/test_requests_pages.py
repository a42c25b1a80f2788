"""Dashboard, detail, withdraw, answering staff, documents and who may see what."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from exemptions.models import AdjustmentYear, InformationRequest, StatusChange
from exemptions.services.requests import document_add, request_submit
from exemptions.services.transitions import apply_transition
from tests.conftest import et
from tests.factories import RequestFactory, complete_draft
from tests.helpers import form_data, pdf_bytes

pytestmark = pytest.mark.django_db
PDF = pdf_bytes()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(name="scan.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


@pytest.fixture
def submitted(ep):
    draft = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    with TestCase.captureOnCommitCallbacks(execute=True):  # as a commit would: the receipt and bundle are built
        request_submit(exemption=draft, actor=ep, at=et(2012, 12, 1, 10))
    return draft


def test_dashboard_lists_requests_newest_first_with_window_state(client, ep, submitted):
    practice_draft = complete_draft(owner=ep)
    client.force_login(ep)
    with time_machine.travel(timezone.now(), tick=False):
        page = client.get(reverse("exemptions:dashboard")).content.decode()
    assert page.index("Draft") < page.index("HX-2013-000001")
    assert "Received" in page
    assert "closes in " in page
    assert str(practice_draft.public_id) in page


def test_dashboard_shows_only_my_requests(client, ep, other_ep, submitted):
    client.force_login(other_ep)
    assert "HX-2013-000001" not in client.get(reverse("exemptions:dashboard")).content.decode()


def test_detail_shows_history_and_masks_nothing_but_the_tin_elsewhere(client, ep, submitted):
    client.force_login(ep)
    page = client.get(reverse("exemptions:request_detail", args=[submitted.public_id])).content.decode()
    assert "Request HX-2013-000001" in page and "Status: <strong>Received</strong>" in page
    assert "Submitted (by you)" in page
    assert reverse("exemptions:request_bundle", args=[submitted.public_id]) in page


def test_withdraw_is_recorded_in_the_history(client, ep, submitted):
    client.force_login(ep)
    url = reverse("exemptions:request_withdraw", args=[submitted.public_id])
    client.post(url, {"reason": "Filed twice by mistake"})
    submitted.refresh_from_db()
    assert submitted.status == "withdrawn"
    change = StatusChange.objects.get(request=submitted, to_status="withdrawn")
    assert change.actor == ep and change.message_to_ep == "Filed twice by mistake"
    page = client.get(reverse("exemptions:request_detail", args=[submitted.public_id])).content.decode()
    assert "Withdrawn" in page and "Filed twice by mistake" in page


def test_withdraw_after_a_decision_is_refused(client, ep, staff_user, submitted):
    now = timezone.now()
    apply_transition(exemption=submitted, name="start_review", actor=staff_user, at=now)
    apply_transition(exemption=submitted, name="approve", actor=staff_user, at=now)
    client.force_login(ep)
    response = client.post(reverse("exemptions:request_withdraw", args=[submitted.public_id]), follow=True)
    assert "can no longer be withdrawn" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_the_ep_answers_a_request_for_more_information(client, ep, staff_user, submitted):
    now = timezone.now()
    apply_transition(exemption=submitted, name="start_review", actor=staff_user, at=now)
    apply_transition(
        exemption=submitted,
        name="request_info",
        actor=staff_user,
        at=now,
        message_to_ep="Please send your state board letter.",
        internal_note="looks fine otherwise",
    )
    InformationRequest.objects.create(
        request=submitted,
        asked_by=staff_user,
        asked_at=now,
        message="Please send your state board letter.",
        reply_by=dt.date(2030, 1, 1),
    )
    client.force_login(ep)
    detail = client.get(reverse("exemptions:request_detail", args=[submitted.public_id])).content.decode()
    assert "We need more information" in detail and "state board letter" in detail
    assert "looks fine otherwise" not in detail  # internal notes never reach the EP
    url = reverse("exemptions:request_respond", args=[submitted.public_id])
    client.post(url, {"answer": "Attached.", "documents": upload("board.pdf")})
    submitted.refresh_from_db()
    assert submitted.status == "resubmitted"
    question = submitted.information_requests.get()
    assert question.answer == "Attached." and question.answered_at is not None
    assert list(question.documents.values_list("original_name", flat=True)) == ["board.pdf"]


def test_documents_are_checked_by_content_size_and_count(client, ep, settings):
    draft = RequestFactory(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    client.force_login(ep)
    url = reverse("exemptions:request_edit", args=[draft.public_id])
    exe = upload("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf")
    page = client.post(url, {**form_data(), "documents": exe}).content.decode()
    assert "“invoice.pdf” is not a PDF, PNG or JPEG file (checked by its content" in page
    big = upload("big.pdf", PDF + b"0" * (settings.PORTAL_DOCUMENT_MAX_BYTES + 1 - len(PDF)))
    page = client.post(url, {**form_data(), "documents": big}).content.decode()
    assert "“big.pdf” is 10,485,761 bytes; each document may be at most 10 MB." in page
    files = [upload(f"doc{i}.pdf") for i in range(5)] + [upload("photo.png", PNG, "image/png")]
    page = client.post(url, {**form_data(), "documents": files}).content.decode()
    assert "A request may have at most 5 documents" in page
    assert draft.documents.count() == 0  # the whole save was refused: nothing half-done
    fresh = [upload(f"doc{i}.pdf") for i in range(4)] + [upload("photo.png", PNG, "image/png")]
    client.post(url, {**form_data(), "documents": fresh})
    assert sorted(draft.documents.values_list("content_type", flat=True)) == ["application/pdf"] * 4 + ["image/png"]
    stored = draft.documents.first()
    folder, stored_name = stored.file.name.split("/")
    assert folder == "documents" and "doc0" not in stored_name and re.fullmatch(r"[0-9a-f]{32}\.pdf", stored_name)
    assert len(stored.sha256) == 64


def test_a_document_downloads_for_its_owner_with_safe_headers(client, ep):
    draft = RequestFactory(owner=ep)
    document = document_add(exemption=draft, upload=upload())
    client.force_login(ep)
    response = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_removing_a_document_from_a_draft(client, ep):
    draft = RequestFactory(owner=ep)
    document = document_add(exemption=draft, upload=upload())
    client.force_login(ep)
    client.post(reverse("exemptions:document_delete", args=[document.public_id]))
    assert draft.documents.count() == 0


def test_another_users_request_receipt_and_document_urls_are_404(client, ep, other_ep, submitted):
    document = document_add(exemption=submitted, upload=upload())
    client.force_login(other_ep)
    urls = [
        reverse(name, args=[submitted.public_id])
        for name in (
            "exemptions:request_detail",
            "exemptions:request_edit",
            "exemptions:request_submitted",
            "exemptions:request_delete",
            "exemptions:request_withdraw",
            "exemptions:request_respond",
            "exemptions:request_receipt",
        )
    ]
    urls.append(reverse("exemptions:document_download", args=[document.public_id]))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("exemptions:document_delete", args=[document.public_id])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, submitted):
    for name in ("exemptions:dashboard", "exemptions:request_start"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    for name in ("exemptions:request_detail", "exemptions:request_receipt", "exemptions:request_edit"):
        response = client.get(reverse(name, args=[submitted.public_id]))
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_tins_are_masked_outside_the_form(client, ep, submitted):
    client.force_login(ep)
    page = client.get(reverse("exemptions:request_detail", args=[submitted.public_id])).content.decode()
    assert "XX-XXX6789" in page and not re.search(r"\b12-?3456789\b", page)
    assert not re.search(r"\b12-?3456789\b", client.get(reverse("exemptions:dashboard")).content.decode())


def test_group_page_masks_the_tin_too(client, ep):
    group = RequestFactory(
        owner=ep,
        kind="group",
        tin="123456789",
        group_name="Chesapeake Family Medicine",
        year=AdjustmentYear.objects.get(year=2012),
    )
    client.force_login(ep)
    page = client.get(reverse("exemptions:group_detail", args=[group.public_id])).content.decode()
    assert "Chesapeake Family Medicine" in page
    assert "XX-XXX6789" in page and not re.search(r"\b12-?3456789\b", page)
