"""The one urgency rule on every page with a deadline: start pages, each request step, the check page and the
group pages show a calm, amber or red countdown at the instant passed in."""

import datetime as dt

import pytest
from django.urls import reverse

from exemptions.models import Channel, ExemptionRequest
from exemptions.windows import ET

from .factories import RequestFactory, UserFactory, WindowFactory, YearFactory

CLOSE = dt.datetime(2013, 1, 31, 23, 59, 59, tzinfo=ET)  # the last second accepted
INSTANTS = [
    (dt.datetime(2013, 1, 1, 12, tzinfo=ET), "countdown-calm", "Deadline:", "in <strong>30 days</strong>"),
    (dt.datetime(2013, 1, 25, 12, tzinfo=ET), "countdown-soon", "Deadline soon:", "in <strong>6 days</strong>"),
    (dt.datetime(2013, 1, 31, 23, 40, tzinfo=ET), "countdown-urgent", "Last day:", "in <strong>20 minutes</strong>"),
]
pytestmark = [pytest.mark.django_db, pytest.mark.parametrize(("at", "css", "prefix", "left"), INSTANTS)]


@pytest.fixture
def year():
    year = YearFactory(year=3013, group_channel=Channel.LETTER)
    for channel in (Channel.ONLINE, Channel.LETTER):
        WindowFactory(year=year, channel=channel, opens_at=dt.datetime(2012, 11, 1, tzinfo=ET), closes_at=CLOSE)
    return year


@pytest.fixture
def ep(client):
    user = UserFactory()
    client.force_login(user)
    return user


def shows(page: str, css: str, prefix: str, left: str, what: str) -> None:
    assert f'class="countdown {css}"' in page
    assert f"<strong>{prefix}</strong> {what} closes {left}" in page
    assert "11:59:59 p.m. ET" in page


def test_start_pages(client, time_machine, year, ep, at, css, prefix, left):
    time_machine.move_to(at, tick=False)
    shows(client.get(reverse("exemptions:request_start")).text, css, prefix, left, "This window")
    shows(client.get(reverse("exemptions:group_start")).text, css, prefix, left, "The letter window")


def test_each_step_and_the_check_page(client, time_machine, year, ep, at, css, prefix, left):
    draft = RequestFactory(owner=ep, year=year)
    time_machine.move_to(at, tick=False)
    steps = ("eps", "practice", "hardship")
    urls = [reverse("exemptions:request_step", args=[draft.public_id, step]) for step in steps]
    for url in [*urls, reverse("exemptions:request_check", args=[draft.public_id])]:
        response = client.get(url)
        assert response.status_code == 200, url
        shows(response.text, css, prefix, left, "The online window")


def test_group_pages(client, time_machine, year, ep, at, css, prefix, left):
    group = RequestFactory(owner=ep, year=year, kind=ExemptionRequest.Kind.GROUP)
    time_machine.move_to(at, tick=False)
    for name in ("group_detail", "group_edit", "group_eps"):
        response = client.get(reverse(f"exemptions:{name}", args=[group.public_id]))
        assert response.status_code == 200, name
        shows(response.text, css, prefix, left, "The letter window")
