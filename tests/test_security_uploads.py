"""Uploads: checked as a set before any file is written, nothing left behind by a refusal, no borrowed extension,
no active content in PDFs; files no row references are found and removed."""

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pikepdf import Array, Dictionary, Name, String

from exemptions.models import (
    AdjustmentYear,
    ExemptionRequest,
    GroupLetter,
    HardshipCategory,
    InformationRequest,
    PrintBatch,
    SupportingDocument,
)
from exemptions.services import media, uploads
from exemptions.services import requests as services
from exemptions.services.requests import document_add, documents_add, request_save_draft, request_submit
from exemptions.services.transitions import apply_transition
from exemptions.services.uploads import atomic_with_files
from exemptions.tasks.media import remove_orphaned_media
from portal.celery import app
from tests.conftest import et
from tests.factories import RequestFactory, complete_draft
from tests.helpers import build_stored_files, form_data, pdf_bytes

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def upload(name="scan.pdf", content=None, content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type)


def big_pdf(name: str, megabytes: float = 6.5) -> SimpleUploadedFile:
    """A valid PDF of about `megabytes` MB (three of them are the ~20 MB of the report)."""
    padding = b"%" + b"0" * int(megabytes * MB) + b"\n"
    return upload(name, pdf_bytes().replace(b"%%EOF", padding + b"%%EOF"))


def files_on_disk(settings, folder="documents") -> list[str]:
    root = Path(settings.MEDIA_ROOT) / folder
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.fixture
def draft(ep):
    return RequestFactory(owner=ep, year=AdjustmentYear.objects.get(year=2013))


def edit_url(exemption) -> str:
    return reverse("exemptions:request_edit", args=[exemption.public_id])


# --- Orphaned uploads fill the disk ---------------------------------------------------------------------------------


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_finding_orphaned_uploads_a_set_refused_by_the_count_limit_leaves_no_file_and_no_row(
    client, ep, draft, settings
):
    """The report: 3 documents on a request that has 3 (limit 5) returned 400 but left their files, every time."""
    for number in range(3):
        document_add(exemption=draft, upload=upload(f"kept{number}.pdf"))
    kept = files_on_disk(settings)
    client.force_login(ep)
    for _attempt in range(3):
        files = [big_pdf(f"new{number}.pdf") for number in range(3)]
        response = client.post(edit_url(draft), {**form_data(), "documents": files})
        assert response.status_code == 400
        assert "A request may have at most 5 documents: it has 3 and you added 3." in response.content.decode()
    assert draft.documents.count() == 3
    assert files_on_disk(settings) == kept and len(kept) == 3


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_finding_orphaned_uploads_an_answer_refused_by_the_count_limit_leaves_no_file(client, ep, staff_user, settings):
    exemption = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    request_submit(exemption=exemption, actor=ep, at=et(2012, 12, 1, 10))
    for number in range(4):
        document_add(exemption=exemption, upload=upload(f"kept{number}.pdf"))
    now = timezone.now()
    apply_transition(exemption=exemption, name="start_review", actor=staff_user, at=now)
    apply_transition(exemption=exemption, name="request_info", actor=staff_user, at=now, message_to_ep="More?")
    InformationRequest.objects.create(request=exemption, asked_by=staff_user, asked_at=now, message="More?")
    client.force_login(ep)
    url = reverse("exemptions:request_respond", args=[exemption.public_id])
    page = client.post(url, {"answer": "Here.", "documents": [upload("a.pdf"), upload("b.pdf")]}).content.decode()
    assert "at most 5 documents: it has 4 and you added 2" in page
    exemption.refresh_from_db()
    assert exemption.status == ExemptionRequest.Status.INFO_REQUESTED
    assert exemption.documents.count() == 4 and len(files_on_disk(settings)) == 4


