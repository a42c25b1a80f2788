"""A broker that refuses or hangs never loses a submission, never blocks the EP, never sends twice."""

import socket
import threading
import time

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from exemptions.models import ExemptionRequest, HardshipCategory, OutboundEmail
from exemptions.services.outbox import outbox_drain
from tests.factories import complete_draft
from tests.helpers import form_data

pytestmark = pytest.mark.django_db

REDIS_OPTIONS = {
    "socket_timeout": 2.0,
    "socket_connect_timeout": 2.0,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def reset_pools(app):
    # Celery caches the broker connection pool and the producer pool, and kombu keeps a registry of producer
    # pools per connection: clear all three so the next publish builds fresh ones for the current URL (closing
    # only the app's pool would leave a closed pool in kombu's registry for later tests to trip over).
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broken_broker(settings):
    """Point the Celery app at a broker URL for the test, publishing for real (not eager)."""
    from portal.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)

    def use(url: str):
        app.conf.task_always_eager = False
        app.conf.broker_url = url
        app.conf.broker_transport_options = REDIS_OPTIONS
        reset_pools(app)

    yield use
    app.conf.broker_url, app.conf.broker_transport_options = saved
    reset_pools(app)
    app.conf.task_always_eager = True


@pytest.fixture
def hung_redis():
    """A TCP listener that accepts connections and never answers (a paused or wedged Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def submit_through_the_page(client, ep):
    draft = complete_draft(owner=ep)
    client.force_login(ep)
    law = HardshipCategory.objects.get(code="law-regulation").pk
    started = time.monotonic()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("exemptions:request_edit", args=[draft.public_id]),
            form_data(action="submit", categories=[law]),
            follow=True,
        )
    return draft, response, time.monotonic() - started


def deliver_after_recovery(mailoutbox):
    from portal.celery import app

    app.conf.task_always_eager = True
    later = timezone.now() + timezone.timedelta(minutes=2)
    first = outbox_drain(at=later)
    second = outbox_drain(at=later + timezone.timedelta(minutes=5))
    return first, second


@pytest.mark.parametrize("kind", ["refusing", "hung"])
def test_submission_survives_the_broker_and_the_email_goes_out_once_it_is_back(
    client, ep, broken_broker, hung_redis, mailoutbox, kind
):
    broken_broker(f"redis://127.0.0.1:{closed_port()}/0" if kind == "refusing" else hung_redis)
    draft, response, seconds = submit_through_the_page(client, ep)
    draft.refresh_from_db()
    assert draft.status == ExemptionRequest.Status.SUBMITTED
    assert "Your request was submitted" in response.content.decode()
    assert seconds < 8, f"the submit took {seconds:.1f} s with a {kind} broker"
    email = OutboundEmail.objects.get(request=draft)
    assert email.status == "pending" and email.last_published_at is None
    assert mailoutbox == []

    first, second = deliver_after_recovery(mailoutbox)
    assert first["published"] == 1 and second["published"] == 0
    email.refresh_from_db()
    assert email.status == "sent"
    assert [m.subject for m in mailoutbox] == [f"Received: your 2099 eRx hardship exemption request {draft.reference}"]
