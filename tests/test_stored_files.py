"""Receipts and audit bundles: built once by a task, stored with their hash, streamed; never rendered in a download."""

# ruff: noqa: F811  (the reviewer fixture imported from tests/review_fixtures.py is redefined as an argument)

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from exemptions.documents import receipts, rendering
from exemptions.models import ExemptionRequest, StatusChange, StoredFile
from exemptions.services import dispatch, review
from exemptions.services.drain import publish_lost_work
from exemptions.services.requests import request_submit
from exemptions.services.stored_files import SYNC_BUILD_MAX_EPS
from tests.factories import complete_draft
from tests.review_fixtures import deny, reviewer, start_review  # noqa: F401

pytestmark = pytest.mark.django_db
K = StoredFile.Kind


def submit(owner, *, ep_count: int | None = None) -> ExemptionRequest:
    """Submit and commit (the after-commit builds run, as in production). `ep_count` fakes a large request."""
    draft = complete_draft(owner=owner)
    if ep_count is not None:
        ExemptionRequest.objects.filter(pk=draft.pk).update(ep_count=ep_count)
    with TestCase.captureOnCommitCallbacks(execute=True):
        submitted, _ = request_submit(exemption=draft, actor=owner, at=timezone.now())
    return submitted


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def built(exemption, kind) -> StoredFile:
    return StoredFile.objects.get(request=exemption, kind=kind, status=StoredFile.Status.READY)


