"""Browser security headers, a CSP without inline code (and templates that need none), private uploads."""

import re
from pathlib import Path

import pytest
from django.test import TestCase
from django.urls import reverse

from tests.factories import complete_draft, stored_document
from tests.test_security_sweep import world  # noqa: F401 (the sweep's objects of every kind, as a fixture)

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Emails are read in mail clients (inline styles are how HTML email works) and PDFs by WeasyPrint: no CSP there.
NOT_BROWSER_PAGES = ("emails", "pdf")


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/help/", "/accounts/login/", "/accounts/signup/"])
def test_pages_carry_a_strict_content_security_policy(client, url):
    policy = csp_directives(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    header = client.get(url)["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_signed_in_pages_and_the_admin_carry_it_too(client, ep, admin_client):
    client.force_login(ep)
    assert "unsafe-inline" not in client.get("/requests/")["Content-Security-Policy"]
    assert "script-src 'self'" in admin_client.get("/admin/")["Content-Security-Policy"]


def test_other_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def browser_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] not in NOT_BROWSER_PAGES:
            yield path


@pytest.mark.parametrize("path", list(browser_templates()), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_style_or_event_handler(path):
    source = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", source, re.I):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline <script> in {path}: move it to static/js/"
    assert not re.search(r"<style\b", source, re.I), f"<style> in {path}: move it to static/css/portal.css"
    assert not re.search(r"\sstyle\s*=", source, re.I), f"style attribute in {path}: use a class in portal.css"
    assert not re.search(r"\son[a-z]+\s*=", source, re.I), f"inline event handler in {path}: use static/js/"
    assert "javascript:" not in source.lower(), f"javascript: URL in {path}"


def test_uploads_are_not_served_from_a_public_url(client, ep, settings):
    draft = complete_draft(owner=ep)
    document = stored_document(request=draft)
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404
    assert client.get("/media/" + document.file.name).status_code == 404


def test_document_download_is_an_attachment_that_browsers_may_not_sniff(client, ep):
    draft = complete_draft(owner=ep)
    document = stored_document(request=draft, original_name='evil".html.pdf')
    client.force_login(ep)
    response = client.get(reverse("exemptions:document_download", args=[document.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"


def test_receipt_pdf_is_an_attachment(client, ep):
    from django.utils import timezone

    from exemptions.services.requests import request_submit

    draft = complete_draft(owner=ep)
    with TestCase.captureOnCommitCallbacks(execute=True):  # as a commit would: the receipt is built
        request_submit(exemption=draft, actor=ep, at=timezone.now())
    client.force_login(ep)
    response = client.get(reverse("exemptions:request_receipt", args=[draft.public_id]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def every_get_route(patterns=None, prefix="", namespace=None):
    """(name, converters) of every named URL pattern of the portal outside the admin (which sets its own)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns != "admin":
                yield from every_get_route(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, dict(getattr(entry.pattern, "converters", {}))


def route_kwargs(converters: dict, candidates: dict, ep) -> list[dict]:
    from exemptions.models import AdjustmentYear, ExemptionRequest
    from exemptions.services.reminders import stop_token
    from exemptions.views.public import HELP_PAGES
    from tests.test_security_sweep import combinations

    special = {
        "slug": list(HELP_PAGES),
        "year": list(AdjustmentYear.objects.values_list("year", flat=True)),
        "token": [stop_token(exemption=ExemptionRequest.objects.filter(owner=ep).first())],
    }
    fixed = {name: values for name, values in special.items() if name in converters}
    rest = {name: conv for name, conv in converters.items() if name not in fixed}
    combos = combinations(rest, candidates) if rest else [{}]
    return [{**combo, **{name: values[0] for name, values in fixed.items()}} for combo in combos[:200]]


def test_finding_personal_data_cacheable_every_page_an_ep_can_get_is_private_no_store(client, ep, world):  # noqa: F811
    from django.urls import NoReverseMatch

    client.raise_request_exception = False
    checked = {}
    for name, converters in every_get_route():
        for kwargs in route_kwargs(converters, world, ep):
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:  # allauth's emailed links (key, uid): covered by the signed-out pages below
                break
            client.force_login(ep)  # a page visited before (log out, expiry) may have ended the session
            response = client.get(url)
            if response.status_code in (404, 405):
                continue
            cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            assert {"private", "no-store"} <= cache_control, f"{url} ({response.status_code}): {cache_control}"
            checked[name] = response.status_code
            break
    pages = {"exemptions:dashboard", "exemptions:request_detail", "exemptions:group_eps", "account_email"}
    downloads = {
        "exemptions:request_receipt",
        "exemptions:document_download",
        "exemptions:group_letter_download",
        "exemptions:group_eps_export",
        "exemptions:request_bundle",
    }
    assert pages | downloads <= set(checked), sorted(pages | downloads - set(checked))
    assert len(checked) >= 40


@pytest.mark.parametrize("url", ["/", "/help/", "/accounts/password/reset/"])
def test_finding_personal_data_cacheable_signed_out_forms_are_private_no_store_too(client, url):
    """A signed-out form echoes the email typed into it; nothing the portal renders is kept by a cache."""
    assert {"private", "no-store"} <= {part.strip() for part in client.get(url)["Cache-Control"].split(",")}


def test_a_view_that_sets_its_own_cache_control_keeps_it(client):
    assert "max-age=0" in client.get("/healthz")["Cache-Control"]
