"""One rule for a late letter: postmark (else mailing date) after the deadline printed on the newest letter.

The deadline on the letter already includes a staff extension, so a group that generated its letter thanks to
an extension and mailed it within the extension is on time in every list, filter and page; one that mailed after
its deadline is late in all of them.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from exemptions.models import AdjustmentYear, Channel
from exemptions.models.letters import GroupMailing
from exemptions.services import groups as services
from tests.conftest import et
from tests.factories import ExtensionFactory
from tests.test_groups_support import complete_group, generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def extended_and_late(ep, other_ep, staff_user):
    """2012 letters (window closed Nov 1, 2011): one generated on an extension to Nov 15 and mailed Nov 12 (on
    time), one generated in the window and mailed Nov 3 (late)."""
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        extended = complete_group(owner=ep, year=year, group_name="Extended Group PC")
        late = complete_group(owner=other_ep, year=year, tin="234567890", group_name="Late Group PC")
        generate(late, other_ep, at=et(2011, 10, 20))
    ExtensionFactory(
        request=extended,
        channel=Channel.LETTER,
        until=et(2011, 11, 15, 23, 59, 59),
        reason="Hurricane",
        granted_by=staff_user,
    )
    with time_machine.travel(et(2011, 11, 10), tick=False):
        letter = generate(extended, ep, at=et(2011, 11, 10))
    assert letter.postmark_deadline == dt.date(2011, 11, 15)
    mailed = {
        "extended": services.letter_mark_mailed(
            exemption=extended, actor=ep, at=et(2011, 11, 12), mailed_on=dt.date(2011, 11, 12)
        ),
        "late": services.letter_mark_mailed(
            exemption=late, actor=other_ep, at=et(2011, 11, 3), mailed_on=dt.date(2011, 11, 3)
        ),
    }
    received = services.letter_mark_received(
        exemption=extended,
        actor=staff_user,
        at=et(2011, 11, 17),
        received_on=dt.date(2011, 11, 17),
        postmarked_on=dt.date(2011, 11, 12),
    )
    extended.refresh_from_db()
    late.refresh_from_db()
    return extended, late, mailed, received


def test_the_services_flag_only_the_late_one(extended_and_late):
    extended, late, mailed, received = extended_and_late
    assert mailed == {"extended": False, "late": True} and received is False
    assert late.status_changes.get(to_status="mailed").reason_code == "mailed_late"
    assert extended.status_changes.get(to_status="received").reason_code == ""


def test_the_queryset_rule(extended_and_late):
    extended, late, *_ = extended_and_late
    assert list(GroupMailing.objects.late().values_list("pk", flat=True)) == [late.pk]
    assert extended.pk in GroupMailing.objects.on_time().values_list("pk", flat=True)
    assert GroupMailing.objects.is_late(late) and not GroupMailing.objects.is_late(extended)


def test_the_letters_admin_filter_and_column(client, staff_user, extended_and_late):
    extended, late, *_ = extended_and_late
    client.force_login(staff_user)
    changelist = reverse("admin:exemptions_groupmailing_changelist")
    flagged = client.get(changelist, {"late": "yes"}).content.decode()
    assert late.reference in flagged and extended.reference not in flagged
    on_time = client.get(changelist, {"late": "no"}).content.decode()
    assert extended.reference in on_time and late.reference not in on_time
    model_admin = site._registry[GroupMailing]
    http_request = RequestFactory().get(changelist)
    http_request.user = staff_user
    rows = {row.pk: row for row in model_admin.get_queryset(http_request)}
    assert model_admin.late(rows[late.pk]) is True and model_admin.late(rows[extended.pk]) is False


def test_the_review_list_filter(client, staff_user, extended_and_late):
    extended, late, *_ = extended_and_late
    client.force_login(staff_user)
    page = client.get(reverse("admin:exemptions_exemptionrequest_changelist"), {"late_letter": "yes"}).content.decode()
    assert late.reference in page and extended.reference not in page


def test_the_group_pages(client, ep, other_ep, extended_and_late):
    extended, late, *_ = extended_and_late
    warning = "after the postmark deadline; CMS staff can see this"
    client.force_login(ep)
    assert warning not in client.get(reverse("exemptions:group_detail", args=[extended.public_id])).content.decode()
    client.force_login(other_ep)
    assert warning in client.get(reverse("exemptions:group_detail", args=[late.public_id])).content.decode()
