"""Reminders through a real Celery worker on the real broker (Redis) and PostgreSQL: exactly once under repeated and
concurrent sweeps, a broker outage mid-sweep, SMTP 4xx/5xx answers and a worker process killed mid-send.

The sweep instant is passed in; the worker's builder reads the real clock, so the window here is placed around now.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from bench.reminders import children, free_port
from exemptions.models import ExemptionRequest, OutboundEmail, ReminderPolicy
from exemptions.services.outbox import outbox_drain
from exemptions.services.reminders import reminders_sweep
from exemptions.windows import ET
from tests.factories import RequestFactory, UserFactory, WindowFactory, YearFactory
from tests.worker import QUEUE, services_or_skip, start_worker

pytestmark = pytest.mark.worker


def closing_in_three_days() -> dt.datetime:
    """Create a window closing at the end of the day 3 days from today (ET); return its 3-day reminder instant."""
    today = timezone.now().astimezone(ET).date()
    closes = dt.datetime.combine(today + dt.timedelta(days=3), dt.time(23, 59, 59), tzinfo=ET)
    window = WindowFactory(
        year=YearFactory(year=2031), opens_at=timezone.now() - dt.timedelta(days=10), closes_at=closes
    )
    ReminderPolicy.objects.create(window=window)
    return dt.datetime.combine(today, dt.time(9, 0), tzinfo=ET)


def drafts(count: int) -> list[ExemptionRequest]:
    year = YearFactory(year=2031)
    made = [RequestFactory(owner=UserFactory(email=f"ep{i}@example.org"), year=year) for i in range(count)]
    ExemptionRequest.objects.update(created_at=timezone.now() - dt.timedelta(days=5))
    return made


def recipients(worker) -> list[str]:
    """One entry per email written (the file backend may append several emails to one file)."""
    return [line[4:] for body in worker.emails() for line in body.splitlines() if line.startswith("To: ")]


def all_sent(count: int):
    return lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == count


# --- a scriptable SMTP sink ------------------------------------------------------------------------------------


class Sink:
    """Answers DATA with the scripted replies in turn ("451 …", "550 …"), then accepts; can hold DATA open."""

    def __init__(self, replies=(), hold: bool = False):
        self.replies = list(replies)
        self.attempts = 0
        self.accepted: list[str] = []
        self.hold = threading.Event() if hold else None
        self.data_started = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        self.data_started.set()
        if self.hold is not None:
            self.hold.wait(30)  # the sender is killed while we hold the transaction open
        if self.replies:
            return self.replies.pop(0)
        self.accepted.append(envelope.content.decode("utf8", "replace"))
        return "250 OK"


@pytest.fixture
def smtp_worker(transactional_db, tmp_path, settings):
    """Start a real worker that sends by SMTP to an in-process sink following a script: smtp_worker(replies=[…])."""
    services_or_skip()
    from portal.celery import app

    started = []

    def start(**script):
        sink = Sink(**script)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        settings.CELERY_TASK_ALWAYS_EAGER = False
        app.conf.task_always_eager = False
        app.conf.task_default_queue = QUEUE
        worker = start_worker(tmp_path, env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"})
        worker.sink = sink
        started.append((worker, controller, sink))
        return worker

    yield start
    for worker, controller, sink in started:
        if sink.hold is not None:
            sink.hold.set()
        worker.kill()
        controller.stop()
    app.conf.task_default_queue = "celery"


# --- exactly once ----------------------------------------------------------------------------------------------


def test_three_sweeps_send_exactly_one_three_day_reminder(live_worker):
    at = closing_in_three_days()
    (draft,) = drafts(1)
    results = [reminders_sweep(at=at + dt.timedelta(minutes=m)) for m in (0, 15, 30)]
    assert [r["due"] for r in results] == [1, 0, 0]
    live_worker.wait_for(all_sent(1), what="the reminder to be sent")
    (body,) = live_worker.wait_for(live_worker.emails, what="the email file")
    message = email.message_from_string(body, policy=email.policy.default)
    assert message["Subject"] == ("Reminder: your 2031 eRx hardship exemption request is not submitted (3 days left)")
    assert message["To"] == "ep0@example.org"
    (row,) = OutboundEmail.objects.filter(request=draft)
    assert row.attempts == 1


def test_two_concurrent_sweeps_send_each_reminder_once(live_worker):
    at = closing_in_three_days()
    drafts(20)
    barrier = threading.Barrier(2)

    def sweep(_):
        barrier.wait()
        try:
            return reminders_sweep(at=at, per_task=3)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(sweep, range(2), timeout=60))
    assert sum(r["published"] for r in results) >= 20  # both may publish a row: delivery claims it once
    live_worker.wait_for(all_sent(20), what="20 reminders to be sent")
    assert OutboundEmail.objects.count() == 20
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}
    assert sorted(recipients(live_worker)) == sorted(f"ep{i}@example.org" for i in range(20))


# --- broker outage mid-sweep -----------------------------------------------------------------------------------


class DroppingProxy:
    """A TCP proxy to Redis that the test can cut (every connection dropped, new ones refused) and restore."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.1)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self.listener = self.listener, None
        listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass


