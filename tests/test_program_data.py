"""The historical data loaded by the migration matches the domain reference."""

import datetime as dt
from decimal import Decimal

import pytest

from exemptions.models import AdjustmentYear, Announcement, SubmissionWindow, YearCategory
from tests.conftest import et

pytestmark = pytest.mark.django_db


def windows(year, channel):
    return list(SubmissionWindow.objects.filter(year__year=year, channel=channel).order_by("opens_at"))


def test_adjustment_percentages():
    assert {y.year: y.adjustment_percent for y in AdjustmentYear.objects.filter(is_practice=False)} == {
        2012: Decimal("1.00"),
        2013: Decimal("1.50"),
        2014: Decimal("2.00"),
    }


def test_2012_online_closes_november_8_after_the_extension_from_november_1():
    (online,) = windows(2012, "online")
    assert online.closes_at == et(2011, 11, 8, 23, 59, 59)
    assert online.original_closes_at == et(2011, 11, 1, 23, 59, 59)
    assert "Extended by CMS on November 1, 2011" in online.staff_note


def test_2012_gpro_letters_postmarked_by_november_1_2011():
    (letter,) = windows(2012, "letter")
    assert letter.closes_at == et(2011, 11, 1, 23, 59, 59)


def test_2013_windows_end_june_30_2012_and_run_november_1_2012_to_january_31_2013():
    first, second = windows(2013, "online")
    assert first.closes_at == et(2012, 6, 30, 23, 59, 59)
    assert (second.opens_at, second.closes_at) == (et(2012, 11, 1, 0, 0), et(2013, 1, 31, 23, 59, 59))
    assert windows(2013, "letter") == []


def test_2014_window_ends_june_30_2013():
    (online,) = windows(2014, "online")
    assert online.closes_at == et(2013, 6, 30, 23, 59, 59)


def test_timing_assumption_is_visible_as_data():
    for window in SubmissionWindow.objects.all():
        assert "23:59:59 ET" in window.timing_note
        assert window.closes_at.astimezone(et(2000, 1, 1).tzinfo).time() == dt.time(23, 59, 59)


def test_categories_per_year():
    def codes(year, info):
        return sorted(
            YearCategory.objects.filter(year__year=year, information_only=info).values_list("category__code", flat=True)
        )

    assert codes(2012, False) == [
        "ehr-cehrt",
        "insufficient-opportunities",
        "law-regulation",
        "limited-prescribing",
        "pharmacies",
        "rural-internet",
    ]
    assert codes(2013, False) == [
        "ehr-cehrt",
        "law-regulation",
        "limited-prescribing",
        "meaningful-use",
        "pharmacies",
        "rural-internet",
    ]
    assert codes(2014, False) == ["law-regulation", "limited-prescribing"]
    assert codes(2014, True) == ["ehr-cehrt", "meaningful-use", "pharmacies", "rural-internet"]
    detail = YearCategory.objects.get(year__year=2012, category__code="limited-prescribing").detail
    assert "Fewer than 10 prescriptions" in detail


def test_g_codes_and_cehrt_flags():
    from exemptions.models import HardshipCategory

    assert HardshipCategory.objects.get(code="rural-internet").g_code == "G8642"
    assert HardshipCategory.objects.get(code="pharmacies").g_code == "G8643"
    assert HardshipCategory.objects.get(code="ehr-cehrt").requires_cehrt_id


def test_announcements_seeded():
    assert Announcement.objects.filter(title__contains="November 8, 2011").exists()
