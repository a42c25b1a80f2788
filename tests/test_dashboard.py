"""The program dashboard's figures: each chart's numbers on a small program, the refresh run twice, empty years."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from exemptions.models import (
    Channel,
    DashboardFigure,
    DashboardSnapshot,
    ExemptionRequest,
    StatusChange,
    SubmissionWindow,
)
from exemptions.selectors.dashboard import dashboard_read
from exemptions.services.dashboard import dashboard_refresh
from exemptions.tasks.dashboard import refresh_dashboard
from tests.conftest import et
from tests.factories import CategoryFactory, ExtensionFactory, RequestFactory, UserFactory, YearFactory

S = ExemptionRequest.Status
TODAY = et(2030, 2, 8, 12)  # "today" for the backlog's ages
REFRESHED = et(2030, 2, 8, 9, 5)
D = dt.date


@dataclass
class Program:
    year: object
    online: SubmissionWindow
    letters: SubmissionWindow
    rita: object
    bob: object


def build_program() -> Program:
    """A year with an extended online window and a letter window, eight requests that reached CMS, one draft,
    one group letter mailed but not received, three decisions by two reviewers and one extension."""
    year = YearFactory(year=3030)
    online = SubmissionWindow.objects.create(
        year=year,
        channel=Channel.ONLINE,
        label="first window",
        opens_at=et(2030, 1, 1),
        closes_at=et(2030, 1, 31, 23, 59, 59),
        original_closes_at=et(2030, 1, 24, 23, 59, 59),
    )
    letters = SubmissionWindow.objects.create(
        year=year, channel=Channel.LETTER, opens_at=et(2030, 1, 1), closes_at=et(2030, 1, 31, 23, 59, 59)
    )
    a = CategoryFactory(code="dash-a", name="Alpha hardship")
    b = CategoryFactory(code="dash-b", name="Beta hardship")
    rita = UserFactory(email="rita.dash@cms.example.gov", full_name="Rita Reviewer", is_staff=True)
    bob = UserFactory(email="bob.dash@cms.example.gov", full_name="Bob Reviewer", is_staff=True)
    serial = iter(range(1, 100))

    def request(status, submitted_at, categories, *, window=online, **fields):
        made = RequestFactory(
            year=year,
            status=status,
            reference=None if status == S.DRAFT else f"HX-3030-{next(serial):06d}",
            submitted_at=submitted_at,
            submitted_window=None if status == S.DRAFT else window,
            **fields,
        )
        made.categories.set(categories)
        return made

    r1 = request(S.APPROVED, et(2030, 1, 2, 10), [a])
    r2 = request(S.DENIED, et(2030, 1, 2, 23, 30), [a, b])  # 04:30 UTC on Jan 3: counted on the ET day
    request(S.SUBMITTED, et(2030, 1, 5, 9), [b])
    request(S.UNDER_REVIEW, et(2030, 1, 20, 9), [b])
    request(S.WITHDRAWN, et(2030, 1, 20, 15), [a])
    r6 = request(S.APPROVED, et(2030, 1, 3, 9), [a])
    r9 = request(S.SUBMITTED, et(2030, 2, 1, 11), [b])  # after the deadline, under an extension
    request(S.DRAFT, None, [a])
    group = {"kind": ExemptionRequest.Kind.GROUP, "window": letters}
    request(S.RECEIVED, None, [b], mailed_on=D(2030, 1, 14), received_on=D(2030, 1, 16), **group)
    request(S.MAILED, None, [b], mailed_on=D(2030, 1, 15), **group)
    ExtensionFactory(request=r9, until=et(2030, 2, 3, 23, 59, 59))
    for made, to_status, actor, at in (
        (r1, S.APPROVED, rita, et(2030, 1, 10, 14)),  # Thursday: the week of Monday January 7
        (r2, S.DENIED, rita, et(2030, 1, 13, 23, 30)),  # Sunday night ET (Monday in UTC): still that week
        (r6, S.APPROVED, bob, et(2030, 1, 15, 9)),
    ):
        StatusChange.objects.create(request=made, from_status=S.UNDER_REVIEW, to_status=to_status, actor=actor, at=at)
    return Program(year=year, online=online, letters=letters, rita=rita, bob=bob)


@pytest.fixture
def program(db) -> Program:
    return build_program()


def read(program: Program, window=None):
    return dashboard_read(year=program.year, window_id=window.pk if window else None, at=TODAY)


def test_submissions_per_day_count_each_request_on_its_eastern_day_with_deadlines_and_extensions(program):
    dashboard_refresh(at=REFRESHED)
    board = read(program)

    assert board.days == [
        (D(2030, 1, 2), 2),
        (D(2030, 1, 3), 1),
        (D(2030, 1, 5), 1),
        (D(2030, 1, 16), 1),  # the group letter, on the day CMS received it
        (D(2030, 1, 20), 2),
        (D(2030, 2, 1), 1),
    ]
    assert board.submitted == 8  # the draft and the letter not yet received are not counted
    assert [(m.day, m.label) for m in board.markers] == [
        (D(2030, 1, 24), "Original deadline (first window)"),
        (D(2030, 1, 31), "Deadline (GPRO mailed letter)"),
        (D(2030, 1, 31), "Extended deadline (first window)"),
        (D(2030, 2, 3), "Extension to this day (1 request)"),
    ]
    assert board.refreshed_at == REFRESHED


def test_backlog_sorts_open_requests_by_days_since_they_reached_cms(program):
    dashboard_refresh(at=REFRESHED)

    # Open on February 8: Feb 1 (7 days), Jan 20 (19), Jan 16 (23, the received letter), Jan 5 (34).
    assert read(program).backlog == [("0-7 days", 1), ("8-14 days", 0), ("15-30 days", 2), ("Over 30 days", 1)]
    assert read(program).still_open == 4


def test_outcomes_by_category_count_a_two_category_request_in_both(program):
    dashboard_refresh(at=REFRESHED)
    alpha, beta = sorted(read(program).categories, key=lambda o: o.name)

    assert (alpha.name, alpha.submitted, alpha.approved, alpha.denied, alpha.withdrawn, alpha.still_open) == (
        "Alpha hardship",
        4,
        2,
        1,
        1,
        0,
    )
    assert (alpha.share(alpha.approved), alpha.share(alpha.denied)) == (67, 33)
    assert (beta.submitted, beta.approved, beta.denied, beta.still_open) == (5, 0, 1, 4)
    assert (beta.share(beta.approved), beta.share(beta.denied)) == (0, 100)


def test_decisions_per_reviewer_per_eastern_week_come_from_the_status_history(program):
    dashboard_refresh(at=REFRESHED)
    board = read(program)

    assert board.weeks == [D(2030, 1, 7), D(2030, 1, 14)]
    assert [(p.name, p.weeks, p.total) for p in board.reviewers] == [
        ("Rita Reviewer", {D(2030, 1, 7): (1, 1)}, 2),
        ("Bob Reviewer", {D(2030, 1, 14): (1, 0)}, 1),
    ]


def test_letters_mailed_and_received_by_week(program):
    dashboard_refresh(at=REFRESHED)

    assert read(program).letters == [(D(2030, 1, 14), 2, 1)]


def test_one_window_shows_only_its_requests_and_its_own_deadlines(program):
    dashboard_refresh(at=REFRESHED)
    board = read(program, program.online)

    assert board.window == program.online
    assert board.submitted == 7
    assert board.letters == []
    assert [m.label for m in board.markers] == [
        "Original deadline (first window)",
        "Extended deadline (first window)",
        "Extension to this day (1 request)",
    ]
    assert read(program, program.letters).days == [(D(2030, 1, 16), 1)]


def test_a_refresh_run_twice_leaves_the_same_rows(program):
    def rows():
        return sorted(
            DashboardFigure.objects.values_list(
                "kind", "window_id", "day", "category_id", "reviewer_id", "submitted", "still_open", "approved",
                "denied", "withdrawn", "mailed", "received",
            ),
            key=str,
        )  # fmt: skip

    dashboard_refresh(at=REFRESHED)
    first = rows()
    dashboard_refresh(at=REFRESHED)

    assert rows() == first
    assert len(first) > 10
    assert DashboardSnapshot.objects.get(year=program.year).requests == 8


def test_a_refresh_replaces_the_figures_with_the_current_ones(program):
    dashboard_refresh(at=REFRESHED)
    ExemptionRequest.objects.filter(year=program.year, status=S.SUBMITTED).update(status=S.WITHDRAWN)
    dashboard_refresh(at=REFRESHED + dt.timedelta(minutes=5))

    board = read(program)
    assert board.backlog == [("0-7 days", 0), ("8-14 days", 0), ("15-30 days", 2), ("Over 30 days", 0)]
    assert board.refreshed_at == REFRESHED + dt.timedelta(minutes=5)


def test_the_beat_task_refreshes_every_year_and_is_scheduled(program, time_machine):
    from portal.celery import app

    time_machine.move_to(REFRESHED, tick=False)
    written = refresh_dashboard()
    again = refresh_dashboard()

    assert written == again == DashboardFigure.objects.count()
    assert DashboardSnapshot.objects.get(year=program.year).refreshed_at == REFRESHED
    assert app.conf.beat_schedule["refresh-dashboard"]["task"] == "exemptions.refresh_dashboard"


def test_a_year_with_no_requests_has_empty_figures(db):
    year = YearFactory(year=3031)
    dashboard_refresh(at=REFRESHED, year_ids=[year.pk])
    board = dashboard_read(year=year, window_id=None, at=TODAY)

    assert board.empty
    assert board.refreshed_at == REFRESHED
    assert (board.days, board.categories, board.reviewers, board.letters) == ([], [], [], [])
    assert board.backlog == [("0-7 days", 0), ("8-14 days", 0), ("15-30 days", 0), ("Over 30 days", 0)]
