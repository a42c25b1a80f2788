"""Private files in an S3-compatible bucket (the loopback test server of tests/storage.py): round trips through the
views, the bucket down on upload and on a render, objects deleted or changed behind the portal's back, the copy
from disk to bucket, and credentials the bucket refuses."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from exemptions.documents import rendering
from exemptions.models import AdjustmentYear, ExemptionRequest, GroupLetter, HardshipCategory, StoredFile
from exemptions.services.drain import publish_lost_work
from exemptions.services.groups import letter_generate
from exemptions.services.render_queue import REPUBLISH_AFTER
from exemptions.services.requests import documents_add
from portal.storage import default_storage_config, storage_credentials_check
from tests.factories import RequestFactory, complete_draft
from tests.helpers import form_data, pdf_bytes
from tests.storage import BUCKET, closed_port, storage_config
from tests.test_groups_support import complete_group, generate
from tests.test_stored_files import submit

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def upload(name="scan.pdf", content=None):
    return SimpleUploadedFile(name, content or pdf_bytes(), "application/pdf")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def in_bucket(server, name: str) -> bytes:
    return server.client().get_object(Bucket=BUCKET, Key=name)["Body"].read()


def bucket_down(settings) -> None:
    """The portal's bucket at a loopback port nothing listens on: every call is refused at once."""
    settings.STORAGES = {**settings.STORAGES, "default": storage_config(_url_at_closed_port())}


def _url_at_closed_port() -> str:
    return f"s3+http://key:secret@127.0.0.1:{closed_port()}/{BUCKET}?region=us-east-1"


@pytest.fixture
def draft(ep):
    return RequestFactory(owner=ep, year=AdjustmentYear.objects.get(year=2013), justification="Typed before.")


def edit_url(exemption) -> str:
    return reverse("exemptions:request_edit", args=[exemption.public_id])


def stored_document(ep, bucket):
    draft = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    return documents_add(exemption=draft, uploads=[upload()])[0]


# --- Round trips through the views --------------------------------------------------------------------------------


