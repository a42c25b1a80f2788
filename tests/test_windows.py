"""The one window rule, tested at the second, with the historical data as loaded by the migration."""

import datetime as dt

import pytest

from exemptions.models import AdjustmentYear, SubmissionWindow
from exemptions.windows import State, describe_window, format_et, time_left, window_state
from tests.conftest import et
from tests.factories import ExtensionFactory, WindowFactory, YearFactory

pytestmark = pytest.mark.django_db


def state(year: int, channel: str, at: dt.datetime):
    return window_state(year=AdjustmentYear.objects.get(year=year), channel=channel, at=at)


def test_one_second_before_and_at_the_extended_2012_close_is_open():
    assert state(2012, "online", et(2011, 11, 8, 23, 59, 58)).is_open
    assert state(2012, "online", et(2011, 11, 8, 23, 59, 59)).is_open


def test_the_second_after_the_close_is_closed_and_says_when():
    result = state(2012, "online", et(2011, 11, 9, 0, 0, 0))
    assert result.state is State.CLOSED
    assert result.describe() == "Closed at 11:59:59 p.m. ET on Tuesday, November 8, 2011"


def test_gpro_letter_postmark_deadline_is_november_1_2011():
    assert state(2012, "letter", et(2011, 11, 1, 23, 59, 59)).is_open
    assert state(2012, "letter", et(2011, 11, 2, 0, 0, 0)).state is State.CLOSED


def test_2013_has_two_online_windows_and_both_are_found():
    first = state(2013, "online", et(2012, 6, 30, 23, 59, 59))
    between = state(2013, "online", et(2012, 8, 1, 12, 0))
    second = state(2013, "online", et(2013, 1, 31, 23, 59, 59))
    assert first.is_open and first.window.label == "first window"
    assert between.state is State.CLOSED
    assert between.next_window.label == "second window"
    assert "next window opens at 12:00 a.m. ET on Thursday, November 1, 2012" in between.describe()
    assert second.is_open and second.window.label == "second window"
    assert state(2013, "online", et(2013, 2, 1, 0, 0, 0)).state is State.CLOSED


def test_window_closing_in_est_after_a_dst_change_is_read_in_eastern_time():
    # The second 2013 window opens in EDT (Nov 1, 2012) and closes in EST (Jan 31, 2013).
    result = state(2013, "online", et(2012, 11, 20, 12, 0))
    assert result.window.closes_at == dt.datetime(2013, 2, 1, 4, 59, 59, tzinfo=dt.UTC)
    assert result.describe() == "Open until 11:59:59 p.m. ET on Thursday, January 31, 2013"


def test_window_closing_in_edt_converts_to_utc_correctly():
    window = SubmissionWindow.objects.get(year__year=2014)
    assert window.closes_at == dt.datetime(2013, 7, 1, 3, 59, 59, tzinfo=dt.UTC)


def test_a_window_spanning_the_spring_dst_change_is_open_on_both_sides():
    year = YearFactory(year=3101)
    WindowFactory(year=year, opens_at=et(2013, 3, 1, 0, 0), closes_at=et(2013, 3, 20, 23, 59, 59))
    assert window_state(year=year, channel="online", at=et(2013, 3, 10, 1, 59, 59)).is_open
    assert window_state(year=year, channel="online", at=et(2013, 3, 10, 3, 0, 0)).is_open
    assert window_state(year=year, channel="online", at=et(2013, 3, 21, 0, 0, 0)).state is State.CLOSED


def test_before_the_first_window_is_not_yet_open_and_says_when_it_opens():
    result = state(2014, "online", et(2013, 5, 21, 23, 59, 59))
    assert result.state is State.NOT_YET_OPEN
    assert result.describe() == "Opens at 12:00 a.m. ET on Wednesday, May 22, 2013"
    assert state(2014, "online", et(2013, 5, 22, 0, 0, 0)).is_open


def test_a_year_without_a_window_for_a_channel_says_so():
    result = state(2014, "letter", et(2013, 6, 1, 12, 0))
    assert result.state is State.NO_WINDOW
    assert result.describe() == "No window for this channel"


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        state(2014, "online", dt.datetime(2013, 6, 1, 12, 0))


def test_an_extension_for_one_request_reopens_the_channel_for_it_only(staff_user, ep):
    from tests.factories import RequestFactory

    year = AdjustmentYear.objects.get(year=2012)
    late = RequestFactory(owner=ep, year=year, tin="123456789")
    other = RequestFactory(owner=ep, year=year, tin="987654321")
    ExtensionFactory(request=late, until=et(2011, 11, 15, 17, 0), granted_by=staff_user)
    at = et(2011, 11, 10, 9, 0)
    extended = window_state(year=year, channel="online", at=at, exemption=late)
    assert extended.is_open and extended.extension is not None
    assert extended.describe() == "Open until 5:00:00 p.m. ET on Tuesday, November 15, 2011 (extended for you)"
    assert window_state(year=year, channel="online", at=at, exemption=other).state is State.CLOSED
    assert (
        window_state(year=year, channel="online", at=et(2011, 11, 15, 17, 0, 1), exemption=late).state is State.CLOSED
    )


def test_an_extension_covers_the_requests_it_names_not_every_request_under_their_tin(staff_user, ep, other_ep):
    from tests.factories import RequestFactory

    year = AdjustmentYear.objects.get(year=2012)
    chosen = RequestFactory(owner=ep, year=year, tin="123456789")
    same_tin = RequestFactory(owner=other_ep, year=year, tin="123456789")
    ExtensionFactory(request=chosen, until=et(2011, 11, 15, 23, 59, 59), reason="CMS outage", granted_by=staff_user)
    assert window_state(year=year, channel="online", at=et(2011, 11, 12), exemption=chosen).is_open
    assert window_state(year=year, channel="online", at=et(2011, 11, 12), exemption=same_tin).state is State.CLOSED


def test_describe_window_and_format_et():
    window = SubmissionWindow.objects.get(year__year=2014)
    assert describe_window(window, et(2013, 6, 1))[1] == "Open until 11:59:59 p.m. ET on Sunday, June 30, 2013"
    assert describe_window(window, et(2013, 7, 1))[0] is State.CLOSED
    assert format_et(et(2013, 1, 1, 12, 5)) == "12:05 p.m. ET on Tuesday, January 1, 2013"


def test_time_left_in_words():
    year = YearFactory(year=3102)
    WindowFactory(year=year, opens_at=et(2013, 1, 1), closes_at=et(2013, 1, 31, 23, 59, 59))
    assert time_left(window_state(year=year, channel="online", at=et(2013, 1, 28, 23, 59, 59))) == "closes in 3 days"
    assert time_left(window_state(year=year, channel="online", at=et(2013, 1, 31, 18, 0))) == "closes in 6 hours"
    assert time_left(window_state(year=year, channel="online", at=et(2013, 1, 31, 23, 59, 0))) == "closes in 1 minute"
