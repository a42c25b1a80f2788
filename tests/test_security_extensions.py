"""Borrowed extension (issue 14, item 3): an extension covers exactly the requests staff ticked when granting it.

Before, staff could extend "every request under this TIN": any EP who later typed that TIN into their own draft
could submit long after the window closed. Now a grant is one row per chosen request (sharing a grant id), the
window rule honors only rows that name the request, and the EP's pages say who extended what until when.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase
from django.urls import reverse

from exemptions.models import AdjustmentYear, ExemptionRequest, Extension, HardshipCategory
from exemptions.services import review
from exemptions.windows import window_state
from tests.conftest import et
from tests.factories import complete_draft
from tests.helpers import form_data
from tests.review_fixtures import staff_member

pytestmark = pytest.mark.django_db
TIN = "123456789"
AFTER_CLOSE = et(2011, 11, 9, 10)  # 2012's online window closed at 11:59:59 p.m. ET on November 8, 2011
UNTIL = et(2011, 11, 10, 23, 59, 59)
REASON = "The online page was unreachable on the deadline day."
NOTICE = (
    f"CMS staff extended the deadline for this request to 11:59:59 p.m. ET on Thursday, November 10, 2011: {REASON}"
)


@pytest.fixture
def reviewer(db):
    return staff_member("rita@cms.example.gov", "Rita Reviewer")


def year(number: int = 2012) -> AdjustmentYear:
    return AdjustmentYear.objects.get(year=number)


def draft_at(at, *, owner, **fields) -> ExemptionRequest:
    with time_machine.travel(at, tick=False):
        return complete_draft(owner=owner, year=fields.pop("year", year()), **fields)


def grant(actor, *exemptions, until=UNTIL, at=AFTER_CLOSE) -> list[Extension]:
    return review.extension_grant(actor=actor, exemptions=list(exemptions), until=until, reason=REASON, at=at)


def post_submit(client, exemption, **fields):
    law = HardshipCategory.objects.get(code="law-regulation").pk
    url = reverse("exemptions:request_edit", args=[exemption.public_id])
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, form_data(action="submit", categories=[law], **fields), follow=True)


def open_for(exemption, at) -> bool:
    return window_state(year=exemption.year, channel=exemption.channel, at=at, exemption=exemption).is_open


def listed(page: str) -> dict[int, bool]:
    """The requests the extension page offers: pk -> ticked."""
    inputs = re.findall(r'<input type="checkbox" name="exemptions" value="(\d+)"([^>]*)>', page)
    return {int(pk): "checked" in rest for pk, rest in inputs}


def test_finding_borrowed_extension_an_ep_typing_the_tin_after_the_grant_is_not_extended(
    client, ep, other_ep, reviewer
):
    mine = draft_at(et(2011, 11, 1), owner=ep, tin=TIN)
    client.force_login(reviewer)
    url = reverse("admin:exemptions_review_extension", args=[mine.pk])
    with time_machine.travel(AFTER_CLOSE, tick=False):
        offered = listed(client.get(url).content.decode())
        assert offered == {mine.pk: True}
        client.post(url, {"exemptions": list(offered), "until": "2011-11-10T23:59", "reason": REASON})
    assert list(Extension.objects.values_list("request_id", flat=True)) == [mine.pk]

    borrower = draft_at(et(2011, 11, 10, 9), owner=other_ep, tin="987654321")
    client.force_login(other_ep)
    with time_machine.travel(et(2011, 11, 10, 12), tick=False):
        page = post_submit(client, borrower, tin="12-3456789", justification="Typed the other TIN").content.decode()
    borrower.refresh_from_db()
    assert borrower.status == ExemptionRequest.Status.DRAFT and borrower.reference is None
    assert (borrower.tin, borrower.justification) == (TIN, "Typed the other TIN")  # the draft is kept as typed
    assert "Your draft is saved, but it was not submitted. The online window is not open." in page
    assert "CMS staff extended" not in page

    client.force_login(ep)
    with time_machine.travel(et(2011, 11, 10, 12), tick=False):
        post_submit(client, mine)
    mine.refresh_from_db()
    assert mine.status == ExemptionRequest.Status.SUBMITTED


def test_finding_borrowed_extension_the_chosen_requests_are_extended_to_the_second(ep, other_ep, reviewer):
    first = draft_at(et(2011, 11, 1), owner=ep, tin=TIN)
    second = draft_at(et(2011, 11, 2), owner=other_ep, tin=TIN)
    not_chosen = draft_at(et(2011, 11, 3), owner=other_ep, tin=TIN)
    extensions = grant(reviewer, first, second)
    assert {e.request_id for e in extensions} == {first.pk, second.pk}
    assert len({e.grant_id for e in extensions}) == 1  # one grant, listing what staff chose
    assert {e.history.get().history_user for e in extensions} == {reviewer}
    for exemption in (first, second):
        assert open_for(exemption, UNTIL)
        assert window_state(year=year(), channel="online", at=UNTIL, exemption=exemption).closes_at == UNTIL
        assert not open_for(exemption, et(2011, 11, 11, 0, 0, 0))
    assert not open_for(not_chosen, UNTIL)


def test_finding_borrowed_extension_the_service_grants_only_one_tin_year_and_channel(ep, other_ep, reviewer):
    mine = draft_at(et(2011, 11, 1), owner=ep, tin=TIN)
    other_tin = draft_at(et(2011, 11, 1), owner=other_ep, tin="987654321")
    other_year = draft_at(et(2011, 11, 1), owner=other_ep, tin=TIN, year=year(2013))
    for pair, words in (((mine, other_tin), "same TIN"), ((mine, other_year), "same year and channel")):
        with pytest.raises(review.ReviewError, match=words):
            grant(reviewer, *pair)
    with pytest.raises(review.ReviewError, match="at least one"):
        grant(reviewer)
    assert not Extension.objects.exists()


def test_finding_borrowed_extension_the_ep_pages_say_who_extended_what_until_when(client, ep, other_ep, reviewer):
    mine = draft_at(et(2011, 11, 1), owner=ep, tin=TIN)
    neighbor = draft_at(et(2011, 11, 1), owner=other_ep, tin=TIN)
    grant(reviewer, mine)
    client.force_login(ep)
    with time_machine.travel(et(2011, 11, 10, 12), tick=False):
        detail = client.get(reverse("exemptions:request_detail", args=[mine.public_id])).content.decode()
        edit = client.get(reverse("exemptions:request_edit", args=[mine.public_id]), follow=True).content.decode()
    for page in (detail, edit):
        assert NOTICE in page and "Rita Reviewer" not in page
    # The countdown runs to the extension's end: its last day, so red.
    assert "countdown-urgent" in edit and "The online window closes in <strong>12 hours</strong>" in edit
    assert "11:59:59 p.m. ET today" in edit
    client.force_login(other_ep)
    with time_machine.travel(et(2011, 11, 10, 12), tick=False):
        theirs = client.get(reverse("exemptions:request_edit", args=[neighbor.public_id]), follow=True).content.decode()
    assert "CMS staff extended" not in theirs and "Online window: Closed at" in theirs


def test_finding_borrowed_extension_the_staff_form_lists_the_tin_requests_and_grants_exactly_the_ticked_ones(
    client, ep, other_ep, reviewer
):
    this = draft_at(et(2011, 11, 1), owner=ep, tin=TIN)
    ticked = draft_at(et(2011, 11, 2), owner=other_ep, tin=TIN)
    unticked = draft_at(et(2011, 11, 3), owner=other_ep, tin=TIN)
    other_year = draft_at(et(2011, 11, 1), owner=ep, tin=TIN, year=year(2013))
    letter = draft_at(et(2011, 11, 1), owner=ep, tin=TIN, kind=ExemptionRequest.Kind.GROUP)
    other_tin = draft_at(et(2011, 11, 1), owner=ep, tin="987654321")
    client.force_login(reviewer)
    url = reverse("admin:exemptions_review_extension", args=[this.pk])
    with time_machine.travel(AFTER_CLOSE, tick=False):
        page = client.get(url).content.decode()
        assert listed(page) == {this.pk: True, ticked.pk: False, unticked.pk: False}
        assert "(this request)" in page and "bob@example.org" in page
        for outsider in (other_year, letter, other_tin):  # a tampered form cannot reach them either
            response = client.post(
                url, {"exemptions": [this.pk, outsider.pk], "until": "2011-11-10T23:59", "reason": REASON}
            )
            assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
        assert not Extension.objects.exists()
        response = client.post(url, {"exemptions": [this.pk, ticked.pk], "until": "2011-11-10T23:59", "reason": REASON})
    assert response.status_code == 302
    rows = Extension.objects.order_by("request__created_at")
    assert [(row.request_id, row.until, row.granted_by) for row in rows] == [
        (this.pk, UNTIL, reviewer),
        (ticked.pk, UNTIL, reviewer),
    ]
    assert [record.history_user for row in rows for record in row.history.all()] == [reviewer, reviewer]
    with time_machine.travel(AFTER_CLOSE, tick=False):
        screen = client.get(reverse("admin:exemptions_exemptionrequest_change", args=[this.pk])).content.decode()
    assert f'together with <a href="{reverse("admin:exemptions_exemptionrequest_change", args=[ticked.pk])}">' in screen


@pytest.mark.django_db(transaction=True)
def test_finding_borrowed_extension_existing_tin_wide_extensions_keep_only_the_requests_that_existed():
    """Migration 0006: a TIN-wide extension becomes one row per request created before it was granted."""
    before, after = [("exemptions", "0005_letter_batch_published_at")], [("exemptions", "0006_extension_per_request")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Request, OldExtension = old.get_model("exemptions", "ExemptionRequest"), old.get_model("exemptions", "Extension")
    user = old.get_model("exemptions", "User").objects.create(email="s@cms.example.gov")
    y2012, y2013 = (old.get_model("exemptions", "AdjustmentYear").objects.get(year=n) for n in (2012, 2013))

    def request(created, **fields):
        row = Request.objects.create(owner=user, year=fields.pop("year", y2012), tin=fields.pop("tin", TIN), **fields)
        Request.objects.filter(pk=row.pk).update(created_at=created)
        return row.pk

    existed = request(et(2011, 11, 1))
    typed_later = request(et(2011, 11, 10))
    other_year = request(et(2011, 11, 1), year=y2013)
    group = request(et(2011, 11, 1), kind="group")
    other_tin = request(et(2011, 11, 1), tin="987654321")
    wide = OldExtension.objects.create(
        year=y2012, channel="online", tin=TIN, until=UNTIL, reason=REASON, granted_by=user
    )
    OldExtension.objects.filter(pk=wide.pk).update(granted_at=AFTER_CLOSE)
    own = OldExtension.objects.create(
        year=y2012, channel="online", request_id=other_tin, until=UNTIL, reason="x", granted_by=user
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rows = new.get_model("exemptions", "Extension").objects.order_by("pk")
    assert [(r.request_id, r.granted_at, r.reason) for r in rows] == [
        (other_tin, rows[0].granted_at, "x"),
        (existed, AFTER_CLOSE, REASON),
    ]
    assert rows[0].pk == own.pk and all(r.grant_id for r in rows)
    assert not {typed_later, other_year, group} & {r.request_id for r in rows}
    history = new.get_model("exemptions", "HistoricalExtension").objects
    assert history.get(id=rows[1].pk).history_change_reason == f"Converted from TIN-wide extension {wide.pk}"
    assert history.get(id=wide.pk, history_type="-").history_change_reason.startswith("TIN-wide extension replaced")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
