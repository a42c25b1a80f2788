"""Two-factor authentication (TOTP, allauth.mfa) is required for staff before they reach the admin."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _require_staff_mfa(settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = True


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def password_login(client, user, next_url="/admin/"):
    return client.post(reverse("account_login") + f"?next={next_url}", {"login": user.email, "password": PASSWORD})


def reauthenticate(client):
    """allauth asks for the password again before an authenticator is added (a stolen session cannot add one)."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff_user):
    password_login(client, staff_user)
    response = client.get("/admin/exemptions/exemptionrequest/")
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")
    reauthenticate(client)
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Staff accounts must use two-factor authentication" in text
    assert re.search(r'<img[^>]+src="data:image/svg\+xml', text), "the QR code is an image the CSP allows"
    assert "unsafe-inline" not in page["Content-Security-Policy"]


def test_setting_up_totp_opens_the_admin(client, staff_user):
    password_login(client, staff_user)
    reauthenticate(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_staff_with_totp_must_enter_the_code_at_every_login(client, staff_user):
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    response = password_login(client, staff_user)
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # the password alone did not sign in
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_eps_are_not_asked_for_a_second_factor(client, ep):
    response = password_login(client, ep, next_url="/requests/")
    assert response.status_code == 302 and response.url == "/requests/"
    assert client.get("/requests/").status_code == 200


def test_the_requirement_can_be_switched_off_only_by_setting(client, staff_user, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = False
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


def test_it_is_on_by_default_outside_the_test_suite():
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.PORTAL_REQUIRE_STAFF_MFA)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin"},
        cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent),
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stderr
