"""Failed-login lockout (django-axes): per account and client IP, with a cool-off, on the EP and staff logins."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
RIGHT = "correct horse battery staple"


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def fail(client, email, times, ip="203.0.113.7"):
    return [attempt(client, email, "wrong password", ip) for _ in range(times)]


def test_four_wrong_passwords_show_the_usual_error_and_the_right_one_still_works(client, ep):
    responses = fail(client, ep.email, 4)
    assert all(r.status_code == 200 for r in responses)
    assert "not correct" in responses[-1].content.decode()
    response = attempt(client, ep.email, RIGHT)
    assert response.status_code == 302 and response.url == "/requests/"


def test_the_fifth_wrong_password_pauses_sign_in_with_a_clear_message(client, ep, settings):
    responses = fail(client, ep.email, settings.AXES_FAILURE_LIMIT)
    locked = responses[-1]
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused" in page and "paused for 30 minutes" in page and "reset it" in page
    # Even the right password is refused while paused, so guessing cannot continue.
    assert attempt(client, ep.email, RIGHT).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_right_password_works_after_the_cool_off(client, ep):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, ep.email, 5)
        assert attempt(client, ep.email, RIGHT).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert attempt(client, ep.email, RIGHT).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = attempt(client, ep.email, RIGHT)
    assert response.status_code == 302 and response.url == "/requests/"


def test_lockout_is_per_account_and_address_so_a_clinic_is_not_locked_out(client, ep, other_ep):
    fail(client, ep.email, 5, ip="203.0.113.7")
    # The same account from the clinic's real address, and another account from the attacker's address, work.
    assert attempt(client, ep.email, RIGHT, ip="198.51.100.20").status_code == 302
    client.logout()
    assert attempt(client, other_ep.email, RIGHT, ip="203.0.113.7").status_code == 302


def test_letter_case_does_not_give_an_attacker_more_guesses(client, ep):
    fail(client, ep.email.upper(), 3)
    fail(client, ep.email, 2)
    assert attempt(client, ep.email, RIGHT).status_code == 429


def test_unknown_accounts_are_paused_the_same_way_no_enumeration(client, db):
    responses = fail(client, "nobody@example.org", 5)
    assert responses[-1].status_code == 429
    assert "Sign-in paused" in responses[-1].content.decode()


def test_the_admin_login_form_is_replaced_by_the_portal_login(client, staff_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    # Posting a password to the admin's own form signs nobody in: there is no second, unthrottled door.
    response = client.post("/admin/login/", {"username": staff_user.email, "password": RIGHT})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staff_are_locked_out_likewise_and_reach_the_admin_after_the_cool_off(client, staff_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        responses = fail(client, staff_user.email, 5)
        assert responses[-1].status_code == 429
        assert client.get("/admin/").status_code == 302
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        response = client.post(
            LOGIN + "?next=/admin/", {"login": staff_user.email, "password": RIGHT}, REMOTE_ADDR="203.0.113.7"
        )
        assert response.status_code == 302 and response.url == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_failed_attempts_are_recorded_without_the_password(client, ep):
    from axes.models import AccessAttempt

    fail(client, ep.email, 2)
    (row,) = AccessAttempt.objects.all()
    assert row.username == ep.email and row.failures_since_start == 2 and row.ip_address == "203.0.113.7"
    assert "wrong password" not in row.post_data


def test_client_ip_behind_a_trusted_proxy_is_the_proxys_view_not_the_clients_claim(rf, settings):
    from portal.auth import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "198.51.100.20"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"


def test_finding_shared_address_lockout_failures_against_many_accounts_never_block_another_accounts_password(
    client, ep
):
    """Everyone behind one proxy or NAT address shares it: 40 failed logins against other accounts from there
    (more than the old per-address limit of 30 in 5 minutes) leave an account that was not attacked working."""
    start = timezone.now()
    for minute in range(4):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            for n in range(10):  # under the per-address flood brake on login POSTs (30 a minute)
                assert attempt(client, f"someone{minute}-{n}@example.org", "wrong password").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=4), tick=False):
        response = attempt(client, ep.email, RIGHT)
    assert response.status_code == 302 and response.url == "/requests/"


def test_finding_shared_address_lockout_an_account_is_also_paused_when_guessed_from_many_addresses(client, ep):
    """Per account whatever the address: 10 failures from 10 addresses (none reaching django-axes' per-address
    limit) pause the account for 15 minutes, so a botnet cannot guess one password for ever."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(10):
            assert attempt(client, ep.email, "wrong password", ip=f"192.0.2.{n + 1}").status_code == 200
        refused = attempt(client, ep.email, RIGHT, ip="198.51.100.20")
        assert refused.status_code == 200 and "Too many failed login attempts" in refused.content.decode()
        assert "_auth_user_id" not in client.session
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        response = attempt(client, ep.email, RIGHT, ip="198.51.100.20")
    assert response.status_code == 302 and response.url == "/requests/"


def test_finding_shared_address_lockout_the_rate_limits_keep_the_librarys_other_keys():
    from allauth.account import app_settings as account_settings

    limits = account_settings.RATE_LIMITS
    assert limits["login_failed"] == "10/15m/key" and "ip" not in limits["login_failed"]
    assert limits["second_factor_failed"] == "5/15m/key"
    # Keys the portal does not set keep allauth's defaults.
    assert limits["reauthenticate"] == "10/m/user" and limits["signup"] == "20/m/ip"
    assert limits["reset_password"] == "20/m/ip,5/m/key"
