"""What every email the portal sends says: the person's name, the site's address (never a host and port), the
help desk, and human words only (no field names). A decision reaches each person on the request once."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail

from exemptions.emails.rendering import render_email
from exemptions.models import AffectedEP
from exemptions.services import review
from tests.conftest import et
from tests.factories import RequestFactory, YearFactory
from tests.reminder_fixtures import THREE_DAYS, online_window, sweep
from tests.review_fixtures import approve, deny, reviewer, start_review, submit  # noqa: F401

pytestmark = pytest.mark.django_db
SITE = "https://erx-hardship.example.gov"
PASSWORD = "a-long-passphrase-for-tests"
URL = re.compile(r"https?://\S+|mailto:\S+")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")  # address_line1, zip_code, contact_email ...
HOST_AND_PORT = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\blocalhost\b|\btestserver\b|:\d{4,5}\b")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def texts_of(message) -> list[str]:
    return [message.subject, message.body, *(content for content, _type in getattr(message, "alternatives", []))]


def assert_trustworthy(message) -> None:
    """The rules every email follows, checked on its subject, text body and HTML body."""
    for text in texts_of(message):
        words = URL.sub(" ", re.sub(r"<[^>]+>", " ", text))
        assert not SNAKE_CASE.findall(words), (message.subject, SNAKE_CASE.findall(words))
        assert not HOST_AND_PORT.findall(text), (message.subject, HOST_AND_PORT.findall(text))
        assert "Hello there" not in text and "Hello from" not in text
    assert message.from_email.startswith("eRx Hardship Exemption Requests <")  # the program's name as sender
    for body in texts_of(message)[1:]:
        assert "erx-hardship-help@example.gov" in body and "1-866-288-8912" in body
        assert SITE in body


# --- The account library's emails, in the portal's words ---------------------------------------------------------


def test_the_sign_up_email_is_the_portals_own_and_verifying_signs_in_and_starts_a_request(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    (message,) = mail.outbox
    assert message.subject == "Confirm your email address for eRx Hardship Exemption Requests"
    assert message.body.startswith("Hello,\n\nThank you for creating an account on eRx Hardship Exemption Requests")
    assert_trustworthy(message)
    link = re.search(re.escape(SITE) + r"(/accounts/confirm-email/\S+)", message.body).group(1)
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "/requests/new/"
    page = client.get(response["Location"])
    assert page.wsgi_request.user.email == "new@example.org"
    assert "Start a request" in page.content.decode()


def test_a_link_opened_in_another_browser_asks_to_sign_in_then_starts_a_request(
    client, django_capture_on_commit_callbacks
):
    from django.test import Client

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    link = re.search(re.escape(SITE) + r"(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)
    response = Client().post(link)
    assert response["Location"] == "/accounts/login/?next=/requests/new/"


def test_an_existing_account_and_a_password_reset_get_the_portals_words(client, ep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": ep.email, "password1": PASSWORD, "password2": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": ep.email})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "You already have an account on eRx Hardship Exemption Requests",
        "Choose a new password for eRx Hardship Exemption Requests",
        "No account with this email address on eRx Hardship Exemption Requests",
    ]
    assert mail.outbox[0].body.startswith(f"Hello {ep.full_name},")
    assert f"{SITE}/accounts/password/reset/" in mail.outbox[0].body
    assert f"{SITE}/accounts/password/reset/key/" in mail.outbox[1].body
    for message in mail.outbox:
        assert_trustworthy(message)


# --- The portal's own emails -------------------------------------------------------------------------------------


@pytest.fixture
def shared_request(ep, django_capture_on_commit_callbacks):
    """A submitted request whose contact is the account holder typed in capitals, with three EPs: one with the
    account's address in other capitals, one with its own address, one without an email."""
    with django_capture_on_commit_callbacks(execute=True):
        exemption = submit(
            ep, npis=("1234567893", "1558598797", "1326000014"), contact_email=ep.email.upper(), contact_name="Ann Lee"
        )
    eps = list(exemption.affected_eps.order_by("position"))
    AffectedEP.objects.filter(pk=eps[0].pk).update(name="Jane Smith", email="Alice@Example.org")
    AffectedEP.objects.filter(pk=eps[1].pk).update(name="Ben Jones", email="ben@example.org")
    AffectedEP.objects.filter(pk=eps[2].pk).update(name="Cara Diaz", email="")
    return exemption


def test_the_confirmation_greets_by_name_and_follows_the_rules(shared_request, ep):
    (message,) = [m for m in mail.outbox if m.subject.startswith("Received:")]
    assert message.body.startswith(f"Hello {ep.full_name},")
    assert_trustworthy(message)


