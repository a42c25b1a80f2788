"""A letter or print batch whose publish the broker refused is published again by the drain, and done once."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from celery import current_app
from django.core.files.base import ContentFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from exemptions.documents import rendering
from exemptions.models import GroupLetter, OutboundEmail, PrintBatch
from exemptions.services.drain import publish_lost_work
from exemptions.services.groups import SYNC_RENDER_MAX_EPS, letter_generate
from exemptions.services.render_queue import pdf_sha256 as sha256
from tests.test_groups_support import complete_group, generate, stored_pdf

pytestmark = pytest.mark.django_db


class Broker:
    """Every publish of the two render tasks fails as a refused broker does, until `up()`."""

    def __init__(self):
        self.refused = 0
        self.patches = [
            mock.patch.object(current_app.tasks[name], "apply_async", self.refuse)
            for name in ("exemptions.render_letter", "exemptions.build_print_batch")
        ]

    def refuse(self, *args, **kwargs):
        self.refused += 1
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    def down(self) -> Broker:
        for patch in self.patches:
            patch.start()
        return self

    def up(self) -> None:
        for patch in self.patches:
            patch.stop()
        self.patches = []


@pytest.fixture
def broker_down():
    broker = Broker().down()
    yield broker
    broker.up()


@pytest.fixture
def renders(monkeypatch):
    """How many times a letter PDF or a batch merge was actually rendered."""
    counted = {"letters": 0, "batches": 0}
    real_letter, real_merge = rendering.letter_pdf, rendering.merge_pdfs

    def letter_pdf(*args, **kwargs):
        counted["letters"] += 1
        return real_letter(*args, **kwargs)

    def merge_pdfs(*args, **kwargs):
        counted["batches"] += 1
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(rendering, "letter_pdf", letter_pdf)
    monkeypatch.setattr(rendering, "merge_pdfs", merge_pdfs)
    return counted


def test_a_letter_whose_publish_failed_is_published_again_and_rendered_once(
    ep, broker_down, renders, django_capture_on_commit_callbacks
):
    group = complete_group(owner=ep, eps=SYNC_RENDER_MAX_EPS + 1)  # large: rendered by the worker
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_generate(exemption=group, actor=ep, at=timezone.now())
    letter.refresh_from_db()
    assert (letter.status, letter.published_at, renders["letters"]) == ("preparing", None, 0)
    assert broker_down.refused == 1  # the publish was tried on commit, failed, and did not fail the group
    assert publish_lost_work(at=timezone.now() + dt.timedelta(minutes=2))["letters"] == 0  # broker still down

    broker_down.up()
    later = timezone.now() + dt.timedelta(minutes=2)
    assert publish_lost_work(at=later)["letters"] == 1
    letter.refresh_from_db()
    assert letter.status == "ready" and letter.published_at is not None
    assert letter.sha256 == sha256(stored_pdf(letter))
    assert publish_lost_work(at=later + dt.timedelta(minutes=1))["letters"] == 0
    assert renders["letters"] == 1
    assert OutboundEmail.objects.filter(kind="letter_ready", key=f"letter_ready:{letter.pk}").count() == 1


def test_a_letter_published_long_ago_and_still_preparing_is_published_again(ep, renders):
    group = complete_group(owner=ep)
    letter = GroupLetter.objects.create(request=group, version=1, published_at=timezone.now())
    assert publish_lost_work(at=timezone.now() + dt.timedelta(minutes=5))["letters"] == 0  # a worker may be on it
    assert publish_lost_work(at=timezone.now() + dt.timedelta(minutes=20))["letters"] == 1
    letter.refresh_from_db()
    assert letter.status == "ready" and renders["letters"] == 1


def test_a_print_batch_whose_publish_failed_is_published_again_and_built_once(ep, staff_user, broker_down, renders):
    group = complete_group(owner=ep)
    data = stored_pdf(generate(group, ep))
    batch = PrintBatch.objects.create(created_by=staff_user)
    letter = GroupLetter(request=group, version=2, status="ready", sha256=sha256(data), page_count=1)
    letter.file.save("letter.pdf", ContentFile(data))
    batch.letters.set([letter])
    assert publish_lost_work(at=timezone.now() + dt.timedelta(minutes=2))["print_batches"] == 0

    broker_down.up()
    later = timezone.now() + dt.timedelta(minutes=2)
    assert publish_lost_work(at=later)["print_batches"] == 1
    assert publish_lost_work(at=later + dt.timedelta(minutes=1))["print_batches"] == 0
    batch.refresh_from_db()
    assert batch.status == "ready" and batch.published_at is not None and batch.page_count == 4
    assert renders["batches"] == 1


def test_a_second_copy_of_the_render_task_skips_a_letter_another_run_is_rendering(ep, renders):
    group = complete_group(owner=ep)
    letter = GroupLetter.objects.create(request=group, version=1)
    now = timezone.now()
    assert rendering.letter_render(letter_id=letter.pk, at=now) == "rendered"
    GroupLetter.objects.filter(pk=letter.pk).update(status="preparing")  # as if the first run had not finished
    assert rendering.letter_render(letter_id=letter.pk, at=now + dt.timedelta(minutes=1)) == "skipped"
    assert renders["letters"] == 1


def test_a_render_whose_worker_was_lost_is_published_again_once_its_claim_expires(ep, renders):
    group = complete_group(owner=ep)
    claimed = timezone.now() - dt.timedelta(minutes=5)
    letter = GroupLetter.objects.create(request=group, version=1, published_at=claimed, claimed_at=claimed, attempts=1)
    assert publish_lost_work(at=claimed + dt.timedelta(minutes=10))["letters"] == 0  # a worker may still be on it
    with time_machine.travel(claimed + dt.timedelta(minutes=16), tick=False):  # the worker's own clock too
        assert publish_lost_work()["letters"] == 1
    letter.refresh_from_db()
    assert (letter.status, letter.attempts, renders["letters"]) == ("ready", 2, 1)


def test_a_render_interrupted_every_time_fails_visibly_and_is_not_published_again(ep, renders):
    group = complete_group(owner=ep)
    claimed = timezone.now() - dt.timedelta(minutes=30)
    letter = GroupLetter.objects.create(request=group, version=1, published_at=claimed, claimed_at=claimed, attempts=3)
    assert publish_lost_work(at=timezone.now())["letters"] == 0
    letter.refresh_from_db()
    assert letter.status == "failed"
    assert letter.error == "Gave up after 3 attempts: the render was interrupted each time (worker lost)."
    assert renders["letters"] == 0