def test_finding_orphaned_uploads_a_failure_mid_transaction_removes_the_files_already_written(
    draft, ep, settings, monkeypatch
):
    """The documents are written, then the save fails (here: the row's update): no row and no file remain."""

    def fails(locked, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "exemption_save_version", fails)
    with pytest.raises(RuntimeError):
        request_save_draft(exemption=draft, actor=ep, fields={}, documents=[upload("a.pdf"), upload("b.pdf")])
    assert not SupportingDocument.objects.exists()
    assert files_on_disk(settings) == []


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_finding_orphaned_uploads_a_disk_error_on_the_second_file_removes_the_first(draft, settings, monkeypatch):
    storage = SupportingDocument._meta.get_field("file").storage
    real_save, calls = storage._save, []

    def disk_full_on_second(name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_save(name, content)

    monkeypatch.setattr(storage, "_save", disk_full_on_second)
    with pytest.raises(uploads.StoreUnavailable):  # a refusal the page words, not a 500
        documents_add(exemption=draft, uploads=[upload("a.pdf"), upload("b.pdf")])
    assert not SupportingDocument.objects.exists()
    assert files_on_disk(settings) == []


def test_finding_orphaned_uploads_the_page_failing_after_the_save_removes_its_files(
    client, ep, draft, settings, monkeypatch
):
    """Save and submit are one transaction on the edit page: if the submit fails unexpectedly, the saved
    documents are rolled back with it, and so are their files."""

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "request_problems", fails)  # the submit fails after the documents were written
    client.force_login(ep)
    law = HardshipCategory.objects.get(code="law-regulation").pk
    data = {**form_data(action="submit", categories=[law]), "documents": [upload("a.pdf")]}
    with pytest.raises(RuntimeError):
        client.post(edit_url(draft), data)
    assert not SupportingDocument.objects.exists()
    assert files_on_disk(settings) == []


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_an_enclosing_block_that_rolls_back_removes_the_files_of_a_nested_save_that_succeeded(draft, settings):
    with pytest.raises(RuntimeError), atomic_with_files():
        documents_add(exemption=draft, uploads=[upload("a.pdf")])
        assert len(files_on_disk(settings)) == 1
        raise RuntimeError("failed after the documents were saved")
    assert files_on_disk(settings) == []


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_a_removed_document_loses_its_file_only_when_the_removal_commits(
    draft, settings, django_capture_on_commit_callbacks
):
    kept = document_add(exemption=draft, upload=upload("kept.pdf"))
    removed = document_add(exemption=draft, upload=upload("removed.pdf"))
    kept_name, kept_pk = kept.file.name, kept.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        services.document_remove(document=kept)
        raise RuntimeError("rolled back")
    assert exists(settings, kept_name) and SupportingDocument.objects.filter(pk=kept_pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(document=removed)
    assert not exists(settings, removed.file.name)


def test_a_save_refused_because_the_request_was_submitted_writes_no_file(ep, settings):
    exemption = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    request_submit(exemption=exemption, actor=ep, at=et(2012, 12, 1, 10))
    with pytest.raises(services.RequestLocked):
        request_save_draft(exemption=exemption, actor=ep, fields={}, documents=[upload()])
    assert files_on_disk(settings) == []


def test_a_set_is_checked_whole_every_problem_named_and_nothing_written(client, ep, draft, settings):
    client.force_login(ep)
    files = [upload("good.pdf"), upload("notes.pdf", b"MZ" + b"\0" * 100), upload("bad.pdf", b"%PDF-1.7\ngarbage")]
    page = client.post(edit_url(draft), {**form_data(), "documents": files}).content.decode()
    assert "“notes.pdf” is not a PDF, PNG or JPEG file" in page
    assert "“bad.pdf” could not be read as a PDF" in page
    assert not draft.documents.exists() and files_on_disk(settings) == []


def test_the_service_checks_uploads_the_form_never_saw(draft, settings):
    with pytest.raises(ValidationError, match="is not a PDF, PNG or JPEG"):
        documents_add(exemption=draft, uploads=[upload("page.html", b"<html><script>x</script>", "text/html")])
    assert files_on_disk(settings) == []


# --- Files no row references: the command and the weekly job -------------------------------------------------------


def age(settings, name: str, hours: float) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    stamp = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture
def media_files(draft, staff_user, settings):
    """Referenced: a document, a letter, a print batch. Orphans: two old ones, one young (an upload in flight)."""
    document = document_add(exemption=draft, upload=upload())
    letter = GroupLetter(request=draft, version=1, status=GroupLetter.Status.READY, page_count=1)
    letter.file.save("letter.pdf", ContentFile(pdf_bytes()), save=True)
    batch = PrintBatch(created_by=staff_user, status=PrintBatch.Status.READY)
    batch.file.save("batch.pdf", ContentFile(pdf_bytes()), save=True)
    storage = document.file.storage
    old_document = storage.save("documents/0123456789abcdef0123456789abcdef.pdf", ContentFile(b"x" * 2048))
    old_letter = storage.save("letters/fedcba9876543210fedcba9876543210.pdf", ContentFile(b"y" * 100))
    young = storage.save("documents/abcdefabcdefabcdefabcdefabcdefab.pdf", ContentFile(b"z" * 10))
    referenced = [document.file.name, letter.file.name, batch.file.name]
    for name in [*referenced, old_document, old_letter]:
        age(settings, name, hours=3)
    age(settings, young, hours=0.5)  # younger than the grace period
    return {"referenced": referenced, "orphans": [old_document, old_letter], "young": young}


def exists(settings, name: str) -> bool:
    return (Path(settings.MEDIA_ROOT) / name).exists()


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_finding_orphaned_uploads_media_orphans_dry_run_lists_them_with_sizes_and_deletes_nothing(
    media_files, settings
):
    out = io.StringIO()
    call_command("media_orphans", stdout=out)
    listing = out.getvalue()
    old_document, old_letter = media_files["orphans"]
    assert "2,048  " in listing and old_document in listing
    assert old_letter in listing
    assert "2 orphaned file(s)" in listing and "2,148 bytes" in listing and "Dry run: nothing deleted" in listing
    assert media_files["young"] not in listing
    assert not any(name in listing for name in media_files["referenced"])
    assert all(exists(settings, name) for name in [*media_files["orphans"], media_files["young"]])


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_finding_orphaned_uploads_media_orphans_delete_removes_only_orphans_older_than_the_grace_period(
    media_files, settings
):
    out = io.StringIO()
    call_command("media_orphans", "--delete", stdout=out)
    assert "Removed 2 orphaned file(s), 2,148 bytes." in out.getvalue()
    assert not any(exists(settings, name) for name in media_files["orphans"])
    assert exists(settings, media_files["young"])
    assert all(exists(settings, name) for name in media_files["referenced"])
    assert SupportingDocument.objects.count() == 1


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_the_weekly_job_removes_orphans_and_is_safe_to_run_twice(media_files, settings):
    assert remove_orphaned_media() == {"removed": 2, "bytes": 2148}
    assert remove_orphaned_media() == {"removed": 0, "bytes": 0}
    entry = app.conf.beat_schedule["remove-orphaned-media"]
    assert entry["task"] == remove_orphaned_media.name == "exemptions.remove_orphaned_media"
    assert entry["schedule"].day_of_week == {0}  # Sunday, once a week


def test_every_file_field_counts_as_a_reference():
    fields = {(model.__name__, name) for model, name in media.file_fields()}
    assert {("SupportingDocument", "file"), ("GroupLetter", "file"), ("PrintBatch", "file")} <= fields


def test_media_orphans_with_no_media_folder_lists_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "not-created"
    assert list(media.media_orphans(at=timezone.now())) == []


# --- Borrowed extension ---------------------------------------------------------------------------------------------


def test_finding_borrowed_extension_a_pdf_named_html_is_stored_and_downloaded_as_a_pdf(client, ep, staff_user):
    exemption = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    client.force_login(ep)
    law = HardshipCategory.objects.get(code="law-regulation").pk
    poly = upload("poly.html", content_type="text/html")
    client.post(edit_url(exemption), {**form_data(categories=[law]), "documents": poly})
    document = exemption.documents.get()
    assert document.file.name.endswith(".pdf") and document.content_type == "application/pdf"
    assert document.original_name == "poly.html"  # shown as the EP named it
    ep_download = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    assert ep_download["Content-Disposition"] == 'attachment; filename="poly.html.pdf"'
    assert ep_download["Content-Type"] == "application/pdf"
    request_submit(exemption=exemption, actor=ep, at=et(2012, 12, 1, 10))
    build_stored_files(exemption)  # what the worker does after the commit
    client.force_login(staff_user)
    staff_url = reverse("admin:exemptions_review_doc", args=[exemption.pk, document.public_id])
    assert client.get(staff_url)["Content-Disposition"] == 'attachment; filename="poly.html.pdf"'
    bundle = client.get(reverse("admin:exemptions_review_bundle", args=[exemption.pk]))
    content = b"".join(bundle.streaming_content) if bundle.streaming else bundle.content
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "documents/01-poly.html.pdf" in names


@pytest.mark.parametrize(
    ("original", "content_type", "download"),
    [
        ("scan.pdf", "application/pdf", "scan.pdf"),
        ("SCAN.PDF", "application/pdf", "SCAN.PDF"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.png", "image/jpeg", "photo.png.jpg"),
        ("no-extension", "image/png", "no-extension.png"),
        ("evil.exe\r\n", "application/pdf", "evil.exe__.pdf"),
        ("../../etc/passwd", "application/pdf", "_.._etc_passwd.pdf"),
        ("scan.pdf", "", "scan.pdf.bin"),
    ],
)
def test_the_download_name_always_ends_in_the_detected_type(original, content_type, download):
    assert SupportingDocument(original_name=original, content_type=content_type).download_name == download


# --- PDFs with JavaScript or launch actions -------------------------------------------------------------------------


def js(code="app.alert(1)") -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String(code))


def open_action_js(pdf):
    pdf.Root.OpenAction = js()


def names_tree_js(pdf):
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), pdf.make_indirect(js())])))


