import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from exemptions.models import AdjustmentYear, Announcement, SubmissionWindow
from tests.conftest import et

pytestmark = pytest.mark.django_db


def test_home_lists_each_year_with_its_windows_in_plain_words(client):
    with time_machine.travel(et(2012, 12, 1, 12, 0), tick=False):
        page = client.get("/").content.decode()
    assert "2012 adjustment (1%)" in page and "2013 adjustment (1.5%)" in page and "2014 adjustment (2%)" in page
    assert "closes in 61 days, at 11:59:59 p.m. ET on Thursday, January 31, 2013" in page
    assert "Closed at 11:59:59 p.m. ET on Tuesday, November 8, 2011" in page
    assert "Extended from November 1, 2011" in page
    assert "Opens at 12:00 a.m. ET on Wednesday, May 22, 2013" in page


def test_home_shows_announcements_newest_first_and_hides_unpublished_and_future(client):
    Announcement.objects.create(title="Draft notice", body="x", published_at=et(2011, 1, 1), is_published=False)
    Announcement.objects.create(title="Future notice", body="x", published_at=et(2030, 1, 1))
    with time_machine.travel(et(2013, 1, 1), tick=False):
        page = client.get("/").content.decode()
    assert page.index("A second window for 2013") < page.index("CMS extended the 2012 online deadline")
    assert "Draft notice" not in page and "Future notice" not in page


@pytest.mark.parametrize("slug", ["guide", "gpro", "categories", "deadlines", "faq"])
def test_help_pages_render(client, slug):
    response = client.get(reverse("exemptions:help_page", args=[slug]))
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


def test_help_mentions_the_mail_stop_and_categories(client):
    assert "Mail Stop S3-02-01" in client.get("/help/gpro/").content.decode()
    assert "Fewer than 10 prescriptions" in client.get("/help/categories/").content.decode()
    assert client.get("/help/nope/").status_code == 404


def test_seed_demo_opens_a_practice_year_now_and_is_idempotent(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    year = AdjustmentYear.objects.get(is_practice=True)
    windows = SubmissionWindow.objects.filter(year=year)
    assert sorted(w.channel for w in windows) == ["letter", "online"]
    from django.utils import timezone

    from exemptions.windows import window_state

    assert all(window_state(year=year, channel=c, at=timezone.now()).is_open for c in ("online", "letter"))


def test_seed_demo_reopens_the_practice_windows_once_they_have_closed():
    call_command("seed_demo")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=90), tick=False):
        call_command("seed_demo")
        from django.utils import timezone

        from exemptions.windows import window_state

        year = AdjustmentYear.objects.get(is_practice=True)
        assert window_state(year=year, channel="online", at=timezone.now()).is_open


def test_seed_demo_staff_account_is_printed_once(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--staff")
    first = capsys.readouterr().out
    call_command("seed_demo", "--staff")
    second = capsys.readouterr().out
    assert "staff@example.org / " in first
    assert "staff@example.org / " not in second and "exists" in second


def test_admin_lists_years_categories_and_windows(admin_client):
    for url in [
        "/admin/exemptions/adjustmentyear/",
        "/admin/exemptions/hardshipcategory/",
        "/admin/exemptions/submissionwindow/",
        "/admin/exemptions/announcement/",
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get("/admin/exemptions/submissionwindow/").content.decode()
    assert "11:59 p.m. ET on Tuesday, November 8, 2011" in page


def test_demo_staff_gets_an_authenticator_and_demo_totp_prints_a_valid_code(capsys, settings):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    settings.DEBUG = True
    call_command("seed_demo", "--staff")
    assert "two-factor code" in capsys.readouterr().out
    call_command("demo_totp")
    code = capsys.readouterr().out.strip()
    authenticator = Authenticator.objects.get(user__email="staff@example.org", type=Authenticator.Type.TOTP)
    assert len(code) == 6 and TOTP(authenticator).validate_code(code)