def _use_broker(app, url: str) -> None:
    """Point this process's publisher at `url` (the worker keeps its own direct connection)."""
    from kombu import pools

    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # closes and forgets every cached connection/producer pool


def test_broker_dropped_during_the_sweep_loses_nothing_and_sends_nothing_twice(live_worker, monkeypatch):
    from urllib.parse import urlsplit

    from portal.celery import app

    at = closing_in_three_days()
    drafts(10)
    real_url = app.conf.broker_url
    parts = urlsplit(real_url)
    proxy = DroppingProxy((parts.hostname, parts.port or 6379))
    proxy.start()
    _use_broker(app, parts._replace(netloc=f"127.0.0.1:{proxy.port}").geturl())
    send_email_batch = app.tasks["exemptions.send_email_batch"]  # what the sweep publishes to, by name
    real_apply_async = send_email_batch.apply_async
    published = []

    def publish_then_outage(*args, **kwargs):
        result = real_apply_async(*args, **kwargs)
        published.append(args)
        if len(published) == 1:
            proxy.stop()  # Redis "goes away" after the first batch reached it
        return result

    monkeypatch.setattr(send_email_batch, "apply_async", publish_then_outage)
    try:
        first = reminders_sweep(at=at, per_task=2)
        assert first == {"due": 10, "published": 2}
        live_worker.wait_for(all_sent(2), what="the first batch to be sent")
        assert OutboundEmail.objects.filter(status="pending", last_published_at__isnull=True).count() == 8

        proxy.start()  # Redis is back: the next sweep publishes what the outage held back
        second = reminders_sweep(at=at + dt.timedelta(minutes=15), per_task=2)
        assert second == {"due": 0, "published": 8}
        live_worker.wait_for(all_sent(10), what="every reminder to be sent")
    finally:
        proxy.stop()
        _use_broker(app, real_url)
    assert sorted(recipients(live_worker)) == sorted(f"ep{i}@example.org" for i in range(10))
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}


# --- SMTP answers and a killed worker --------------------------------------------------------------------------


def test_smtp_451_twice_then_accepted_delivers_one_email_after_retries(smtp_worker):
    smtp_worker = smtp_worker(replies=["451 4.3.0 Try again later", "451 4.3.0 Try again later"])
    at = closing_in_three_days()
    drafts(1)
    reminders_sweep(at=at)
    row = smtp_worker.wait_for(
        lambda: OutboundEmail.objects.filter(status="sent").first(), timeout=60, what="the email to be sent"
    )
    assert row.attempts == 3  # two 451 answers retried with backoff, then accepted
    assert smtp_worker.sink.attempts == 3
    (message,) = smtp_worker.sink.accepted
    assert "To: ep0@example.org" in message


def test_smtp_550_records_a_failed_row_and_does_not_retry(smtp_worker):
    smtp_worker = smtp_worker(replies=["550 5.1.1 Mailbox unavailable"])
    at = closing_in_three_days()
    drafts(1)
    reminders_sweep(at=at)
    row = smtp_worker.wait_for(lambda: OutboundEmail.objects.filter(status="failed").first(), what="the failure")
    assert row.attempts == 1
    assert "550" in row.last_error
    assert "Mailbox unavailable" in row.last_error
    assert smtp_worker.sink.attempts == 1
    assert smtp_worker.sink.accepted == []
    smtp_worker.wait_for(lambda: "send_email_batch" in Path(smtp_worker.log_path).read_text(), what="the task log")
    assert "Retry in" not in Path(smtp_worker.log_path).read_text()


def test_a_worker_killed_mid_send_leads_to_at_most_one_email(smtp_worker):
    smtp_worker = smtp_worker(hold=True)
    at = closing_in_three_days()
    drafts(1)
    reminders_sweep(at=at)
    assert smtp_worker.sink.data_started.wait(30), smtp_worker.log_path.read_text()[-3000:]
    (child,) = children(smtp_worker.process.pid)
    os.kill(child, signal.SIGKILL)  # the pool process dies in the middle of the SMTP transaction
    # acks_late + reject_on_worker_lost: the broker re-delivers the task; the claim turns it into "skipped".
    smtp_worker.wait_for(lambda: "'skipped': 1" in smtp_worker.log_path.read_text(), what="the re-delivery")
    smtp_worker.sink.hold.set()
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == ("sending", 1)
    assert len(smtp_worker.sink.accepted) <= 1
    # Staff see it: the drain marks a row stuck mid-send as failed (retry from the admin), never re-sends it.
    assert outbox_drain(at=timezone.now() + dt.timedelta(minutes=11))["stuck"] == 1
    row.refresh_from_db()
    assert row.status == "failed"
    assert "Interrupted while sending" in row.last_error