def launch_link(pdf):
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 10, 10], A=Dictionary(S=Name.Launch))
    pdf.pages[0].Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))


def page_open_action(pdf):
    pdf.pages[0].AA = Dictionary(O=Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit])))


def form_field_script(pdf):
    field = Dictionary(FT=Name.Tx, T=String("amount"), AA=Dictionary(K=js()))
    pdf.Root.AcroForm = Dictionary(Fields=Array([pdf.make_indirect(field)]))


def nested_next_action(pdf):
    pdf.Root.OpenAction = Dictionary(S=Name.GoTo, D=Array([pdf.pages[0].obj, Name.Fit]), Next=js())


@pytest.mark.parametrize(
    ("build", "what"),
    [
        (open_action_js, "JavaScript"),
        (names_tree_js, "JavaScript"),
        (launch_link, "a launch action"),
        (page_open_action, "additional actions (/AA)"),
        (form_field_script, "additional actions (/AA)"),
        (nested_next_action, "JavaScript"),
    ],
)
def test_finding_pdf_javascript_active_content_is_refused_with_a_clear_message(
    client, ep, draft, settings, build, what
):
    client.force_login(ep)
    for compressed in (False, True):  # also hidden in compressed object streams, where no byte search sees it
        evil = upload("invoice.pdf", pdf_bytes(build, compressed=compressed))
        response = client.post(edit_url(draft), {**form_data(), "documents": evil})
        assert response.status_code == 400
        assert f"“invoice.pdf” contains {what}, which a PDF sent to CMS may not" in response.content.decode()
    assert not draft.documents.exists() and files_on_disk(settings) == []


