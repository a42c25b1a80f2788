"""Browser tests: Playwright (sync API) driving Debian's /usr/bin/chromium against a live Django server.

Skipped with one line when Chromium is missing; PORTAL_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
Screenshots of key pages go to screenshots/ (git-ignored). axe-core (vendored) checks WCAG 2.1 A/AA.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("PORTAL_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, *, exclude: list[str] | None = None) -> list[dict]:
    """Run axe-core on the page as it is now; return WCAG 2.1 A/AA violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    context = {"exclude": [[sel] for sel in exclude]} if exclude else {"include": [["html"]]}
    result = page.evaluate(
        "async ([context, tags]) => await axe.run(context, {runOnly: {type: 'tag', values: tags}})",
        [context, AXE_TAGS],
    )
    return result["violations"]


def assert_accessible(page, what: str, **kwargs) -> None:
    violations = axe_violations(page, **kwargs)
    summary = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
    assert not violations, f"axe found WCAG violations on {what}:\n{json.dumps(summary, indent=2)}"


# The widths every page must fit without sideways scrolling (a small phone, a phone, a tablet, a laptop).
WIDTHS = (320, 375, 768, 1280)
OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > doc.clientWidth + 1 && getComputedStyle(el).position !== 'fixed'
      && !el.closest('.visually-hidden, .visually-hidden-focusable, [hidden]');
  }).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
}"""


def session_cookie(user, url: str) -> dict:
    """Sign `user` in without the sign-in form (the form itself is covered elsewhere)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }
