"""GPRO services: generating the letter (window, versions, idempotency), mailing, receipt, print batches."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pikepdf
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from exemptions.documents.rendering import letter_render
from exemptions.models import AdjustmentYear, ExemptionRequest, GroupLetter, OutboundEmail, PrintBatch, StatusChange
from exemptions.services import groups as services
from exemptions.services.render_queue import pdf_sha256 as sha256
from exemptions.services.requests import RequestLocked, WindowClosed
from tests.conftest import et
from tests.test_groups_support import add_eps, build_batch, complete_group, generate, npi, pdf_text, stored_pdf

pytestmark = pytest.mark.django_db


def test_generating_issues_a_reference_and_stores_the_letter_with_its_hash(ep):
    group = complete_group(owner=ep)
    letter = generate(group, ep)
    assert group.status == "letter_generated"
    assert group.reference.startswith("HX-2099-")
    assert letter.version == 1 and letter.status == "ready"
    data = stored_pdf(letter)
    assert letter.sha256 == sha256(data)
    assert letter.page_count == 1
    assert StatusChange.objects.filter(request=group, to_status="letter_generated", actor=ep).count() == 1


def test_generating_twice_with_nothing_changed_returns_the_same_letter(ep):
    group = complete_group(owner=ep)
    first = generate(group, ep)
    second = generate(group, ep)
    assert first.pk == second.pk
    assert GroupLetter.objects.filter(request=group).count() == 1


def test_an_edit_after_generation_makes_a_new_version_and_keeps_the_old(ep, django_capture_on_commit_callbacks):
    group = complete_group(owner=ep)
    first = generate(group, ep)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_request_save(
            exemption=group, actor=ep, at=timezone.now(), fields={"group_name": "Renamed Group LLC"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.group_eps_add(exemption=group, actor=ep, at=timezone.now(), rows=[_row(50)])
    versions = list(GroupLetter.objects.filter(request=group).order_by("version"))
    assert [v.version for v in versions] == [1, 2, 3]
    assert all(v.status == "ready" for v in versions)
    assert "Renamed Group LLC" not in "".join(pdf_text(stored_pdf(first)))
    newest = "".join(pdf_text(stored_pdf(versions[-1])))
    assert "Renamed Group LLC" in newest and npi(50) in newest
    assert len({v.sha256 for v in versions}) == 3


def _row(n: int) -> dict:
    return {
        "npi": npi(n),
        "name": f"Doctor {n}",
        "address_line1": "1 St",
        "address_line2": "",
        "city": "Towson",
        "state": "MD",
        "zip_code": "21204",
        "email": f"d{n}@example.org",
    }


def test_an_incomplete_group_gets_every_problem_and_no_letter(ep):
    group = complete_group(owner=ep, eps=1, tin="", justification=" ", attested=False)
    with pytest.raises(ValidationError) as refused:
        generate(group, ep)
    assert refused.value.messages == [
        "TIN is missing.",
        "Justification is required to submit: explain the hardship.",
        "Check the attestation box to submit.",
        "A group letter lists 2 to 2,500 EPs; this group has 1.",
    ]
    group.refresh_from_db()
    assert group.status == "draft" and group.reference is None
    assert not GroupLetter.objects.exists()


def test_no_letter_while_the_letter_window_is_closed(ep):
    year = AdjustmentYear.objects.get(year=2012)
    group = complete_group(owner=ep, year=year)
    with pytest.raises(WindowClosed) as closed:
        services.letter_generate(exemption=group, actor=ep, at=et(2011, 11, 2, 0, 0, 0))
    assert "Closed at 11:59:59 p.m. ET on Tuesday, November 1, 2011" in closed.value.state.describe()
    group.refresh_from_db()
    assert group.status == "draft" and not GroupLetter.objects.exists()


def test_the_last_second_of_the_window_still_counts(ep):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 11, 1, 23, 59, 59), tick=False):
        group = complete_group(owner=ep, year=year)
        letter = generate(group, ep, at=et(2011, 11, 1, 23, 59, 59))
    assert letter.postmark_deadline == dt.date(2011, 11, 1)
    assert "must be postmarked no later than November 1, 2011" in pdf_text(stored_pdf(letter))[0]


def test_after_the_window_closes_a_generated_letter_cannot_be_edited_but_stays(ep):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        group = complete_group(owner=ep, year=year)
        letter = generate(group, ep, at=et(2011, 10, 20))
    with pytest.raises(WindowClosed):
        services.group_request_save(exemption=group, actor=ep, at=et(2011, 11, 3), fields={"group_name": "Late"})
    group.refresh_from_db()
    assert group.group_name != "Late"
    assert GroupLetter.objects.get().pk == letter.pk and stored_pdf(letter)


def test_a_large_group_is_rendered_by_the_worker_and_emailed(ep, django_capture_on_commit_callbacks):
    group = complete_group(owner=ep, eps=services.SYNC_RENDER_MAX_EPS + 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = services.letter_generate(exemption=group, actor=ep, at=timezone.now())
    assert letter.status == "preparing" and not letter.file
    for callback in callbacks:
        callback()  # the render task (eager Celery), then the email's publish
    letter.refresh_from_db()
    assert letter.status == "ready" and letter.page_count >= 2
    email = OutboundEmail.objects.get(kind="letter_ready")
    assert email.key == f"letter_ready:{letter.pk}"
    assert sorted(email.recipients) == ["alice@example.org", "maria@example.org"]


def test_rendering_twice_is_harmless(ep, django_capture_on_commit_callbacks):
    group = complete_group(owner=ep, eps=services.SYNC_RENDER_MAX_EPS + 1)
    with django_capture_on_commit_callbacks(execute=False):
        letter = services.letter_generate(exemption=group, actor=ep, at=timezone.now())
    assert letter_render(letter_id=letter.pk) == "rendered"
    letter.refresh_from_db()
    first_file, first_hash = letter.file.name, letter.sha256
    assert letter_render(letter_id=letter.pk) == "skipped"
    letter.refresh_from_db()
    assert (letter.file.name, letter.sha256) == (first_file, first_hash)


def test_mailing_on_time_and_late(ep, other_ep):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        on_time = complete_group(owner=ep, year=year)
        late = complete_group(owner=other_ep, year=year, tin="234567890")
        generate(on_time, ep, at=et(2011, 10, 20))
        generate(late, other_ep, at=et(2011, 10, 20))
    assert (
        services.letter_mark_mailed(exemption=on_time, actor=ep, at=et(2011, 10, 28), mailed_on=dt.date(2011, 10, 28))
        is False
    )
    assert (
        services.letter_mark_mailed(exemption=late, actor=other_ep, at=et(2011, 11, 3), mailed_on=dt.date(2011, 11, 2))
        is True
    )
    late.refresh_from_db()
    assert late.status == "mailed" and late.mailed_on == dt.date(2011, 11, 2)
    change = late.status_changes.get(to_status="mailed")
    assert change.reason_code == "mailed_late"
    with pytest.raises(RequestLocked):
        services.group_request_save(exemption=late, actor=other_ep, at=et(2011, 11, 3), fields={"group_name": "x"})


def test_staff_record_received_with_postmark(ep, staff_user):
    group = complete_group(owner=ep)
    deadline = generate(group, ep).postmark_deadline
    received, postmarked = deadline + dt.timedelta(days=4), deadline - dt.timedelta(days=1)
    late = services.letter_mark_received(
        exemption=group, actor=staff_user, at=timezone.now(), received_on=received, postmarked_on=postmarked
    )
    group.refresh_from_db()
    assert late is False
    assert (group.status, group.received_on, group.postmarked_on) == ("received", received, postmarked)
    assert group.status_changes.get(to_status="received").actor == staff_user


def test_a_print_batch_merges_the_newest_letters_each_on_a_new_sheet(
    ep, other_ep, staff_user, django_capture_on_commit_callbacks
):
    one_page = complete_group(owner=ep)
    generate(one_page, ep)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_request_save(
            exemption=one_page, actor=ep, at=timezone.now(), fields={"group_name": "Newest Name PC"}
        )
    three_pages = complete_group(owner=other_ep, eps=95, group_name="Big Group LLC", tin="234567890")
    generate(three_pages, other_ep)
    pages = {g.pk: g.letters.order_by("-version").first().page_count for g in (one_page, three_pages)}
    assert pages[one_page.pk] == 1 and pages[three_pages.pk] % 2 == 1

    batch = build_batch([one_page, three_pages], staff_user)
    assert batch.status == PrintBatch.Status.READY
    with batch.file.open("rb") as handle:
        data = handle.read()
    text = pdf_text(data)
    # cover (1 + blank) + letter 1 (1 + blank) + letter 2 (odd + blank): every letter starts on an odd page
    assert batch.page_count == len(text) == 2 + 2 + pages[three_pages.pk] + 1
    assert "Print batch" in text[0] and one_page.reference in text[0] and "Big Group LLC" in text[0]
    assert text[1] == "" and text[3] == ""
    assert "Newest Name PC" in text[2]  # the newest version, not version 1
    assert f"Page 1 of {pages[three_pages.pk]}" in text[4]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == batch.page_count


def test_a_batch_without_a_cover_and_a_batch_of_nothing(ep, staff_user):
    group = complete_group(owner=ep)
    generate(group, ep)
    batch = build_batch([group], staff_user, include_cover_sheet=False)
    assert batch.page_count == 2  # the one-page letter and its blank back
    draft = complete_group(owner=ep)
    with pytest.raises(ValidationError):
        services.print_batch_create(exemptions=[draft], actor=staff_user)


@pytest.mark.no_bucket  # counts files under MEDIA_ROOT
def test_a_tampered_letter_file_fails_the_batch_visibly(ep, staff_user):
    group = complete_group(owner=ep)
    letter = generate(group, ep)
    with open(letter.file.path, "ab") as handle:
        handle.write(b"tampered")
    batch = build_batch([group], staff_user)
    assert batch.status == "failed" and "SHA-256" in batch.error


def test_adding_an_npi_already_listed_is_refused(ep):
    group = complete_group(owner=ep)
    with pytest.raises(ValidationError, match="already listed"):
        services.group_eps_add(exemption=group, actor=ep, at=timezone.now(), rows=[_row(1)])
    add_eps(group, 0)
    assert group.affected_eps.count() == 2


def test_saving_a_generated_group_locks_the_row_once_and_renders_after_commit(ep, django_capture_on_commit_callbacks):
    group = complete_group(owner=ep)
    generate(group, ep)
    locks = []
    real = QuerySet.select_for_update

    def counting(queryset, *args, **kwargs):
        if queryset.model is ExemptionRequest:
            locks.append(queryset.model)
        return real(queryset, *args, **kwargs)

    with (
        mock.patch.object(QuerySet, "select_for_update", counting),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        services.group_request_save(exemption=group, actor=ep, at=timezone.now(), fields={"group_name": "Renamed PC"})
    newest = group.letters.order_by("-version").first()
    assert len(locks) == 1
    assert (newest.version, newest.status, newest.file.name) == (2, "preparing", "")  # nothing rendered in the lock
    for callback in callbacks:
        callback()  # after commit: a small letter renders right here
    newest.refresh_from_db()
    assert newest.status == "ready" and "Renamed PC" in pdf_text(stored_pdf(newest))[0]
