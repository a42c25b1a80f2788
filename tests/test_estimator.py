"""The public payment-impact estimator: the rates of the facts table in dollars; bad amounts get a plain message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from exemptions.payment_impact import MAX_CHARGES, AmountError, estimate, parse_amount
from tests.test_facts import text_of

URL = reverse("exemptions:estimator")


def test_the_source_s_example_100000_at_half_a_percent_is_500_less_2_percent_490():
    result = estimate(year=2013, charges=Decimal("100000"))
    assert result.incentive == Decimal("500.00")
    assert result.sequestration == Decimal("10.00")
    assert result.incentive_paid == Decimal("490.00")
    assert result.adjustment == Decimal("1500.00")  # 2013 is also an adjustment year (1.5%)


@pytest.mark.parametrize(
    ("year", "adjustment", "incentive", "sequestration"),
    [
        (2009, None, "2000.00", None),
        (2010, None, "2000.00", None),
        (2011, None, "1000.00", None),
        (2012, "1000.00", "1000.00", None),  # its reporting period ended December 31, 2012: before April 1, 2013
        (2013, "1500.00", "500.00", "10.00"),
        (2014, "2000.00", None, None),
    ],
)
def test_each_year_s_cut_incentive_and_sequestration(year, adjustment, incentive, sequestration):
    result = estimate(year=year, charges=Decimal("100000"))
    as_text = [None if v is None else str(v) for v in (result.adjustment, result.incentive, result.sequestration)]
    assert as_text == [adjustment, incentive, sequestration]


def test_the_page_shows_the_490_example_in_dollars(client):
    response = client.get(URL, {"year": "2013", "charges": "100,000"})
    text = text_of(response.content.decode())
    assert response.status_code == 200
    assert "2013, on $100,000.00 of allowed charges" in text
    assert "Incentive (0.5%), if you were a successful e-prescriber in 2013 $500.00" in text
    assert "Less the 2% sequestration reduction −$10.00" in text
    assert "Incentive paid $490.00" in text
    assert "eRx payment adjustment (1.5%), if it applies to you $1,500.00 less paid" in text


def test_commas_and_cents_are_accepted(client):
    assert parse_amount("1,000,000.50") == Decimal("1000000.50")
    assert parse_amount(" $2500 ") == Decimal("2500.0")
    text = text_of(client.get(URL, {"year": "2014", "charges": "1,000,000.50"}).content.decode())
    assert "on $1,000,000.50 of allowed charges" in text and "$20,000.01 less paid" in text
    assert "Incentive" not in text.split("How it is worked out")[0]  # 2014 paid no incentive


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type your Part B Physician Fee Schedule allowed charges in dollars"),
        ("   ", "Type your Part B Physician Fee Schedule allowed charges in dollars"),
        ("-5", "Allowed charges cannot be negative"),
        ("$-5", "Allowed charges cannot be negative"),
        ("$5k", "shorthand such as “5k” is not accepted"),
        ("1.2M", "shorthand such as “5k” is not accepted"),
        (str(10**15), "Out of range: this estimator takes amounts up to $10,000,000,000.00"),
        ("1,00", "Use commas only between groups of three digits"),
        ("12.345", "Use at most two digits after the decimal point"),
        ("1e15", "Type the amount with digits only"),
        ("٥٠٠", "Type the amount with digits only"),
    ],
)
def test_bad_amounts_get_a_clear_message_on_the_page(client, typed, message):
    with pytest.raises(AmountError, match=message.split("“")[0][:30]):
        parse_amount(typed)
    response = client.get(URL, {"year": "2013", "charges": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in text_of(html)
    assert "<title>Error:" in html and 'id="error-summary"' in html
    assert 'data-amount="' not in html  # no estimate shown for a refused amount


def test_the_range_ends_at_ten_billion_dollars():
    assert parse_amount("10,000,000,000.00") == MAX_CHARGES
    with pytest.raises(AmountError):
        parse_amount("10000000000.01")


def test_an_unknown_year_is_refused(client):
    response = client.get(URL, {"year": "2020", "charges": "1000"})
    assert response.status_code == 400 and "Choose one of the years listed." in response.content.decode()


def test_a_link_with_a_year_only_preselects_it_without_an_error(client):
    response = client.get(URL, {"year": "2014"})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" not in html
    assert '<option value="2014" selected>' in html


@pytest.mark.django_db
def test_linked_from_the_home_page_and_from_each_year(client):
    html = client.get("/").content.decode()
    assert f'href="{URL}"' in html
    for year in (2012, 2013, 2014):
        assert f'href="{URL}?year={year}"' in html