def files_on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "built"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def forbid_rendering(monkeypatch) -> None:
    """From now on, anything that renders a receipt or builds a bundle fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendered inside a download")

    monkeypatch.setattr(receipts, "render_pdf", refuse)
    monkeypatch.setattr(rendering, "receipt_pdf", refuse)
    monkeypatch.setattr(rendering, "bundle_zip", refuse)


@pytest.fixture
def published(monkeypatch):
    """The broker takes every build and runs none (a worker will): the builds handed over, by task name and id."""
    handed: list[tuple] = []
    real = dispatch.task_publish

    def publish(task_name, *args, countdown=None):
        if task_name != "exemptions.build_stored_file":
            return real(task_name, *args, countdown=countdown)
        handed.append((task_name, *args))
        return True

    monkeypatch.setattr(dispatch, "task_publish", publish)
    return handed


def test_finding_receipt_and_bundle_rendered_in_the_web_request_downloads_stream_the_stored_files(
    client, ep, monkeypatch
):
    exemption = submit(ep)  # built by a worker right after commit (Celery runs eagerly in tests)
    forbid_rendering(monkeypatch)
    receipt, bundle = built(exemption, K.RECEIPT), built(exemption, K.BUNDLE)
    client.force_login(ep)
    page = client.get(reverse("exemptions:request_submitted", args=[exemption.public_id])).content.decode()
    assert reverse("exemptions:request_receipt", args=[exemption.public_id]) in page

    pdf = client.get(reverse("exemptions:request_receipt", args=[exemption.public_id]))
    data = body(pdf)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="receipt-{exemption.reference}.pdf"'
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == receipt.sha256 and receipt.size == len(data)

    zipped = client.get(reverse("exemptions:request_bundle", args=[exemption.public_id]))
    archive = zipfile.ZipFile(io.BytesIO(body(zipped)))
    assert zipped.status_code == 200 and hashlib.sha256(body_of(bundle)).hexdigest() == bundle.sha256
    assert archive.read(f"request-{exemption.reference}.pdf") == data  # the bundle carries the very receipt


def body_of(stored: StoredFile) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()


def test_finding_large_request_receipt_is_built_by_a_worker_and_the_page_says_so(client, ep, published, monkeypatch):
    forbid_rendering(monkeypatch)
    exemption = submit(ep, ep_count=2500)
    receipt = StoredFile.objects.get(request=exemption, kind=K.RECEIPT)
    assert receipt.status == "preparing" and receipt.published_at is not None
    assert published == [("exemptions.build_stored_file", receipt.pk)]  # the bundle follows the receipt

    client.force_login(ep)
    page = client.get(reverse("exemptions:request_submitted", args=[exemption.public_id])).content.decode()
    assert "Your receipt is being prepared. Reload this page in a minute" in page
    assert reverse("exemptions:request_receipt", args=[exemption.public_id]) not in page
    waiting = client.get(reverse("exemptions:request_receipt", args=[exemption.public_id]))
    assert waiting.status_code == 202 and waiting["Refresh"] == "10" and "Content-Disposition" not in waiting
    assert "Your receipt is being prepared." in waiting.content.decode()
    assert published == [("exemptions.build_stored_file", receipt.pk)]  # asking again queues nothing twice


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_a_stored_receipt_hands_over_the_bundle_that_waited_and_both_download(client, ep, published):
    exemption = submit(ep, ep_count=SYNC_BUILD_MAX_EPS + 1)
    receipt = StoredFile.objects.get(request=exemption, kind=K.RECEIPT)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert rendering.stored_file_build(stored_file_id=receipt.pk) == "built"  # what the worker runs
    bundle = StoredFile.objects.get(request=exemption, kind=K.BUNDLE)
    assert published[-1] == ("exemptions.build_stored_file", bundle.pk)
    assert rendering.stored_file_build(stored_file_id=bundle.pk) == "built"
    assert rendering.stored_file_build(stored_file_id=bundle.pk) == "skipped"  # a re-delivery does nothing
    client.force_login(ep)
    assert client.get(reverse("exemptions:request_bundle", args=[exemption.public_id])).status_code == 200
    assert len(files_on_disk()) == 2


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_the_bundle_is_rebuilt_when_its_history_changes_and_the_old_file_removed(client, ep, reviewer):
    exemption = submit(ep)
    receipt, first = built(exemption, K.RECEIPT), built(exemption, K.BUNDLE)
    old_name = first.file.name
    with TestCase.captureOnCommitCallbacks(execute=True):
        start_review(exemption, reviewer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        deny(exemption, reviewer, "no_answer")
    newest = built(exemption, K.BUNDLE)
    assert newest.pk != first.pk and not StoredFile.objects.filter(pk=first.pk).exists()
    assert not (Path(settings.MEDIA_ROOT) / old_name).exists()
    assert built(exemption, K.RECEIPT).pk == receipt.pk  # the receipt shows the request as submitted: kept
    client.force_login(reviewer)
    staff = client.get(reverse("admin:exemptions_review_bundle", args=[exemption.pk]))
    history = zipfile.ZipFile(io.BytesIO(body(staff))).read("status-history.csv").decode()
    assert "Denied" in history
    assert files_on_disk() == {newest.file.name.removeprefix("built/"), receipt.file.name.removeprefix("built/")}


def test_staff_notes_do_not_rebuild_the_bundle(ep, reviewer):
    exemption = submit(ep)
    bundle = built(exemption, K.BUNDLE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        review.request_update_notes(exemption=exemption, actor=reviewer, internal_notes="Called the EP.")
    assert list(StoredFile.objects.filter(request=exemption, kind=K.BUNDLE)) == [bundle]


def work_off(published: list) -> None:
    """Run the builds handed to the broker as a worker would (the receipt, then the bundle it hands over)."""
    while published:
        _, pk = published.pop(0)
        with TestCase.captureOnCommitCallbacks(execute=True):
            rendering.stored_file_build(stored_file_id=pk)


def test_a_change_no_service_announced_is_noticed_when_the_bundle_is_asked_for(client, ep, published, monkeypatch):
    exemption = submit(ep)
    work_off(published)
    forbid_rendering(monkeypatch)
    StatusChange.objects.create(request=exemption, from_status="submitted", to_status="under_review", at=timezone.now())
    client.force_login(ep)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(reverse("exemptions:request_bundle", args=[exemption.public_id]))
    fresh = StoredFile.objects.get(request=exemption, kind=K.BUNDLE, status="preparing")
    assert response.status_code == 202 and "The audit bundle is being prepared." in response.content.decode()
    assert published == [("exemptions.build_stored_file", fresh.pk)]  # to the worker, never rendered here


def test_a_failed_build_is_a_clear_page_never_a_500(client, ep, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("font cache unreadable")

    monkeypatch.setattr(rendering, "receipt_pdf", broken)
    exemption = submit(ep)
    receipt = StoredFile.objects.get(request=exemption, kind=K.RECEIPT)
    assert receipt.status == "failed" and "font cache unreadable" in receipt.error
    client.force_login(ep)
    response = client.get(reverse("exemptions:request_receipt", args=[exemption.public_id]))
    assert response.status_code == 404
    assert f"Your receipt could not be prepared. Contact the help desk quoting {exemption.reference}" in (
        response.content.decode()
    )


def test_a_build_whose_publish_was_lost_is_published_again_by_the_drain(ep, monkeypatch):
    monkeypatch.setattr(dispatch, "task_publish", lambda *args, **kwargs: False)  # the broker is down at commit
    exemption = submit(ep, ep_count=SYNC_BUILD_MAX_EPS + 1)
    monkeypatch.undo()
    later = timezone.now() + dt.timedelta(minutes=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert publish_lost_work(at=later)["stored_files"] == 1  # the receipt; the bundle waits for it
    assert built(exemption, K.RECEIPT) and built(exemption, K.BUNDLE)
    assert publish_lost_work(at=later + dt.timedelta(minutes=30))["stored_files"] == 0


def test_another_users_receipt_and_bundle_are_404(client, ep, other_ep):
    exemption = submit(ep)
    client.force_login(other_ep)
    for name in ("exemptions:request_receipt", "exemptions:request_bundle"):
        assert client.get(reverse(name, args=[exemption.public_id])).status_code == 404
    assert not StoredFile.objects.exclude(request=exemption).exists()


def test_a_draft_has_no_receipt_or_bundle(client, ep):
    draft = complete_draft(owner=ep)
    client.force_login(ep)
    assert client.get(reverse("exemptions:request_receipt", args=[draft.public_id])).status_code == 404
    page = client.get(reverse("exemptions:request_detail", args=[draft.public_id])).content.decode()
    assert "being prepared" not in page and not StoredFile.objects.exists()