def test_a_document_uploaded_through_the_page_is_kept_private_in_the_bucket_and_downloads_intact(client, ep, bucket):
    exemption = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    client.force_login(ep)
    law = HardshipCategory.objects.get(code="law-regulation").pk
    content = pdf_bytes(pages=2)
    client.post(edit_url(exemption), {**form_data(categories=[law]), "documents": upload("scan.pdf", content)})
    document = exemption.documents.get()
    assert in_bucket(bucket, document.file.name) == content
    grants = bucket.client().get_object_acl(Bucket=BUCKET, Key=document.file.name)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers / AuthenticatedUsers grant

    response = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    assert response.status_code == 200 and body(response) == content
    assert response["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    assert response["Cache-Control"] == "private, no-store"


def test_another_ep_cannot_download_a_document_kept_in_the_bucket(client, ep, other_ep, bucket):
    document = stored_document(ep, bucket)
    client.force_login(other_ep)
    assert client.get(reverse("exemptions:document_download", args=[document.public_id])).status_code == 404


def test_a_group_letter_is_rendered_into_the_bucket_and_downloaded_from_it(client, ep, bucket):
    letter = generate(complete_group(owner=ep), ep)  # small: rendered right after commit, stored in the bucket
    stored = in_bucket(bucket, letter.file.name)
    assert letter.status == GroupLetter.Status.READY and hashlib.sha256(stored).hexdigest() == letter.sha256
    client.force_login(ep)
    response = client.get(reverse("exemptions:group_letter_download", args=[letter.public_id]))
    assert response.status_code == 200 and body(response) == stored


def test_a_receipt_and_its_bundle_are_built_into_the_bucket_and_downloaded_from_it(client, ep, bucket):
    exemption = submit(ep)
    receipt = StoredFile.objects.get(request=exemption, kind=StoredFile.Kind.RECEIPT, status="ready")
    bundle = StoredFile.objects.get(request=exemption, kind=StoredFile.Kind.BUNDLE, status="ready")
    assert hashlib.sha256(in_bucket(bucket, receipt.file.name)).hexdigest() == receipt.sha256
    assert hashlib.sha256(in_bucket(bucket, bundle.file.name)).hexdigest() == bundle.sha256
    client.force_login(ep)
    response = client.get(reverse("exemptions:request_receipt", args=[exemption.public_id]))
    assert response.status_code == 200 and hashlib.sha256(body(response)).hexdigest() == receipt.sha256


# --- The bucket down ----------------------------------------------------------------------------------------------


def test_an_upload_while_the_bucket_is_down_is_refused_with_a_message_and_what_was_typed_is_kept(
    client, ep, draft, settings
):
    bucket_down(settings)
    client.force_login(ep)
    data = {**form_data(justification="Typed while the store was down."), "documents": upload("scan.pdf")}
    response = client.post(edit_url(draft), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "could not be stored just now" in page
    assert "Typed while the store was down." in page  # still on the page, to save again
    draft.refresh_from_db()
    assert draft.justification == "Typed before." and not draft.documents.exists()  # the draft is as it was


def test_a_letter_whose_store_fails_on_the_bucket_is_published_again_by_the_drain_and_stored(ep, bucket, settings):
    good = settings.STORAGES
    bucket_down(settings)
    group = complete_group(owner=ep)
    letter = generate(group, ep)  # rendered right after commit; the store is refused
    assert (letter.status, letter.claimed_at, letter.attempts) == ("preparing", None, 1)
    assert "file store failed (attempt 1 of 3" in letter.error

    settings.STORAGES = good  # the bucket is back
    assert publish_lost_work(at=timezone.now() + dt.timedelta(minutes=1))["letters"] == 0  # not at once
    assert publish_lost_work(at=timezone.now() + REPUBLISH_AFTER + dt.timedelta(minutes=1))["letters"] == 1
    letter.refresh_from_db()
    assert (letter.status, letter.attempts, letter.error) == ("ready", 2, "")
    assert hashlib.sha256(in_bucket(bucket, letter.file.name)).hexdigest() == letter.sha256


def test_a_letter_whose_store_fails_every_time_fails_visibly_after_the_last_attempt(ep, settings):
    bucket_down(settings)
    group = complete_group(owner=ep)
    letter = generate(group, ep)
    GroupLetter.objects.filter(pk=letter.pk).update(attempts=2)  # two earlier attempts failed the same way
    assert rendering.letter_render(letter_id=letter.pk) == "skipped"
    letter.refresh_from_db()
    assert letter.status == "failed" and "the file store failed each time" in letter.error


def test_a_download_while_the_bucket_is_down_is_a_503_page_that_says_to_try_again(client, ep, bucket, settings):
    document = stored_document(ep, bucket)
    bucket_down(settings)
    client.force_login(ep)
    response = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    assert response.status_code == 503 and response["Retry-After"] == "120"
    assert "This file could not be read" in response.content.decode()


# --- Objects deleted or changed behind the portal's back -----------------------------------------------------------


def test_an_object_deleted_from_the_bucket_is_a_clear_page_a_log_line_and_listed_by_media_verify(
    client, ep, bucket, caplog, capsys
):
    document = stored_document(ep, bucket)
    bucket.client().delete_object(Bucket=BUCKET, Key=document.file.name)
    client.force_login(ep)
    response = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    page = response.content.decode()
    assert response.status_code == 404 and "This file could not be read" in page
    line = next(r.getMessage() for r in caplog.records if "stored file unreadable" in r.getMessage())
    assert f"exemptions.SupportingDocument {document.pk}" in line and document.file.name in line
    assert line.split("[reference ")[1][:10] in page  # the page quotes the reference the log line carries

    with pytest.raises(CommandError, match="1 stored file"):
        call_command("media_verify")
    assert f"missing      exemptions.SupportingDocument {document.pk}" in capsys.readouterr().out


def test_an_object_changed_in_the_bucket_is_never_sent_and_media_verify_lists_it(client, ep, bucket, capsys):
    document = stored_document(ep, bucket)
    bucket.client().put_object(Bucket=BUCKET, Key=document.file.name, Body=pdf_bytes(pages=3))
    client.force_login(ep)
    response = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    assert response.status_code == 404 and "does not match what was stored" in response.content.decode()
    with pytest.raises(CommandError):
        call_command("media_verify")
    assert f"corrupt      exemptions.SupportingDocument {document.pk}" in capsys.readouterr().out


def test_media_verify_passes_when_every_object_is_there(ep, bucket, capsys):
    stored_document(ep, bucket)
    call_command("media_verify")
    assert "Every stored file is there" in capsys.readouterr().out


def test_a_file_changed_on_disk_is_caught_the_same_way(client, ep):
    draft = complete_draft(owner=ep, year=AdjustmentYear.objects.get(year=2013))
    document = documents_add(exemption=draft, uploads=[upload()])[0]
    Path(document.file.path).write_bytes(b"%PDF-1.4 something else")
    client.force_login(ep)
    response = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    assert response.status_code == 404 and "This file could not be read" in response.content.decode()


# --- Copying the files on disk to the bucket --------------------------------------------------------------------


def test_copy_to_bucket_dry_run_writes_nothing_then_copies_verified_then_skips(ep, settings, s3_server, capsys):
    document = stored_document(ep, None)  # on disk (MEDIA_ROOT), as before the move
    with TestCase.captureOnCommitCallbacks(execute=True):
        letter = letter_generate(exemption=complete_group(owner=ep), actor=ep, at=timezone.now())
    letter.refresh_from_db()
    settings.STORAGES = {**settings.STORAGES, "default": storage_config(s3_server.url())}
    try:
        call_command("media_copy_to_bucket", "--dry-run")
        assert "Dry run, nothing written: 2 would copy." in capsys.readouterr().out
        assert "Contents" not in s3_server.client().list_objects_v2(Bucket=BUCKET)

        call_command("media_copy_to_bucket")
        assert "2 copied." in capsys.readouterr().out
        assert hashlib.sha256(in_bucket(s3_server, document.file.name)).hexdigest() == document.sha256
        assert hashlib.sha256(in_bucket(s3_server, letter.file.name)).hexdigest() == letter.sha256

        call_command("media_copy_to_bucket")
        assert "2 already there." in capsys.readouterr().out
    finally:
        s3_server.empty_bucket()


def test_copy_to_bucket_lists_a_file_missing_on_disk_and_one_differing_in_the_bucket(ep, settings, s3_server, capsys):
    gone = stored_document(ep, None)
    other = documents_add(exemption=ExemptionRequest.objects.get(pk=gone.request_id), uploads=[upload("b.pdf")])[0]
    Path(gone.file.path).unlink()
    settings.STORAGES = {**settings.STORAGES, "default": storage_config(s3_server.url())}
    s3_server.client().put_object(Bucket=BUCKET, Key=other.file.name, Body=b"not the same")
    try:
        with pytest.raises(CommandError, match="1 differs in bucket, 1 missing on disk"):
            call_command("media_copy_to_bucket")
        out = capsys.readouterr().out
        assert f"missing on disk    exemptions.SupportingDocument {gone.pk}" in out
        assert in_bucket(s3_server, other.file.name) == b"not the same"  # never overwritten
    finally:
        s3_server.empty_bucket()


def test_copy_to_bucket_refuses_without_a_bucket():
    with pytest.raises(CommandError, match="No bucket is configured"):
        call_command("media_copy_to_bucket")


# --- Configuration --------------------------------------------------------------------------------------------


def test_without_storage_url_files_stay_on_the_disk():
    assert default_storage_config({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_the_url_and_the_aws_variables_give_the_same_private_bucket():
    from_url = default_storage_config({"STORAGE_URL": "s3://AK:se%2Fcret@minio.internal:9000/files/portal?region=eu"})
    from_aws = default_storage_config(
        {
            "AWS_STORAGE_BUCKET_NAME": "files",
            "AWS_LOCATION": "portal",
            "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "AWS_ACCESS_KEY_ID": "AK",
            "AWS_SECRET_ACCESS_KEY": "se/cret",
            "AWS_S3_REGION_NAME": "eu",
        }
    )
    for config in (from_url, from_aws):
        options = config["OPTIONS"]
        assert config["BACKEND"] == "storages.backends.s3.S3Storage"
        assert (options["bucket_name"], options["location"], options["endpoint_url"]) == (
            "files", "portal", "https://minio.internal:9000"
        )  # fmt: skip
        assert (options["access_key"], options["secret_key"], options["region_name"]) == ("AK", "se/cret", "eu")
        assert options["default_acl"] is None and options["querystring_auth"] and not options["file_overwrite"]


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"STORAGE_URL": "s3://AK:SK@host:9000/"}, "STORAGE_URL names no bucket"),
        ({"STORAGE_URL": "s3://AK@host:9000/bucket"}, "give both the access key and the secret key"),
        ({"STORAGE_URL": "ftp://host/bucket"}, "must start with s3://"),
        ({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_ACCESS_KEY_ID": "AK"}, "give both the access key"),
        ({"STORAGE_URL": "s3://AK:SK@h/b", "STORAGE_CONNECT_TIMEOUT": "soon"}, "must be a number of seconds"),
    ],
)
def test_a_storage_setting_that_cannot_work_stops_start_up(environ, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        default_storage_config(environ)


def test_the_start_up_check_passes_with_good_credentials_and_warns_when_the_bucket_does_not_answer(bucket, settings):
    assert storage_credentials_check() == []
    bucket_down(settings)
    [warning] = storage_credentials_check()
    assert warning.id == "portal.W010" and "did not answer" in warning.msg


def test_wrong_credentials_stop_start_up_with_one_line(s3_server, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_ALLOW"))}
    env.update(STORAGE_URL=s3_server.url(secret_key="wrong-secret"), PORTAL_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Configuration error: file storage: the bucket '{BUCKET}' at {s3_server.endpoint}")
    assert "refused the credentials" in line
