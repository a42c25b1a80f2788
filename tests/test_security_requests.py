"""Hostile requests: missing CSRF tokens, open redirects, oversized bodies, SSRF/local files through PDFs."""

import io
import uuid
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from exemptions.documents import pdf
from exemptions.documents.receipts import receipt_pdf
from exemptions.models import AffectedEP
from exemptions.services.requests import request_submit
from tests.factories import complete_draft
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


# --- CSRF -----------------------------------------------------------------------------------------------
# Views that accept a POST without a CSRF token, each with the reason. Anything else marked csrf_exempt fails.
CSRF_EXEMPT_ALLOWED = {
    "/reminders/stop/": "RFC 8058 one-click unsubscribe from mail clients; the signed token is the permission",
}


def every_url() -> list[tuple[str, object]]:
    """(URL, view) for every route pattern of the project, object ids filled with a random UUID or 1."""
    urls = {}

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                converters = getattr(entry.pattern, "converters", None)
                if converters is None or route.startswith("^") or "(?P" in route:
                    continue  # regex patterns (allauth's, admin's) are covered by the named list below
                for name, converter in converters.items():
                    value = str(uuid.uuid4()) if type(converter).__name__ == "UUIDConverter" else "1"
                    route = route.replace(f"<{_converter_name(converter)}:{name}>", value).replace(f"<{name}>", value)
                urls["/" + route] = entry.callback

    walk(get_resolver().url_patterns)
    return sorted(urls.items())


def _converter_name(converter) -> str:
    return {"UUIDConverter": "uuid", "IntConverter": "int", "SlugConverter": "slug", "StringConverter": "str"}.get(
        type(converter).__name__, "path"
    )


NAMED_POSTS = ["account_login", "account_signup", "account_logout", "account_reset_password", "admin:index"]
CHECKED = [url for url, view in every_url() if not getattr(view, "csrf_exempt", False)] + [
    reverse(name) for name in NAMED_POSTS
]


@pytest.mark.parametrize("url", CHECKED)
def test_a_post_without_a_csrf_token_is_refused(url, ep):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ep)
    response = client.post(url, {"action": "submit", "login": ep.email, "password": "x"})
    assert response.status_code == 403, url


def test_every_csrf_exempt_view_is_on_the_reviewed_list():
    exempt = [url for url, view in every_url() if getattr(view, "csrf_exempt", False)]
    for url in exempt:
        assert any(url.startswith(prefix) for prefix in CSRF_EXEMPT_ALLOWED), f"{url} accepts POSTs without CSRF"


def test_a_post_with_the_token_from_the_page_is_accepted(ep):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("account_login"))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("account_login"),
        {"login": ep.email, "password": "correct horse battery staple", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response.url == "/requests/"


# --- Open redirects --------------------------------------------------------------------------------------
HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "\\\\evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_ignores_a_next_that_leaves_the_site(client, ep, target):
    response = client.post(
        reverse("account_login") + "?next=" + target, {"login": ep.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.url == "/requests/"


def test_login_follows_a_local_next(client, ep):
    response = client.post(
        reverse("account_login") + "?next=/help/faq/", {"login": ep.email, "password": "correct horse battery staple"}
    )
    assert response.url == "/help/faq/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_logout_ignores_a_next_that_leaves_the_site(client, ep, target):
    client.force_login(ep)
    response = client.post(reverse("account_logout"), {"next": target})
    assert response.status_code == 302 and "evil.example" not in response.url


# --- Oversized bodies ------------------------------------------------------------------------------------
class ExplodingInput(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_50_mb_body_is_refused_from_its_content_length_without_reading_it(client, ep):
    client.force_login(ep)
    draft = complete_draft(owner=ep)
    response = client.generic(
        "POST",
        reverse("exemptions:request_edit", args=[draft.public_id]),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        **{"wsgi.input": ExplodingInput()},
    )
    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "too large" in response.content.decode()


def test_a_body_just_under_the_limit_is_not_refused_by_size(client, ep, settings):
    client.force_login(ep)
    response = client.post(reverse("session_keepalive"), {"pad": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 100)})
    assert response.status_code == 200


def test_form_fields_beyond_data_upload_max_memory_size_are_refused(client, ep, settings):
    client.force_login(ep)
    client.raise_request_exception = False
    draft = complete_draft(owner=ep)
    response = client.post(
        reverse("exemptions:request_edit", args=[draft.public_id]),
        {"justification": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "action": "save"},
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.justification == "State law prevented e-prescribing."


def test_the_limits_are_configured_together(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * 1024 * 1024
    assert settings.PORTAL_DOCUMENT_MAX_BYTES < settings.PORTAL_MAX_REQUEST_BYTES < 50 * 1024 * 1024


# --- SSRF and local files through PDFs -------------------------------------------------------------------
PAYLOADS = [
    '<img src="http://169.254.169.254/latest/meta-data/iam/">',
    '<link rel="stylesheet" href="file:///etc/passwd">',
    "<style>@import url(http://127.0.0.1:6379/);</style>",
    '<object data="file:///etc/shadow"></object>',
    '<svg><image href="https://attacker.example/x.png"/></svg>',
    "url(file:///proc/self/environ)",
]


@pytest.fixture
def fetch_spy(monkeypatch):
    """Wraps the portal's URL fetcher and records every URL WeasyPrint asks for, and every URL it refused."""
    real = pdf.StaticOnlyFetcher.instance()
    calls: list[str] = []
    refused: list[str] = []

    class Spy(type(real)):
        def fetch(self, url, headers=None):
            calls.append(url)
            try:
                return super().fetch(url, headers)
            except ValueError:
                refused.append(url)
                raise

    spy = Spy(allowed_protocols={"file"}, allow_redirects=False)
    monkeypatch.setattr(pdf.StaticOnlyFetcher, "instance", classmethod(lambda cls: spy))
    return SimpleNamespace(calls=calls, refused=refused)


def test_hostile_text_in_every_receipt_field_fetches_nothing(ep, fetch_spy):
    payload = " ".join(PAYLOADS)
    draft = complete_draft(owner=ep, justification=payload, contact_phone=payload[:30], cehrt_id=PAYLOADS[0][:30])
    AffectedEP.objects.filter(request=draft).update(
        name=payload[:200], address_line1=payload[:200], address_line2=payload[:200], city=payload[:100]
    )
    request_submit(exemption=draft, actor=ep, at=timezone.now())
    text = pdf_text(receipt_pdf(draft))
    assert "169.254.169.254" in text  # shown as text: escaped, never parsed as markup
    assert all(url.startswith(pdf.STATIC_DIR.as_uri()) for url in fetch_spy.calls), fetch_spy.calls
    assert fetch_spy.refused == []


def test_the_fetcher_refuses_everything_outside_static_even_in_raw_markup(fetch_spy):
    import weasyprint

    html = "<p>x</p>" + "".join(PAYLOADS) + '<img src="../../../etc/passwd">'
    document = weasyprint.HTML(
        string=html, base_url=pdf.STATIC_DIR.as_uri() + "/", url_fetcher=pdf.StaticOnlyFetcher.instance()
    )
    assert document.write_pdf().startswith(b"%PDF")
    refused = fetch_spy.refused
    assert any("169.254.169.254" in url for url in refused)
    assert any(url == "file:///etc/passwd" for url in refused)
    assert any("/etc/passwd" in url for url in refused if not url.startswith(pdf.STATIC_DIR.as_uri()))
    assert not [url for url in fetch_spy.calls if url not in refused and not url.startswith(pdf.STATIC_DIR.as_uri())]
