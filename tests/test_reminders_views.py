"""Reminder pages: the login-free stop link, the account's settings and "notify me when it opens"."""

import pytest
from django.urls import reverse

from exemptions.models import ExemptionRequest, WindowOpeningSubscription
from exemptions.services.reminders import stop_token
from tests.conftest import et
from tests.factories import RequestFactory, WindowFactory, YearFactory


@pytest.fixture
def draft(ep):
    return RequestFactory(owner=ep, year=YearFactory(year=2031))


def test_the_stop_link_asks_first_then_stops_reminders_for_that_request_without_login(client, draft):
    url = reverse("exemptions:reminders_stop", args=[stop_token(exemption=draft)])
    page = client.get(url)
    assert "Stop reminders for this request?" in page.content.decode()
    draft.refresh_from_db()
    assert draft.reminders_opt_out is False  # a mail scanner fetching the link changes nothing
    done = client.post(url)
    assert "Reminders stopped" in done.content.decode()
    draft.refresh_from_db()
    assert draft.reminders_opt_out is True
    assert client.post(url).status_code == 200  # a second click is harmless


def test_mail_clients_one_click_unsubscribe_posts_without_a_csrf_token(draft):
    from django.test import Client

    mail_client = Client(enforce_csrf_checks=True)
    url = reverse("exemptions:reminders_stop", args=[stop_token(exemption=draft)])
    response = mail_client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.reminders_opt_out is True


def test_a_forged_or_mangled_stop_link_is_404(client, draft):
    token = stop_token(exemption=draft)
    assert client.get(reverse("exemptions:reminders_stop", args=[token[:-2] + "xx"])).status_code == 404
    assert client.post(reverse("exemptions:reminders_stop", args=["not-a-token"])).status_code == 404
    draft.refresh_from_db()
    assert draft.reminders_opt_out is False


def test_the_stop_link_of_an_opening_notice_drops_that_subscription(client, ep):
    subscription = WindowOpeningSubscription.objects.create(user=ep, year=YearFactory(year=2031))
    url = reverse("exemptions:reminders_stop", args=[stop_token(subscription=subscription)])
    assert "Stop the opening notice?" in client.get(url).content.decode()
    assert "Notices stopped" in client.post(url).content.decode()
    assert not WindowOpeningSubscription.objects.exists()


def test_preferences_need_login(client):
    url = reverse("exemptions:reminder_preferences")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_account_switch_turns_all_reminders_off_and_on(client, ep):
    client.force_login(ep)
    url = reverse("exemptions:reminder_preferences")
    assert 'name="email_reminders" id="email_reminders" checked' in client.get(url).content.decode()
    response = client.post(url, {}, follow=True)
    assert "Deadline reminders are off." in response.content.decode()
    ep.refresh_from_db()
    assert ep.email_reminders is False
    client.post(url, {"email_reminders": "on"})
    ep.refresh_from_db()
    assert ep.email_reminders is True


def test_notify_me_needs_login(client, db):
    YearFactory(year=2031)
    response = client.post(reverse("exemptions:window_notify", args=[2031]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not WindowOpeningSubscription.objects.exists()


def test_notify_me_for_a_year_not_open_yet(client, ep):
    year = YearFactory(year=2031)
    WindowFactory(year=year, opens_at=et(2099, 6, 1), closes_at=et(2099, 6, 30))
    client.force_login(ep)
    page = client.get(reverse("exemptions:reminder_preferences")).content.decode()
    assert "Notify me when 2031 opens" in page
    response = client.post(reverse("exemptions:window_notify", args=[2031]), follow=True)
    assert "We will email alice@example.org when the 2031 window opens." in response.content.decode()
    assert WindowOpeningSubscription.objects.get().user == ep
    client.post(reverse("exemptions:window_notify", args=[2031]))
    assert WindowOpeningSubscription.objects.count() == 1


def test_notify_me_for_an_open_year_says_it_is_open(client, ep):
    WindowFactory(year=YearFactory(year=2031))  # open now
    client.force_login(ep)
    response = client.post(reverse("exemptions:window_notify", args=[2031]), follow=True)
    assert "The 2031 window is open now" in response.content.decode()
    assert not WindowOpeningSubscription.objects.exists()


def test_notify_me_for_an_unknown_year_is_404(client, ep):
    client.force_login(ep)
    assert client.post(reverse("exemptions:window_notify", args=[1999])).status_code == 404


def test_stopping_someone_elses_subscription_is_404(client, ep, other_ep):
    subscription = WindowOpeningSubscription.objects.create(user=other_ep, year=YearFactory(year=2031))
    client.force_login(ep)
    assert client.post(reverse("exemptions:window_unsubscribe", args=[subscription.pk])).status_code == 404
    assert WindowOpeningSubscription.objects.filter(pk=subscription.pk).exists()


def test_stopping_a_subscription_needs_login(client, ep):
    subscription = WindowOpeningSubscription.objects.create(user=ep, year=YearFactory(year=2031))
    response = client.post(reverse("exemptions:window_unsubscribe", args=[subscription.pk]))
    assert response.status_code == 302
    assert WindowOpeningSubscription.objects.exists()


def test_stopping_my_subscription(client, ep):
    subscription = WindowOpeningSubscription.objects.create(user=ep, year=YearFactory(year=2031))
    client.force_login(ep)
    response = client.post(reverse("exemptions:window_unsubscribe", args=[subscription.pk]), follow=True)
    assert "You will not be told when 2031 opens." in response.content.decode()
    assert not WindowOpeningSubscription.objects.exists()


def test_a_stop_link_for_a_deleted_draft_is_404(client, draft):
    token = stop_token(exemption=draft)
    ExemptionRequest.objects.filter(pk=draft.pk).delete()
    assert client.get(reverse("exemptions:reminders_stop", args=[token])).status_code == 404


def test_the_home_page_offers_notify_me_for_years_not_open_and_links_the_settings(client, ep):
    WindowFactory(year=YearFactory(year=2031), opens_at=et(2099, 6, 1), closes_at=et(2099, 6, 30))
    client.force_login(ep)
    page = client.get(reverse("exemptions:home")).content.decode()
    assert f'action="{reverse("exemptions:window_notify", args=[2031])}"' in page
    assert "Email me when 2031 opens" in page
    assert f'href="{reverse("exemptions:reminder_preferences")}"' in page
