"""Sessions end after 30 minutes idle and 12 hours absolute; the warning dialog and its keep-alive."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db
DASHBOARD = "/requests/"


@pytest.fixture
def start():
    return timezone.now()


def signed_in(client, ep, start):
    with time_machine.travel(start, tick=False):
        client.force_login(ep)
        assert client.get(DASHBOARD).status_code == 200


def test_cookie_settings_keep_the_session_short_and_out_of_scripts(settings):
    assert settings.PORTAL_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.PORTAL_SESSION_ABSOLUTE_SECONDS == settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_29_minutes_idle_is_fine_31_signs_out_with_a_message(client, ep, start):
    signed_in(client, ep, start)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get(DASHBOARD).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29 + 31), tick=False):
        response = client.get(DASHBOARD)
        assert response.status_code == 302
        assert response.url in ("/accounts/login/?next=/requests/", "/accounts/login/?next=%2Frequests%2F")
        page = client.get(response.url).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert "_auth_user_id" not in client.session


def test_activity_every_20_minutes_still_ends_after_12_hours(client, ep, start):
    signed_in(client, ep, start)
    moment = start
    while moment + dt.timedelta(minutes=20) < start + dt.timedelta(hours=12):
        moment += dt.timedelta(minutes=20)
        with time_machine.travel(moment, tick=False):
            assert client.get(DASHBOARD).status_code == 200, moment - start
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=1), tick=False):
        response = client.get(DASHBOARD)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        assert "after 12 hours" in client.get(response.url).content.decode()


def test_a_new_login_restarts_both_clocks(client, ep, start):
    signed_in(client, ep, start)
    with time_machine.travel(start + dt.timedelta(hours=11, minutes=59), tick=False):
        client.post("/accounts/logout/")
        response = client.post("/accounts/login/", {"login": ep.email, "password": "correct horse battery staple"})
        assert response.status_code == 302
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=10), tick=False):
        assert client.get(DASHBOARD).status_code == 200


def test_stay_signed_in_counts_as_activity_and_reports_the_new_deadline(client, ep, start):
    signed_in(client, ep, start)
    with time_machine.travel(start + dt.timedelta(minutes=28), tick=False):
        state = client.post(reverse("session_keepalive")).json()
    assert state == {
        "signed_in": True,
        "idle_seconds": 1800,
        "idle_remaining": 1800,
        "absolute_remaining": 12 * 3600 - 28 * 60,
    }
    with time_machine.travel(start + dt.timedelta(minutes=28 + 29), tick=False):
        assert client.get(DASHBOARD).status_code == 200


def test_asking_for_the_deadline_is_not_activity(client, ep, start):
    signed_in(client, ep, start)
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert client.get(reverse("session_keepalive")).json()["idle_remaining"] == 5 * 60
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert client.get(DASHBOARD).status_code == 302


def test_keepalive_after_expiry_says_signed_out(client, ep, start):
    signed_in(client, ep, start)
    with time_machine.travel(start + dt.timedelta(minutes=40), tick=False):
        response = client.post(reverse("session_keepalive"), HTTP_ACCEPT="application/json")
    assert response.status_code == 401 and response.json() == {"signed_in": False}


def test_keepalive_needs_a_csrf_token(ep):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ep)
    assert client.post(reverse("session_keepalive")).status_code == 403


def test_signed_in_pages_carry_an_accessible_timeout_dialog(client, ep, start):
    signed_in(client, ep, start)
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        page = client.get(DASHBOARD).content.decode()
    dialog = re.search(r"<dialog[^>]*>.*?</dialog>", page, re.S).group(0)
    assert 'role="alertdialog"' in dialog and 'aria-modal="true"' in dialog
    assert 'aria-labelledby="session-timeout-title"' in dialog
    assert 'aria-describedby="session-timeout-message"' in dialog
    assert dialog.count("<button") == 1 and "Stay signed in" in dialog
    body = re.search(r"<body[^>]*>", page).group(0)
    assert 'data-session-idle-remaining="1800"' in body
    assert 'data-session-warn-before="120"' in body  # 2 minutes of warning: well over WCAG 2.2.1's 20 seconds
    assert 'data-session-absolute-remaining="42600"' in body
    assert "js/session.js" in page


def test_anonymous_pages_have_no_timeout_dialog(client, db):
    page = client.get("/").content.decode()
    assert "<dialog" not in page and "session.js" not in page


def test_the_signed_out_page_says_the_draft_was_saved_and_keeps_next_local(client, ep):
    client.force_login(ep)
    response = client.post(reverse("session_expired") + "?saved=1&next=/requests/")
    page = response.content.decode()
    assert "Your draft was saved" in page and 'href="/accounts/login/?next=/requests/"' in page
    assert "_auth_user_id" not in client.session
    evil = client.get(reverse("session_expired") + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in evil
