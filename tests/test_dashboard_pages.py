"""The program dashboard page and its CSV downloads: who may see them, what they show, how many queries."""

# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)
from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from exemptions.models import HardshipCategory
from exemptions.services.dashboard import dashboard_refresh
from tests.factories import UserFactory, YearFactory
from tests.review_fixtures import reviewer  # noqa: F401
from tests.test_dashboard import REFRESHED, TODAY, build_program

URL = reverse("admin:program_dashboard")


@pytest.fixture
def program(db, time_machine):
    time_machine.move_to(TODAY, tick=False)
    built = build_program()
    dashboard_refresh(at=REFRESHED)
    return built


def csv_rows(client, chart: str, **params) -> list[list[str]]:
    response = client.get(reverse("admin:program_dashboard_csv", args=[chart]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_reviewer_sees_every_chart_with_its_table_and_the_time_of_the_figures(client, reviewer, program):
    client.force_login(reviewer)
    response = client.get(URL, {"year": "3030"})
    page = response.content.decode()

    assert response.status_code == 200
    assert "Figures as of <strong>9:05 a.m. ET on Friday, February 8, 2030</strong>" in page
    for heading in (
        "Requests submitted per day",
        "Open requests by age",
        "Outcomes by category",
        "Decisions per reviewer per week",
        "GPRO letters mailed and received",
    ):
        assert f">{heading}</h2>" in page
    assert page.count("<svg viewBox") == 5
    assert page.count("<details") == 5
    assert "Original deadline (first window): January 24, 2030." in page
    assert "Over 30 days: 1." in page
    assert "2 letters mailed, 1 received" in page
    assert "67% approved of 3 decided" in page
    assert '<th scope="row">Rita Reviewer</th><td>2030-01-07</td><td>1</td><td>1</td><td>2</td>' in page
    assert "https://" not in page.split("<body")[1].split("</svg>")[0]  # drawn here: no script, no CDN


def test_the_page_costs_a_few_queries_whatever_the_figures(client, reviewer, program, django_assert_max_num_queries):
    client.force_login(reviewer)
    with django_assert_max_num_queries(15):
        response = client.get(URL, {"year": "3030"})
    assert b"Rita Reviewer" in response.content
    with django_assert_max_num_queries(15):
        client.get(reverse("admin:program_dashboard_csv", args=["reviewers"]), {"year": "3030"})


def test_each_csv_holds_its_charts_figures(client, reviewer, program):
    client.force_login(reviewer)

    assert csv_rows(client, "submissions", year="3030")[:4] == [
        ["Day (ET)", "Requests submitted", "Deadline or extension"],
        ["2030-01-02", "2", ""],
        ["2030-01-03", "1", ""],
        ["2030-01-05", "1", ""],
    ]
    assert ["2030-01-24", "0", "Original deadline (first window)"] in csv_rows(client, "submissions", year="3030")
    assert csv_rows(client, "backlog", year="3030")[1:] == [
        ["0-7 days", "1"],
        ["8-14 days", "0"],
        ["15-30 days", "2"],
        ["Over 30 days", "1"],
    ]
    assert csv_rows(client, "outcomes", year="3030")[1:] == [
        ["Beta hardship", "5", "0", "1", "4", "0", "0", "100"],
        ["Alpha hardship", "4", "2", "1", "0", "1", "67", "33"],
    ]
    assert csv_rows(client, "reviewers", year="3030")[1:] == [
        ["Rita Reviewer", "2030-01-07", "1", "1", "2"],
        ["Bob Reviewer", "2030-01-14", "1", "0", "1"],
    ]
    assert csv_rows(client, "letters", year="3030")[1:] == [["2030-01-14", "2", "1"]]
    assert csv_rows(client, "letters", year="3030", window=str(program.online.pk)) == [
        ["Week of (Monday)", "Letters mailed", "Letters received"]
    ]


def test_a_category_name_that_looks_like_a_formula_is_written_as_text(client, reviewer, program):
    HardshipCategory.objects.filter(code="dash-a").update(name="=HYPERLINK(1)")
    client.force_login(reviewer)

    assert ["'=HYPERLINK(1)", "4", "2", "1", "0", "1", "67", "33"] in csv_rows(client, "outcomes", year="3030")


def test_a_year_with_no_requests_says_so(client, reviewer, program):
    YearFactory(year=3031)
    dashboard_refresh(at=REFRESHED)
    client.force_login(reviewer)
    page = client.get(URL, {"year": "3031"}).content.decode()

    assert "No requests for 3031 yet</h2>" in page
    assert "<svg viewBox" not in page
    assert "Figures as of" in page


def test_a_year_not_counted_yet_says_when_it_will_be(client, reviewer, program):
    YearFactory(year=3032)
    client.force_login(reviewer)
    page = client.get(URL, {"year": "3032"}).content.decode()

    assert "Figures not counted yet</h2>" in page
    assert "counted every 5 minutes" in page


def test_an_unknown_year_or_chart_is_not_found(client, reviewer, program):
    client.force_login(reviewer)

    assert client.get(URL, {"year": "1999"}).status_code == 404
    assert client.get(URL, {"year": "3030", "window": "²"}).status_code == 200  # a digit int() refuses: all windows
    assert client.get(reverse("admin:program_dashboard_csv", args=["secrets"]), {"year": "3030"}).status_code == 404


@pytest.mark.parametrize("url", [URL, reverse("admin:program_dashboard_csv", args=["backlog"])])
def test_staff_without_the_permission_to_view_requests_are_refused(client, program, url):
    clerk = UserFactory(email="clerk@cms.example.gov", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))
    client.force_login(clerk)

    response = client.get(url, {"year": "3030"})
    assert response.status_code == 403
    assert b"Rita" not in response.content


@pytest.mark.parametrize("url", [URL, reverse("admin:program_dashboard_csv", args=["backlog"])])
def test_an_ep_and_a_visitor_are_sent_to_the_staff_sign_in(client, ep, program, url):
    response = client.get(url, {"year": "3030"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(ep)
    response = client.get(url, {"year": "3030"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_without_a_year_the_page_shows_the_newest_year_with_requests(client, reviewer, program):
    YearFactory(year=3040)  # set up ahead of its window: no requests yet
    dashboard_refresh(at=REFRESHED)
    client.force_login(reviewer)
    page = client.get(URL).content.decode()

    assert '<option value="3030" selected>' in page
    assert "8</strong> requests reached CMS" in page
