"""Deadlines grow urgent: calm beyond 7 days, amber at 7 days or less, red within 24 hours (instant passed in)."""

import datetime as dt

import pytest
from django.urls import reverse

from exemptions.urgency import Countdown, Urgency, received_before_close, urgency
from exemptions.windows import ET

from .factories import WindowFactory, YearFactory

CLOSE = dt.datetime(2013, 1, 31, 23, 59, 59, tzinfo=ET)  # the last second accepted


@pytest.mark.parametrize(
    ("before_end", "expected"),
    [
        (dt.timedelta(days=7, seconds=1), Urgency.CALM),
        (dt.timedelta(days=7), Urgency.SOON),
        (dt.timedelta(hours=24, seconds=1), Urgency.SOON),
        (dt.timedelta(hours=24), Urgency.URGENT),
        (dt.timedelta(seconds=1), Urgency.URGENT),
    ],
)
def test_urgency_boundaries_to_the_second(before_end, expected):
    end = CLOSE + dt.timedelta(seconds=1)  # the window ends when its last second is over
    assert urgency(deadline=CLOSE, at=end - before_end) is expected


def test_red_countdown_gives_the_exact_instant_today():
    at = dt.datetime(2013, 1, 31, 23, 40, tzinfo=ET)
    c = Countdown(deadline=CLOSE, at=at)
    assert c.urgency is Urgency.URGENT
    assert c.headline == "Closes in 20 minutes, at 11:59:59 p.m. ET today"
    assert c.prefix == "Last day:"


def test_red_countdown_the_evening_before_says_tomorrow():
    extended = dt.datetime(2013, 2, 1, 17, 0, 0, tzinfo=ET)
    c = Countdown(deadline=extended, at=dt.datetime(2013, 1, 31, 18, 0, tzinfo=ET))
    assert c.urgency is Urgency.URGENT
    assert c.instant == "5:00:00 p.m. ET tomorrow"


def test_calm_countdown_names_the_day():
    c = Countdown(deadline=CLOSE, at=dt.datetime(2013, 1, 1, 9, tzinfo=ET))
    assert c.urgency is Urgency.CALM
    assert c.instant == "11:59:59 p.m. ET on Thursday, January 31, 2013"


def test_confirmation_says_how_long_before_the_close_it_was_received():
    at = dt.datetime(2013, 1, 31, 23, 40, 0, tzinfo=ET)
    assert received_before_close(received_at=at, deadline=CLOSE) == (
        "20 minutes before the close at 11:59:59 p.m. ET on Thursday, January 31, 2013"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at", "css", "words"),
    [
        (dt.datetime(2013, 1, 1, 12, tzinfo=ET), "countdown-calm", "Deadline:"),
        (dt.datetime(2013, 1, 25, 12, tzinfo=ET), "countdown-soon", "Deadline soon:"),
        (dt.datetime(2013, 1, 31, 23, 40, tzinfo=ET), "countdown-urgent", "Last day:"),
    ],
)
def test_home_page_shows_the_escalation(client, time_machine, at, css, words):
    year = YearFactory(year=3013)
    WindowFactory(year=year, opens_at=dt.datetime(2012, 11, 1, tzinfo=ET), closes_at=CLOSE)
    time_machine.move_to(at, tick=False)
    page = client.get(reverse("exemptions:home")).text
    assert css in page and words in page
    assert "11:59:59 p.m. ET" in page


@pytest.mark.django_db
def test_closed_window_is_described_to_the_second(client, time_machine):
    year = YearFactory(year=3013)
    WindowFactory(year=year, opens_at=dt.datetime(2012, 11, 1, tzinfo=ET), closes_at=CLOSE)
    time_machine.move_to(CLOSE + dt.timedelta(seconds=1), tick=False)
    page = client.get(reverse("exemptions:home")).text
    assert "Closed at 11:59:59 p.m. ET on Thursday, January 31, 2013" in page