def test_finding_pdf_javascript_an_obfuscated_name_in_a_damaged_file_is_still_found(draft):
    """`/J#53` is `/JS` once parsed; the edit also breaks every xref offset, which qpdf repairs."""
    data = pdf_bytes(open_action_js).replace(b"/JS ", b"/J#53 ")
    assert b"/JS" not in data
    with pytest.raises(ValidationError, match="contains JavaScript"):
        documents_add(exemption=draft, uploads=[upload("invoice.pdf", data)])


def test_plain_links_and_an_open_action_that_only_shows_a_page_are_accepted(draft):
    def benign(pdf):
        pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])
        uri = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=[0, 0, 9, 9],
            A=Dictionary(S=Name.URI, URI=String("https://cms.gov")),
        )
        pdf.pages[0].Annots = Array([uri])

    (document,) = documents_add(exemption=draft, uploads=[upload("letter.pdf", pdf_bytes(benign, pages=2))])
    assert document.content_type == "application/pdf"


def test_an_encrypted_pdf_is_refused_with_a_clear_message(draft, settings):
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(ValidationError, match="“locked.pdf” is password-protected"):
        documents_add(exemption=draft, uploads=[upload("locked.pdf", out.getvalue())])
    assert files_on_disk(settings) == []


def test_a_pdf_too_complex_to_check_is_refused(draft, monkeypatch):
    monkeypatch.setattr(uploads, "PDF_MAX_NODES", 5)
    with pytest.raises(ValidationError, match="too complex to check"):
        documents_add(exemption=draft, uploads=[upload("big.pdf", pdf_bytes(pages=20))])
