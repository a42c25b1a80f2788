"""The help desk is one configuration, shown on the Contact page, in every page footer and at the end of every email."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from exemptions.emails.rendering import render_email

pytestmark = pytest.mark.django_db


@override_settings(PORTAL_HELP_DESK_EMAIL="help@cms.example", PORTAL_HELP_DESK_PHONE="1-800-555-0100")
def test_contact_page_and_every_footer_show_the_configured_help_desk(client):
    contact = client.get(reverse("exemptions:help_page", args=["contact"]))
    assert contact.status_code == 200
    main = contact.text.split('<main id="main"')[1].split("</main>")[0]  # the page itself, not its footer
    assert "help@cms.example" in main and "1-800-555-0100" in main
    for page in ("exemptions:home", "exemptions:estimator", "account_login"):
        footer = client.get(reverse(page)).text.split("<footer")[1]
        assert reverse("exemptions:help_page", args=["contact"]) in footer and "help@cms.example" in footer, page


def test_signed_out_menu_uses_one_term_per_action(client):
    page = client.get(reverse("exemptions:home")).text
    assert ">Sign in</a>" in page and ">Create account</a>" in page
    assert "Log in" not in page and "Sign up" not in page


@override_settings(PORTAL_HELP_DESK_EMAIL="help@cms.example", SITE_URL="https://erx.example.gov")
def test_every_email_ends_with_the_sender_and_the_help_desk():
    message = render_email("window-opening", {"year": None, "opens_at": "", "link": "/"}, ["ep@example.com"])
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "eRx Hardship Exemption Requests" in body
        assert "help@cms.example" in body
        assert "https://erx.example.gov/" in body
    assert html.rstrip().endswith("</html>")
    assert not mail.outbox  # rendering sends nothing
