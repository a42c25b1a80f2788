"""The staff review screens in the admin, walked with the test client as a reviewer would."""
# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)

import csv
import hashlib
import io
import re
import zipfile

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exemptions.models import AdjustmentYear, ExemptionRequest, SubmissionWindow
from exemptions.services import review
from tests.helpers import build_stored_files
from tests.review_fixtures import (  # noqa: F401
    administrator,
    approve,
    deny,
    reviewer,
    second_reviewer,
    start_review,
    submit,
    submitted,
)

pytestmark = pytest.mark.django_db
S = ExemptionRequest.Status
FENCE = ("SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL")


def change_url(obj):
    return reverse("admin:exemptions_exemptionrequest_change", args=[obj.pk])


def decide_url(obj, decision):
    return reverse("admin:exemptions_review_decide", args=[obj.pk, decision])


def private_no_store(response) -> bool:
    """The download helper's cache headers (the admin adds its own never-cache directives to them)."""
    return {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_anonymous_staff_pages_redirect_to_the_admin_login(client, submitted):
    for url in [
        reverse("admin:exemptions_exemptionrequest_changelist"),
        change_url(submitted),
        decide_url(submitted, "approve"),
        reverse("admin:exemptions_exemptionrequest_export"),
        reverse("admin:exemptions_review_bundle", args=[submitted.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_ep_cannot_reach_the_staff_pages(client, ep, submitted):
    client.force_login(ep)
    response = client.get(change_url(submitted))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_list_shows_working_columns_with_masked_tins(client, reviewer, submitted):
    client.force_login(reviewer)
    page = client.get(reverse("admin:exemptions_exemptionrequest_changelist")).content.decode()
    assert submitted.reference in page and "XX-XXX6789" in page
    assert not re.search(r"\b12-?3456789\b", page)  # the full TIN (the NPI 1234567893 contains its digits)
    assert "Submitted" in page and "1234567893" in page


@pytest.mark.parametrize(
    "term", ["1558598797", "98-7654321", "HX-2013-000002", "hx-2013-000002", "carol", "CAROL@clinic.example"]
)
def test_search_finds_by_npi_tin_reference_name_and_email(client, ep, reviewer, term):
    submit(ep)  # HX-2013-000001, not matching
    wanted = submit(ep, npis=("1234567893", "1558598797"), tin="987654321", contact_email="carol@clinic.example")
    ExemptionRequest.objects.filter(pk=wanted.pk).update(display_name="Dr Carol Chen")
    client.force_login(reviewer)
    response = client.get(reverse("admin:exemptions_exemptionrequest_changelist"), {"q": term})
    shown = list(response.context["cl"].result_list)
    assert shown == [ExemptionRequest.objects.get(pk=wanted.pk)]


def test_the_list_runs_the_same_few_queries_whatever_the_number_of_rows(client, ep, reviewer):
    url = reverse("admin:exemptions_exemptionrequest_changelist")
    client.force_login(reviewer)
    counts = []
    for _ in range(2):
        for _ in range(4):
            obj = submit(ep)
            start_review(obj, reviewer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"status__exact": "under_review"}).status_code == 200
        # Inside the test's transaction the capped count is fenced by a savepoint; those statements are not queries.
        counts.append(len([q for q in queries.captured_queries if not q["sql"].startswith(FENCE)]))
    assert counts[0] == counts[1] and counts[0] <= 10


def test_a_reviewer_cannot_edit_years_or_windows_nor_delete(client, reviewer, submitted):
    client.force_login(reviewer)
    window = SubmissionWindow.objects.first()
    year = AdjustmentYear.objects.first()
    for url in [
        reverse("admin:exemptions_submissionwindow_change", args=[window.pk]),
        reverse("admin:exemptions_adjustmentyear_change", args=[year.pk]),
        reverse("admin:exemptions_hardshipcategory_changelist"),
        reverse("admin:exemptions_exemptionrequest_delete", args=[submitted.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    changelist = client.get(reverse("admin:exemptions_exemptionrequest_changelist"))
    assert "delete_selected" not in changelist.content.decode()


def test_nobody_can_delete_a_submitted_request(admin_client, submitted):
    assert admin_client.get(reverse("admin:exemptions_exemptionrequest_delete", args=[submitted.pk])).status_code == 403
    response = admin_client.post(
        reverse("admin:exemptions_exemptionrequest_changelist"),
        {"action": "delete_selected", "_selected_action": [submitted.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert ExemptionRequest.objects.filter(pk=submitted.pk).exists()


def test_submitted_data_is_read_only_and_notes_are_optimistically_locked(client, reviewer, second_reviewer, submitted):
    client.force_login(reviewer)
    page = client.get(change_url(submitted))
    assert page.status_code == 200
    version = page.context["adminform"].form.initial["seen_version"]
    response = client.post(
        change_url(submitted),
        {"internal_notes": "Phoned the practice.", "seen_version": version, "tin": "000000000", "justification": "x"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.internal_notes == "Phoned the practice."
    assert submitted.tin == "123456789" and submitted.justification == "State law prevented e-prescribing."
    client.force_login(second_reviewer)
    stale = client.post(change_url(submitted), {"internal_notes": "Overwrite!", "seen_version": version})
    assert stale.status_code == 200
    assert "changed by Rita Reviewer since you opened it" in stale.content.decode()
    submitted.refresh_from_db()
    assert submitted.internal_notes == "Phoned the practice."


def test_walk_the_review_flow_with_a_preview_of_the_ep_email(
    client, ep, reviewer, submitted, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    assert "Start review" in client.get(change_url(submitted)).content.decode()
    client.post(reverse("admin:exemptions_review_start", args=[submitted.pk]), {"version": submitted.version})
    submitted.refresh_from_db()
    assert submitted.status == S.UNDER_REVIEW and submitted.assigned_reviewer == reviewer

    form_page = client.get(decide_url(submitted, "deny"))
    assert form_page.status_code == 200 and "TIN/NPI does not match claims" in form_page.content.decode()
    data = {
        "version": submitted.version,
        "reason_code": "tin_npi_mismatch",
        "message": "",
        "internal_note": "INTERNAL: checked PECOS",
    }
    preview = client.post(decide_url(submitted, "deny"), {**data, "_preview": "1"})
    text = preview.content.decode()
    subject = preview.context["preview"]["subject"]
    assert subject == f"Decision: DENIED. Your 2013 eRx hardship exemption request {submitted.reference}"
    assert "do not match the Medicare Part B claims" in text and "INTERNAL" not in preview.context["preview"]["body"]
    submitted.refresh_from_db()
    assert submitted.status == S.UNDER_REVIEW  # a preview changes nothing

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decide_url(submitted, "deny"), {**data, "_confirm": "1"}, follow=True)
    assert any("denied" in m for m in messages_of(done))
    submitted.refresh_from_db()
    assert submitted.status == S.DENIED and submitted.decision_reason_code == "tin_npi_mismatch"
    (email,) = mail.outbox
    assert email.subject == subject and email.body == preview.context["preview"]["body"].replace(
        preview.context["preview"]["body"].split("Decided: ")[1].split("\n")[0],
        email.body.split("Decided: ")[1].split("\n")[0],
    )
    assert "INTERNAL" not in email.body
    history = client.get(change_url(submitted)).content.decode()
    assert "INTERNAL: checked PECOS" in history  # staff see their note in the status history

    client.force_login(ep)
    dashboard = client.get(reverse("exemptions:dashboard")).content.decode()
    assert "Denied" in dashboard and "do not match the Medicare Part B claims" in dashboard


def test_a_second_reviewer_confirming_later_reads_already_decided(client, reviewer, second_reviewer, submitted):
    start_review(submitted, reviewer)
    submitted.refresh_from_db()
    data = {"version": submitted.version, "reason_code": "hardship_verified", "message": "", "internal_note": ""}
    approve(submitted, reviewer, expected_version=submitted.version)
    client.force_login(second_reviewer)
    response = client.post(decide_url(submitted, "approve"), {**data, "_confirm": "1"}, follow=True)
    assert any("already decided by Rita Reviewer" in m for m in messages_of(response))


def test_deny_without_a_reason_is_refused_in_the_form(client, reviewer, submitted):
    start_review(submitted, reviewer)
    submitted.refresh_from_db()
    client.force_login(reviewer)
    response = client.post(
        decide_url(submitted, "deny"),
        {"version": submitted.version, "reason_code": "", "message": "", "_confirm": "1"},
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == S.UNDER_REVIEW


def test_bulk_actions_report_changed_and_skipped(client, ep, reviewer, django_capture_on_commit_callbacks):
    ready = [submit(ep) for _ in range(2)]
    untouched = submit(ep)
    client.force_login(reviewer)
    url = reverse("admin:exemptions_exemptionrequest_changelist")
    ids = [o.pk for o in ready]
    response = client.post(url, {"action": "assign_to_me", "_selected_action": ids}, follow=True)
    assert any("2 requests assigned to you" in m for m in messages_of(response))
    for obj in ready:
        start_review(obj, reviewer)
    all_ids = [*ids, untouched.pk]
    first = client.post(url, {"action": "deny_selected", "_selected_action": all_ids})
    assert first.status_code == 200 and "Reason" in first.content.decode()
    form = {
        "action": "deny_selected",
        "_selected_action": all_ids,
        "_bulk": "1",
        "reason_code": "no_answer",
        "message": "",
    }
    preview = client.post(url, {**form, "_preview": "1"})
    assert "Decision: DENIED." in preview.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**form, "_confirm": "1"}, follow=True)
    assert any(
        f"2 requests denied. 1 skipped: {untouched.reference} (status submitted)" in m for m in messages_of(done)
    )
    assert sorted(m.subject.rsplit(" ", 1)[1] for m in mail.outbox) == sorted(o.reference for o in ready)


def test_export_streams_every_matching_row_with_masked_tins(client, ep, reviewer, administrator):
    objs = [submit(ep) for _ in range(3)]
    url = reverse("admin:exemptions_exemptionrequest_export")
    client.force_login(reviewer)
    response = client.get(url, {"status__exact": "submitted"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Reference" and sorted(r[0] for r in rows[1:]) == sorted(o.reference for o in objs)
    assert {r[7] for r in rows[1:]} == {"XX-XXX6789"}
    client.force_login(administrator)
    rows = list(csv.reader(io.StringIO(b"".join(client.get(url).streaming_content).decode())))
    assert {r[7] for r in rows[1:]} == {"12-3456789"}


def test_the_history_is_visible_and_read_only(client, reviewer, submitted):
    review.request_update_notes(exemption=submitted, actor=reviewer, internal_notes="first note")
    client.force_login(reviewer)
    url = reverse("admin:exemptions_exemptionrequest_history", args=[submitted.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Rita Reviewer" in page.content.decode()
    record = submitted.history.first()
    form_url = reverse("admin:exemptions_exemptionrequest_simple_history", args=[submitted.pk, record.history_id])
    assert client.post(form_url, {"internal_notes": "rewritten"}).status_code == 403


def test_an_extension_granted_from_the_review_screen(client, ep, reviewer):
    from tests.factories import complete_draft

    draft = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2012))
    client.force_login(reviewer)
    url = reverse("admin:exemptions_review_extension", args=[draft.pk])
    response = client.post(
        url, {"exemptions": [draft.pk], "until": "2030-11-10T23:59", "reason": "The page was down on deadline day."}
    )
    assert response.status_code == 302
    extension = draft.extensions.get()
    assert extension.granted_by == reviewer and timezone.localtime(extension.until).second == 59
    client.force_login(ep)
    page = client.get(reverse("exemptions:dashboard")).content.decode()
    assert "extended for you" in page or "closes in" in page


def test_the_audit_bundle_for_staff_and_for_the_owner_only(client, ep, other_ep, reviewer, submitted):
    start_review(submitted, reviewer)
    deny(submitted, reviewer, "no_answer", internal_note="HIDDEN-NOTE")
    build_stored_files(submitted)
    client.force_login(reviewer)
    staff = client.get(reverse("admin:exemptions_review_bundle", args=[submitted.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(staff.streaming_content)))
    names = archive.namelist()
    assert f"request-{submitted.reference}.pdf" in names and "status-history.csv" in names
    history = archive.read("status-history.csv").decode()
    assert "Denied" in history and "HIDDEN-NOTE" not in history
    ep_url = reverse("exemptions:request_bundle", args=[submitted.public_id])
    client.force_login(other_ep)
    assert client.get(ep_url).status_code == 404
    client.force_login(ep)
    mine = client.get(ep_url)
    assert mine.status_code == 200 and re.search(r"audit-bundle-HX-2013-\d+\.zip", mine["Content-Disposition"])
    client.logout()
    assert client.get(ep_url).status_code == 302


def test_request_more_information_needs_a_message_and_a_reply_by_date(
    client, ep, reviewer, submitted, django_capture_on_commit_callbacks
):
    start_review(submitted, reviewer)
    submitted.refresh_from_db()
    client.force_login(reviewer)
    url = decide_url(submitted, "request_info")
    base = {"version": submitted.version, "reason_code": "info_other", "message": "", "internal_note": ""}
    refused = client.post(url, {**base, "reply_by": "", "_confirm": "1"})
    assert refused.status_code == 200 and refused.context["form"].errors.keys() == {"message", "reply_by"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**base, "message": "Send the board letter.", "reply_by": "2030-01-15", "_confirm": "1"})
    submitted.refresh_from_db()
    assert submitted.status == S.INFO_REQUESTED
    question = submitted.information_requests.get()
    assert question.message == "Send the board letter." and str(question.reply_by) == "2030-01-15"
    (email,) = mail.outbox
    assert email.subject.startswith("Action needed: CMS needs more information")
    assert "Please answer by: January 15, 2030" in email.body and "Send the board letter." in email.body


def test_the_filters_and_the_date_hierarchy_list_their_choices(client, ep, reviewer, second_reviewer):
    older, newer = submit(ep), submit(ep)
    ExemptionRequest.objects.filter(pk=newer.pk).update(submitted_at=timezone.now().replace(year=2013, month=5))
    client.force_login(reviewer)
    url = reverse("admin:exemptions_exemptionrequest_changelist")
    page = client.get(url).content.decode()
    assert "submitted_at__year=2012" in page and "submitted_at__year=2013" in page
    assert "Rita Reviewer" in page and "Sam Second" in page and "Assigned to me" in page
    assert "2013 Online request" in page and "2012" in page
    year_page = client.get(url, {"submitted_at__year": "2012"})
    assert list(year_page.context["cl"].result_list) == [older]
    assert "submitted_at__month=12" in year_page.content.decode()


def test_staff_download_documents_and_letters_of_the_request_they_view_only(client, ep, reviewer, submitted):
    from django.core.files.base import ContentFile

    from exemptions.models import GroupLetter, SupportingDocument

    other = submit(ep, tin="987654321")
    document = SupportingDocument(
        request=submitted,
        original_name="scan.pdf",
        content_type="application/pdf",
        size=15,
        sha256=hashlib.sha256(b"%PDF-1.4\n%%EOF\n").hexdigest(),  # checked on every download
    )
    document.file.save("x", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    document.save()
    letter = GroupLetter(request=submitted, version=2, status=GroupLetter.Status.READY, page_count=1)
    letter.file.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"), save=False)
    letter.save()
    unrendered = GroupLetter.objects.create(request=submitted, version=3, page_count=0)
    client.force_login(reviewer)
    doc_url = reverse("admin:exemptions_review_doc", args=[submitted.pk, document.public_id])
    letter_url = reverse("admin:exemptions_review_letter", args=[submitted.pk, letter.public_id])
    for url, content, filename in [
        (doc_url, b"%PDF-1.4\n%%EOF\n", "scan.pdf"),
        (letter_url, b"%PDF-1.4 letter", f"{submitted.reference}-letter-v2.pdf"),  # GroupLetter.download_name
    ]:
        response = client.get(url)
        assert b"".join(response.streaming_content) == content
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert response["X-Content-Type-Options"] == "nosniff" and private_no_store(response)
    client.raise_request_exception = False
    for url in [
        reverse("admin:exemptions_review_doc", args=[other.pk, document.public_id]),
        reverse("admin:exemptions_review_letter", args=[other.pk, letter.public_id]),
        reverse("admin:exemptions_review_letter", args=[submitted.pk, unrendered.public_id]),
    ]:
        assert client.get(url).status_code == 404, url


def test_the_staff_audit_bundle_has_the_download_headers(client, reviewer, submitted):
    build_stored_files(submitted)
    client.force_login(reviewer)
    response = client.get(reverse("admin:exemptions_review_bundle", args=[submitted.pk]))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="audit-bundle-{submitted.reference}.zip"'
    assert response["X-Content-Type-Options"] == "nosniff" and private_no_store(response)