@pytest.mark.parametrize("decision", ["approve", "deny"])
def test_a_decision_names_every_ep_and_reaches_each_address_once(
    decision,
    shared_request,
    reviewer,  # noqa: F811 (a fixture)
    django_capture_on_commit_callbacks,
):
    start_review(shared_request, reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if decision == "approve":
            approve(shared_request, reviewer, at=et(2013, 3, 1, 14))
        else:
            deny(shared_request, reviewer, "justification_incomplete", at=et(2013, 3, 1, 14))
    (message,) = mail.outbox
    assert message.to == ["alice@example.org", "ben@example.org"]  # account = contact = EP 1; EP 3 has no email
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Hello Alice Able," in text
        assert "these 3 eligible professionals (EPs)" in text
        for name, npi in (("Jane Smith", "1234567893"), ("Ben Jones", "1558598797"), ("Cara Diaz", "1326000014")):
            assert f"{name}, NPI {npi}" in text
    assert_trustworthy(message)


def test_a_question_from_cms_follows_the_rules(shared_request, reviewer, django_capture_on_commit_callbacks):  # noqa: F811
    start_review(shared_request, reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.request_ask_for_information(
            exemption=shared_request,
            actor=reviewer,
            at=et(2013, 3, 1, 14),
            reason_code="info_cehrt",
            message="Please send the letter from your EHR vendor.",
            reply_by=et(2013, 3, 30).date(),
        )
    (message,) = mail.outbox
    assert message.body.startswith("Hello Alice Able,")
    assert_trustworthy(message)


def test_a_draft_reminder_names_what_is_missing_in_words(ep):
    year = YearFactory(year=2031)
    online_window(year)
    with time_machine.travel(et(2030, 2, 15), tick=False):
        draft = RequestFactory(owner=ep, year=year, tin="", contact_name="")
        AffectedEP.objects.create(request=draft, npi="1234567893", name="Jane Smith", email="jane@example.org")
    sweep(THREE_DAYS)
    (message,) = mail.outbox
    assert "Jane Smith (NPI 1234567893) is missing: street address, city, state, ZIP code." in message.body
    assert message.body.startswith("Hello Alice Able,")
    assert_trustworthy(message)


def test_an_email_to_someone_without_a_name_says_hello_without_there(ep):
    ep.full_name = ""
    ep.save()
    year = YearFactory(year=2031)
    online_window(year)
    with time_machine.travel(et(2030, 2, 15), tick=False):
        RequestFactory(owner=ep, year=year, contact_name="")
    sweep(THREE_DAYS)
    (message,) = mail.outbox
    assert message.body.startswith("Hello,\n")


# --- Every template of the portal's emails, rendered once with every value filled -------------------------------

EMAIL_NAMES = [
    path.name.removesuffix("-subject.txt")
    for path in sorted((Path(__file__).resolve().parent.parent / "templates" / "emails").glob("*-subject.txt"))
]


def full_context() -> dict:
    year = SimpleNamespace(year=2013, is_practice=False, adjustment_percent=1.5)
    exemption = SimpleNamespace(reference="HX-2013-000042", year=year, group_name="Chesapeake Family Medicine")
    return {
        "name": "Jane Smith",
        "request": exemption,
        "year": year,
        "categories": [SimpleNamespace(name="Rural area without sufficient high-speed internet access")],
        "submitted_at_et": "10:39 p.m. ET on Tuesday, November 8, 2011",
        "decided_at_et": "2:00 p.m. ET on Friday, March 1, 2013",
        "ep_count": 2,
        "eps": [{"name": "Jane Smith", "npi": "1234567893"}, {"name": "Ben Jones", "npi": "1558598797"}],
        "message": "CMS reviewed your request.",
        "reply_by": "Saturday, March 30, 2013",
        "letter": SimpleNamespace(version=1, page_count=3),
        "deadline": "Tuesday, November 1, 2011",
        "deadline_et": "11:59 p.m. ET on Tuesday, November 1, 2011",
        "time_left": "3 days left",
        "opens_et": "12:00 a.m. ET on Monday, October 3, 2011",
        "extended_from": "",
        "missing": ["Jane Smith (NPI 1234567893) is missing: street address, ZIP code."],
        "question": SimpleNamespace(message="Please send the letter from your EHR vendor."),
        "window": SimpleNamespace(get_channel_display="Online"),
        "link": f"{SITE}/requests/1/",
        "respond_link": "/requests/1/respond/",
        "stop_link": f"{SITE}/reminders/stop/abc/",
        "preferences_link": f"{SITE}/reminders/",
    }


@pytest.mark.parametrize("name", EMAIL_NAMES)
def test_every_email_template_reads_as_words_with_the_help_desk_and_a_greeting(name):
    message = render_email(name, full_context(), to=["jane@example.org"])
    assert_trustworthy(message)
    assert message.body.startswith("Hello Jane Smith,")
    assert "Hello Jane Smith," in message.alternatives[0][0]
