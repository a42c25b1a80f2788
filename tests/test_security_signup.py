"""Sign-up answers the same way, in the same time, whether or not the address has an account: both emails
("verify your address", "an account already exists") are outbox rows sent by the worker, and both paths hash the
password once."""

import statistics
import time

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail

from exemptions.emails.delivery import email_deliver
from exemptions.models import OutboundEmail, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-for-tests"
TRIES = 20


class TimingPBKDF2Hasher(PBKDF2PasswordHasher):
    """A real key-stretching hasher, lighter than production's, so hashing is measurable but the test is quick."""

    iterations = 150_000


def sign_up(client, email: str, n: int = 0):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", data, REMOTE_ADDR=f"10.1.{n // 250}.{n % 250 + 1}")


def test_finding_signup_timing_a_new_address_gets_one_outbox_row_delivered_once(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as published:
        response = sign_up(client, "new@example.org")
    assert response.status_code == 302
    assert mail.outbox == []  # nothing rendered or sent inside the request
    (row,) = OutboundEmail.objects.all()
    assert row.kind == OutboundEmail.Kind.ACCOUNT and row.recipients == ["new@example.org"]
    assert row.context["template_prefix"] == "account/email/email_confirmation_signup"
    assert row.context["activate_url"].startswith(f"{settings.SITE_URL}/accounts/confirm-email/")
    assert row.user == User.objects.get(email="new@example.org") and "key" not in row.context
    for callback in published:
        callback()  # the commit publishes it; the (eager) worker sends it
    assert email_deliver(email_id=row.pk) == "skipped"  # a second run of the task sends nothing
    (message,) = mail.outbox
    assert message.to == ["new@example.org"] and "Confirm" in message.subject
    assert row.context["activate_url"] in message.body
    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert row.context == {}  # the live link is not kept once it went out


def test_finding_signup_timing_an_existing_address_gets_one_outbox_row_delivered_once(
    client, ep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as published:
        response = sign_up(client, ep.email)
    assert response.status_code == 302
    assert mail.outbox == []
    (row,) = OutboundEmail.objects.all()
    assert row.kind == OutboundEmail.Kind.ACCOUNT and row.recipients == [ep.email]
    assert row.context["template_prefix"] == "account/email/account_already_exists"
    for callback in published:
        callback()
    assert email_deliver(email_id=row.pk) == "skipped"
    (message,) = mail.outbox
    assert message.to == [ep.email] and "/accounts/password/reset/" in message.body
    assert "already exists" in message.body


def test_finding_signup_timing_both_answers_look_the_same(client, ep):
    new = sign_up(client, "new@example.org", 1)
    existing = sign_up(client, ep.email, 2)
    assert new.status_code == existing.status_code == 302 and new.url == existing.url


def test_finding_signup_timing_medians_of_new_and_existing_addresses_are_within_25_percent(client, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.TimingPBKDF2Hasher"]
    existing = [UserFactory(email=f"taken{n}@example.org") for n in range(TRIES + 1)]
    timings: dict[str, list[float]] = {"new": [], "existing": []}
    for n in range(TRIES + 1):  # interleaved, so load on the machine hits both kinds alike; the first is warm-up
        for kind, email in (("new", f"fresh{n}@example.org"), ("existing", existing[n].email)):
            started = time.perf_counter()
            response = sign_up(client, email, 2 * n + (kind == "existing"))
            elapsed = time.perf_counter() - started
            assert response.status_code == 302
            if n:
                timings[kind].append(elapsed)
    new, old = statistics.median(timings["new"]), statistics.median(timings["existing"])
    assert abs(new - old) <= 0.25 * max(new, old), f"new {new * 1000:.1f} ms, existing {old * 1000:.1f} ms"
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACCOUNT).count() == 2 * (TRIES + 1)


def test_finding_account_links_staff_never_see_a_pending_account_emails_link(
    client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.review_fixtures import staff_member

    with django_capture_on_commit_callbacks(execute=False):
        sign_up(client, "new@example.org")
    row = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ACCOUNT)
    link = row.context["activate_url"]
    client.force_login(staff_member("rita@example.org", "Rita Reviewer"))
    page = client.get(reverse("admin:exemptions_outboundemail_change", args=[row.pk])).content.decode()
    assert row.recipients[0] in page and link not in page and "/accounts/confirm-email/" not in page
