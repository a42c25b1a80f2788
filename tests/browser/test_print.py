"""The print stylesheet: a help page and a request's detail print their content without navigation or buttons."""

import pytest
from django.utils import timezone

from exemptions.services.requests import request_submit
from tests.browser.conftest import session_cookie
from tests.factories import UserFactory, complete_draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_help_page_prints_without_navigation(page):
    page.goto("/help/deadlines/")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator("footer").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()


def test_request_detail_prints_the_request_without_buttons(page, live_server):
    ep = UserFactory(email="pat@example.org")
    submitted = complete_draft(owner=ep)
    request_submit(exemption=submitted, actor=ep, at=timezone.now())
    page.context.add_cookies([session_cookie(ep, live_server.url)])
    page.goto(f"/requests/{submitted.public_id}/")
    page.emulate_media(media="print")
    submitted.refresh_from_db()
    assert page.get_by_text(submitted.reference).first.is_visible()
    assert not page.get_by_role("navigation", name="Main").is_visible()
    visible_buttons = [b for b in page.locator(".btn").all() if b.is_visible()]
    assert visible_buttons == []
