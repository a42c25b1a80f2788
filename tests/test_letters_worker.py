"""Large letters and print batches through a real Celery worker on Redis and the PostgreSQL test database."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from exemptions.models import GroupLetter, OutboundEmail, PrintBatch
from exemptions.services import groups as services
from exemptions.services.render_queue import pdf_sha256 as sha256
from tests.test_groups_support import complete_group, pdf_text, stored_pdf

pytestmark = pytest.mark.worker


def test_a_large_letter_is_prepared_by_the_worker_and_announced_once(live_worker, ep):
    group = complete_group(owner=ep, eps=services.SYNC_RENDER_MAX_EPS + 20)
    letter = services.letter_generate(exemption=group, actor=ep, at=timezone.now())
    assert letter.status == "preparing"
    ready = live_worker.wait_for(
        lambda: GroupLetter.objects.filter(pk=letter.pk, status="ready").first(), timeout=120, what="the letter"
    )
    assert ready.sha256 == sha256(stored_pdf(ready))
    assert ready.page_count == len(pdf_text(stored_pdf(ready))) >= 3
    live_worker.wait_for(
        lambda: OutboundEmail.objects.filter(kind="letter_ready", status="sent").exists(), what="the email"
    )
    (body,) = live_worker.wait_for(live_worker.emails, what="the email file")
    assert f"Subject: Ready to print: your GPRO letter {group.reference}" in body
    # A second finalize with nothing changed neither renders nor emails again.
    assert services.letter_generate(exemption=group, actor=ep, at=timezone.now()).pk == letter.pk
    assert GroupLetter.objects.filter(request=group).count() == 1


def test_a_large_print_batch_is_built_by_the_worker(live_worker, ep, staff_user):
    source = complete_group(owner=ep)
    small = services.letter_generate(exemption=source, actor=ep, at=timezone.now())
    small.refresh_from_db()  # rendered in this process right after the service's commit
    data = stored_pdf(small)
    groups = []
    for n in range(services.SYNC_BATCH_MAX_LETTERS + 5):
        group = complete_group(owner=ep, group_name=f"Group {n:02d}", reference=f"HX-2099-9{n:05d}", status="mailed")
        letter = GroupLetter(request=group, version=1, status="ready", sha256=sha256(data), page_count=1)
        letter.file.save("letter.pdf", ContentFile(data))
        groups.append(group)
    batch = services.print_batch_create(exemptions=groups, actor=staff_user)
    assert batch.status == "preparing"
    built = live_worker.wait_for(
        lambda: PrintBatch.objects.filter(pk=batch.pk, status="ready").first(), timeout=120, what="the batch"
    )
    assert built.page_count == 2 + 2 * len(groups)  # cover and each one-page letter, each with a blank back
    with built.file.open("rb") as handle:
        cover = pdf_text(handle.read())[0]
    assert "Group 00" in cover and f"Group {len(groups) - 1:02d}" in cover
