"""EP accounts through django-allauth: sign up, verify by email, log in, reset password, change email."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from exemptions.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-passphrase-for-tests"


def link_in(body: str) -> str:
    return re.search(re.escape(settings.SITE_URL) + r"(/accounts/[^\s]+)", body).group(1)


def test_sign_up_sends_a_verification_email_and_the_link_verifies(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox publishes to the worker on commit
        response = client.post(
            "/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}
        )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    (email,) = mail.outbox
    assert email.to == ["new@example.org"] and "Confirm" in email.subject
    confirm = link_in(email.body)
    client.post(confirm)
    assert EmailAddress.objects.get(user=user).verified


def test_common_and_short_passwords_are_refused(client):
    page = client.post(
        "/accounts/signup/", {"email": "x@example.org", "password1": "password123", "password2": "password123"}
    ).content.decode()
    assert "too common" in page or "too short" in page
    assert not User.objects.filter(email="x@example.org").exists()


def test_signing_up_with_an_existing_email_does_not_reveal_it(client, ep):
    response = client.post(
        "/accounts/signup/", {"email": "alice@example.org", "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )
    assert "already registered" not in response.content.decode().lower()
    assert "A user is already registered" not in response.content.decode()
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1


def test_log_in_and_out(client, ep):
    response = client.post(
        "/accounts/login/", {"login": "alice@example.org", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response.url == "/requests/"
    assert client.get("/requests/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/requests/").status_code == 302


def test_password_reset_mails_a_link_and_does_not_reveal_unknown_addresses(
    client, ep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password/reset/", {"email": "alice@example.org"}, follow=True)
        unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    reset = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    assert len(reset) == 1 and "/accounts/password/reset/key/" in reset[0].body


def test_change_email_adds_an_address_to_verify(client, ep, django_capture_on_commit_callbacks):
    client.force_login(ep)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_add": "", "email": "alice.new@example.org"})
    assert EmailAddress.objects.filter(user=ep, email="alice.new@example.org", verified=False).exists()
    assert any(m.to == ["alice.new@example.org"] for m in mail.outbox)
