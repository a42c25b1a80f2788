"""Two-factor authentication (TOTP, allauth.mfa) is required for staff before they reach the admin."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse
from django.utils import timezone

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


def wrong_code(secret: str) -> str:
    return "000000" if current_code(secret) != "000000" else "111111"


def code_attempt(client, code, ip="203.0.113.7"):
    return client.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=ip)


def test_finding_second_factor_guessable_five_wrong_codes_pause_the_account_from_any_address(client, staff_user):
    from axes.models import AccessFailureLog
    from django.test import Client

    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert password_login(client, staff_user).url == reverse("mfa_authenticate")
        for _ in range(5):
            response = code_attempt(client, wrong_code(secret))
            assert response.status_code == 200 and "_auth_user_id" not in client.session
        # The 6th try is refused even with the right code, from this address and, with the same (stolen) session
        # cookie, from another one.
        paused = code_attempt(client, current_code(secret))
        assert paused.status_code == 200 and "Too many failed login attempts" in paused.content.decode()
        thief = Client()
        thief.cookies = client.cookies
        assert code_attempt(thief, current_code(secret), ip="198.51.100.99").status_code == 200
        assert "_auth_user_id" not in client.session and "_auth_user_id" not in thief.session
        assert client.get("/admin/").status_code == 302
        # A fresh password login (a new pending login) gets no fresh codes either.
        fresh = Client()
        assert password_login(fresh, staff_user).url == reverse("mfa_authenticate")
        assert code_attempt(fresh, current_code(secret), ip="192.0.2.1").status_code == 200
        assert "_auth_user_id" not in fresh.session

    # Administrators see every refused code, and which ones the pause refused.
    rows = AccessFailureLog.objects.filter(username=staff_user.email, path_info=reverse("mfa_authenticate"))
    assert rows.count() == 8
    assert rows.filter(locked_out=True).count() == 4  # the 5th wrong code started the pause, then 3 refusals
    assert {row.ip_address for row in rows} == {"203.0.113.7", "198.51.100.99", "192.0.2.1"}

    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        later = Client()
        assert password_login(later, staff_user).url == reverse("mfa_authenticate")
        response = code_attempt(later, current_code(secret))
        assert response.status_code == 302 and response.url == "/admin/"
        assert later.get("/admin/").status_code == 200


def test_finding_second_factor_guessable_the_pause_is_logged_and_listed_in_the_admin(
    client, staff_user, admin_client, caplog, settings
):
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    password_login(client, staff_user)
    with caplog.at_level("WARNING", logger="portal.security"):
        for _ in range(5):
            code_attempt(client, wrong_code(secret))
    (record,) = [r for r in caplog.records if getattr(r, "event", "") == "second_factor_paused"]
    assert record.user_id == staff_user.pk
    settings.PORTAL_REQUIRE_STAFF_MFA = False  # admin_client's own account has no authenticator
    page = admin_client.get("/admin/axes/accessfailurelog/?locked_out__exact=1")
    assert page.status_code == 200 and staff_user.email in page.content.decode()


def test_a_right_code_before_the_limit_resets_the_count(client, staff_user):
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)
    password_login(client, staff_user)
    for _ in range(4):
        code_attempt(client, wrong_code(secret))
    assert code_attempt(client, current_code(secret)).status_code == 302
    client.post(reverse("account_logout"))
    password_login(client, staff_user)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31), tick=False):  # the next 30-second code
        for _ in range(4):
            code_attempt(client, wrong_code(secret))
        assert code_attempt(client, current_code(secret)).status_code == 302
