"""The reviewer's queue: the staff home's counts, the list as a queue (oldest first), the decision panel on the
review screen, "Decide and open next", decided and reassigned requests, reopen emails, letters received."""
# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exemptions.models import AdjustmentYear, ExemptionRequest, InformationRequest, OutboundEmail, StatusChange
from exemptions.selectors.review import QUEUES, queue_counts, queue_requests
from exemptions.services import review
from exemptions.tasks.emails import send_email
from tests.conftest import et
from tests.factories import UserFactory, complete_draft
from tests.review_fixtures import (  # noqa: F401
    administrator,
    approve,
    reviewer,
    second_reviewer,
    start_review,
    submit,
)

pytestmark = pytest.mark.django_db
S = ExemptionRequest.Status
CHANGELIST = "admin:exemptions_exemptionrequest_changelist"


def change_url(obj):
    return reverse("admin:exemptions_exemptionrequest_change", args=[obj.pk])


def panel_url(obj):
    return reverse("admin:exemptions_review_panel", args=[obj.pk])


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def submitted_on(owner_email: str, day: int, **fields) -> ExemptionRequest:
    """A request submitted on December `day`, 2012 (10:00 ET): the queue's order is the submission's."""
    owner = UserFactory(email=owner_email)
    obj = submit(owner, **fields)
    ExemptionRequest.objects.filter(pk=obj.pk).update(submitted_at=et(2012, 12, day, 10))
    obj.refresh_from_db()
    return obj


@pytest.fixture
def three(db):
    """Three unassigned requests, submitted newest first (so creation order is not the queue's order)."""
    newest = submitted_on("newest@example.org", 20)
    middle = submitted_on("middle@example.org", 10)
    oldest = submitted_on("oldest@example.org", 2)
    return oldest, middle, newest


def panel_post(obj, decision="approve", *, reviewer_id=None, button="_next", queue="unassigned", **fields):
    data = {
        "decision": decision,
        "version": obj.version,
        "queue": queue,
        "reviewer": "" if reviewer_id is None else str(reviewer_id),
        f"{decision}-reason_code": fields.pop("reason_code", "hardship_verified" if decision == "approve" else ""),
        f"{decision}-message": fields.pop("message", ""),
        button: "1",
    }
    data.update({f"{decision}-{k}": v for k, v in fields.items()})
    return data


# --- queues: counts and order ---
def test_queue_counts_split_the_work_and_the_list_opens_oldest_first(client, reviewer, second_reviewer, three):
    oldest, middle, newest = three
    start_review(middle, reviewer)  # mine in review
    start_review(newest, second_reviewer)  # someone else's
    asked = submitted_on("asked@example.org", 1)
    start_review(asked, reviewer)
    review.request_ask_for_information(
        exemption=asked, actor=reviewer, at=timezone.now(), message="Send the letter.", reply_by=dt.date(2030, 1, 1)
    )
    InformationRequest.objects.filter(request=asked).update(reply_by=dt.date(2012, 12, 5))  # overdue now
    counts = {c.queue.key: c.count for c in queue_counts(reviewer)}
    assert counts == {"unassigned": 1, "mine": 1, "waiting": 1, "overdue": 1, "ready": 0, "letters": 0}
    assert {c.queue.key: c.count for c in queue_counts(second_reviewer)}["mine"] == 1

    client.force_login(reviewer)
    home = client.get(reverse("admin:index")).content.decode()
    assert re.search(r'href="/admin/exemptions/exemptionrequest/\?queue=unassigned"[^>]*>\s*<span[^>]*>1</span>', home)
    assert "Waiting for the EP" in home and "Replies overdue" in home and "Letters not yet received" in home

    page = client.get(reverse(CHANGELIST)).content.decode()  # the default list: the open work queue, oldest first
    order = [m for m in re.findall(r"HX-2013-\d+", page) if m in {o.reference for o in (asked, oldest, middle, newest)}]
    assert list(dict.fromkeys(order)) == [asked.reference, oldest.reference, middle.reference, newest.reference]
    assert "All requests" in page


def test_the_default_queue_hides_decided_requests_and_all_requests_or_a_search_shows_them(client, reviewer, three):
    oldest, middle, _newest = three
    start_review(oldest, reviewer)
    approve(oldest, reviewer)
    client.force_login(reviewer)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert oldest.reference not in page and middle.reference in page
    assert oldest.reference in client.get(reverse(CHANGELIST), {"queue": "all"}).content.decode()
    assert oldest.reference in client.get(reverse(CHANGELIST), {"q": oldest.reference}).content.decode()
    assert client.get(reverse(CHANGELIST), {"queue": "nonsense"})["Location"].endswith("?e=1")


def test_each_home_link_opens_its_queue_oldest_first(client, reviewer, three):
    oldest, middle, newest = three
    start_review(newest, reviewer)
    start_review(oldest, reviewer)
    client.force_login(reviewer)
    page = client.get(reverse(CHANGELIST), {"queue": "mine"}).content.decode()
    assert page.index(oldest.reference) < page.index(newest.reference) and middle.reference not in page
    assert [o.pk for o in queue_requests(QUEUES["mine"], reviewer)] == [oldest.pk, newest.pk]


def test_the_date_drill_down_offers_only_years_with_requests(client, reviewer, three):
    old = submitted_on("old@example.org", 3)
    ExemptionRequest.objects.filter(pk=old.pk).update(submitted_at=et(2009, 5, 1, 10))
    client.force_login(reviewer)
    page = client.get(reverse(CHANGELIST), {"queue": "all"}).content.decode()
    years = re.findall(r"submitted_at__year=(\d{4})", page)
    assert sorted(set(years)) == ["2009", "2012"]


# --- the review screen's panel ---
def test_the_panel_preselects_the_reason_and_fills_the_message(client, reviewer, three):
    oldest = three[0]
    client.force_login(reviewer)
    page = client.get(change_url(oldest)).content.decode()
    assert re.search(r'<option value="hardship_verified" selected>', page)
    assert re.search(r'<option value="category_not_met" selected>', page)  # law or regulation: no CEHRT ID
    assert "CMS reviewed your request and the information you gave" in page  # the message, ready to edit
    assert 'accesskey="a"' in page and 'accesskey="d"' in page and 'accesskey="k"' in page and 'accesskey="n"' in page
    assert "Decide and open next" in page and "Keys:" in page


def test_the_panel_preview_is_the_email_the_ep_will_receive(client, reviewer, three):
    oldest = three[0]
    client.force_login(reviewer)
    data = panel_post(oldest, "deny", reason_code="tin_npi_mismatch", message="Your TIN is not ours.")
    answer = client.post(reverse("admin:exemptions_review_preview", args=[oldest.pk]), data).json()
    assert answer["ok"] and "DENIED" in answer["subject"] and "Your TIN is not ours." in answer["body"]
    assert answer["to"] == ["oldest@example.org", "ep1@example.org"]  # the account, then each affected EP
    assert not StatusChange.objects.filter(request=oldest, to_status=S.DENIED).exists()


def test_decide_and_open_next_decides_and_lands_on_the_next_request_of_the_queue(client, reviewer, three):
    oldest, middle, newest = three
    client.force_login(reviewer)
    response = client.post(panel_url(oldest), panel_post(oldest))
    oldest.refresh_from_db()
    middle.refresh_from_db()
    assert oldest.status == S.APPROVED and oldest.assigned_reviewer == reviewer  # started on the way
    assert OutboundEmail.objects.filter(request=oldest, kind=OutboundEmail.Kind.DECISION_APPROVED).count() == 1
    location = urlparse(response["Location"])
    assert location.path == change_url(middle)
    assert parse_qs(parse_qs(location.query)["_changelist_filters"][0]) == {"queue": ["unassigned"]}
    assert middle.status == S.UNDER_REVIEW and middle.assigned_reviewer == reviewer  # claimed for this reviewer
    assert f"{oldest.reference}: approved" in " ".join(messages_of(response))

    page = client.get(response["Location"]).content.decode()
    assert middle.reference in page and 'value="unassigned"' in page


def test_deny_and_ask_from_the_panel_use_the_same_services(client, reviewer, three):
    oldest, middle, _ = three
    client.force_login(reviewer)
    client.post(panel_url(oldest), panel_post(oldest, "deny", reason_code="tin_npi_mismatch", button="_confirm"))
    ask = panel_post(middle, "request_info", reason_code="info_justification", reply_by="2030-01-15", button="_confirm")
    response = client.post(panel_url(middle), ask)
    oldest.refresh_from_db()
    middle.refresh_from_db()
    assert oldest.status == S.DENIED and oldest.decision_reason_code == "tin_npi_mismatch"
    assert middle.status == S.INFO_REQUESTED
    assert middle.information_requests.get().reply_by == dt.date(2030, 1, 15)
    assert response["Location"].startswith(change_url(middle))


def test_the_last_request_of_the_queue_says_the_queue_is_empty(client, reviewer, ep):
    only = submit(ep)
    client.force_login(reviewer)
    response = client.post(panel_url(only), panel_post(only))
    assert response["Location"] == reverse(CHANGELIST) + "?queue=unassigned"
    assert any("No other request is waiting in “Unassigned”" in m for m in messages_of(response))


def test_claim_next_takes_the_oldest_free_request_never_another_reviewers(reviewer, second_reviewer, three):
    oldest, middle, newest = three
    review.request_assign(exemption=oldest, actor=second_reviewer, reviewer=second_reviewer)
    claimed = review.request_claim_next(condition=QUEUES["open"].condition(reviewer), actor=reviewer, at=timezone.now())
    assert claimed.pk == middle.pk
    middle.refresh_from_db()
    assert middle.assigned_reviewer == reviewer and middle.status == S.UNDER_REVIEW
    again = review.request_claim_next(
        condition=QUEUES["unassigned"].condition(reviewer), actor=reviewer, at=timezone.now()
    )
    assert again.pk == newest.pk
    assert (
        review.request_claim_next(condition=QUEUES["unassigned"].condition(reviewer), actor=reviewer, at=timezone.now())
        is None
    )


def test_next_without_deciding_claims_nothing(client, reviewer, three):
    oldest, middle, _ = three
    client.force_login(reviewer)
    response = client.get(reverse("admin:exemptions_review_next", args=[oldest.pk]) + "?queue=unassigned")
    assert response["Location"].startswith(change_url(middle))
    middle.refresh_from_db()
    assert middle.assigned_reviewer is None and middle.status == S.SUBMITTED


# --- decided, forged, reassigned ---
def test_a_decided_request_shows_who_decided_and_no_decision_form(client, reviewer, three):
    oldest = three[0]
    start_review(oldest, reviewer)
    approve(oldest, reviewer, at=et(2012, 12, 5, 9, 30))
    client.force_login(reviewer)
    page = client.get(change_url(oldest)).content.decode()
    assert "Decided: Approved</strong> by Rita Reviewer on Dec 5, 2012, 9:30 a.m. ET" in page
    assert "Decide and open next" not in page and 'name="decision"' not in page
    response = client.get(reverse("admin:exemptions_review_decide", args=[oldest.pk, "deny"]))
    assert response.status_code == 302
    assert any("already decided by Rita Reviewer" in m for m in messages_of(response))


@pytest.mark.parametrize("url_name", ["admin:exemptions_review_panel", "admin:exemptions_review_decide"])
def test_a_forged_decision_post_for_a_decided_request_is_refused(client, reviewer, second_reviewer, three, url_name):
    oldest = three[0]
    start_review(oldest, reviewer)
    approve(oldest, reviewer)
    client.force_login(second_reviewer)
    args = [oldest.pk] if url_name.endswith("panel") else [oldest.pk, "deny"]
    data = panel_post(oldest, "deny", reason_code="tin_npi_mismatch", button="_confirm")
    data.update({"reason_code": "tin_npi_mismatch", "version": oldest.version, "_confirm": "1"})  # either form
    response = client.post(reverse(url_name, args=args), data)
    oldest.refresh_from_db()
    assert oldest.status == S.APPROVED
    assert StatusChange.objects.filter(request=oldest, to_status=S.DENIED).count() == 0
    assert OutboundEmail.objects.filter(request=oldest, kind=OutboundEmail.Kind.DECISION_DENIED).count() == 0
    text = " ".join(messages_of(response))
    assert "Nothing was changed" in text and "already decided by Rita Reviewer" in text


def test_a_request_reassigned_while_open_is_not_decided_and_the_reviewer_is_told(
    client, reviewer, second_reviewer, administrator, three
):
    oldest = three[0]
    start_review(oldest, reviewer)
    client.force_login(reviewer)
    opened = panel_post(oldest, reviewer_id=reviewer.pk)  # what the reviewer's page holds
    review.request_assign(exemption=oldest, actor=administrator, reviewer=second_reviewer)
    response = client.post(panel_url(oldest), opened)
    oldest.refresh_from_db()
    assert oldest.status == S.UNDER_REVIEW and oldest.assigned_reviewer == second_reviewer
    assert any("was reassigned to Sam Second since you opened it" in m for m in messages_of(response))
    assert response["Location"].startswith(change_url(oldest))  # no "next": the reviewer reads what happened
    page = client.get(change_url(oldest)).content.decode()
    assert "Assigned to Sam Second, not you." in page


def test_reassigned_service_refusal_comes_before_the_version_check(reviewer, second_reviewer, three):
    oldest = three[0]
    start_review(oldest, reviewer)
    seen = oldest.version
    review.request_assign(exemption=oldest, actor=second_reviewer, reviewer=second_reviewer)
    with pytest.raises(review.Reassigned):
        review.request_decide_in_queue(
            exemption=oldest,
            decision="approve",
            actor=reviewer,
            at=timezone.now(),
            reason_code="hardship_verified",
            expected_version=seen,
            expected_reviewer_id=reviewer.pk,
        )


# --- reopen tells the EP, once ---
def test_reopen_sends_the_ep_one_email_however_often_the_task_runs(client, reviewer, three):
    oldest = three[0]
    start_review(oldest, reviewer)
    approve(oldest, reviewer)
    client.force_login(reviewer)
    client.post(
        reverse("admin:exemptions_review_reopen", args=[oldest.pk]),
        {"version": oldest.version, "reason": "Approved the wrong request."},
    )
    oldest.refresh_from_db()
    assert oldest.status == S.UNDER_REVIEW
    email = OutboundEmail.objects.get(request=oldest, kind=OutboundEmail.Kind.DECISION_REOPENED)
    mail.outbox.clear()
    assert send_email.apply(args=[email.pk]).get() == "sent"  # the task, run twice (a re-delivery)
    assert send_email.apply(args=[email.pk]).get() == "skipped"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["oldest@example.org", "ep1@example.org"]  # the account, then each affected EP
    assert (
        sent.subject
        == f"Decision reopened: your 2013 eRx hardship exemption request {oldest.reference} is being reviewed again"
    )
    assert "The decision APPROVED no longer stands." in sent.body
    assert "Approved the wrong request." not in sent.body  # staff's audit note stays inside
    assert sent.body.startswith("Hello ")  # greets the EP by name, as every email does


# --- GPRO: letter received from the review screen ---
def test_a_gpro_letter_is_marked_received_on_its_review_screen(client, reviewer):
    owner = UserFactory(email="group@example.org")
    year = AdjustmentYear.objects.get(year=2012)
    group = complete_draft(owner=owner, year=year, kind=ExemptionRequest.Kind.GROUP, group_name="Towson Clinic")
    ExemptionRequest.objects.filter(pk=group.pk).update(
        status=S.MAILED, reference="HX-2012-000901", mailed_on=dt.date(2011, 10, 28)
    )
    group.refresh_from_db()
    assert [o.pk for o in queue_requests(QUEUES["letters"], reviewer)] == [group.pk]
    client.force_login(reviewer)
    page = client.get(change_url(group)).content.decode()
    assert "Record letter received" in page
    response = client.post(
        reverse("admin:exemptions_review_received", args=[group.pk]),
        {"received_on": "2011-11-03", "postmarked_on": "2011-10-29"},
    )
    group.refresh_from_db()
    assert group.status == S.RECEIVED and group.received_on == dt.date(2011, 11, 3)
    assert group.postmarked_on == dt.date(2011, 10, 29)
    assert any("letter recorded as received on November 3, 2011" in m for m in messages_of(response))
    assert list(queue_requests(QUEUES["letters"], reviewer)) == []
    assert [o.pk for o in queue_requests(QUEUES["unassigned"], reviewer)] == [group.pk]


def test_a_cehrt_category_preselects_the_cehrt_reasons(client, reviewer, ep):
    from exemptions.models import HardshipCategory

    obj = submit(ep)
    obj.categories.set([HardshipCategory.objects.get(code="ehr-cehrt")])
    client.force_login(reviewer)
    page = client.get(change_url(obj)).content.decode()
    assert '<option value="cehrt_not_certified" selected>' in page and '<option value="info_cehrt" selected>' in page


def test_the_staff_home_lists_the_program_first_and_housekeeping_apart(client, reviewer, django_user_model):
    client.force_login(reviewer)
    page = client.get(reverse("admin:index")).content.decode()
    assert page.index("My queue") < page.index("Exemption requests") < page.index("Outbound emails")
    assert "Access attempts" not in page and "Authenticators" not in page  # not a reviewer's to use
    boss = django_user_model.objects.create_superuser(email="boss@cms.example.gov", password="x" * 20)
    client.force_login(boss)
    page = client.get(reverse("admin:index")).content.decode()
    sections = re.findall(r"<caption>([^<]+)</caption>", page)
    assert sections[0] == "Review" and sections[-1] == "Housekeeping"
    housekeeping = page[page.index('id="section-housekeeping"') :]
    assert "Access attempts" in housekeeping and "Authenticators" in housekeeping and "Outbound emails" in housekeeping
    assert "Email addresses" in housekeeping


def test_a_queue_list_counts_at_most_a_thousand_rows_before_estimating(client, reviewer, three):
    from exemptions.admin.review_queue import QueuePaginator
    from exemptions.paginators import EstimatedCountPaginator

    client.force_login(reviewer)
    queue = client.get(reverse(CHANGELIST), {"queue": "unassigned"}).context["cl"].paginator
    every = client.get(reverse(CHANGELIST), {"queue": "all"}).context["cl"].paginator
    assert isinstance(queue, QueuePaginator) and queue.count_cap() == 1000 and queue.count == 3
    assert type(every) is EstimatedCountPaginator and every.count_cap() == 10_000


def test_the_open_panel_tells_the_reviewer_of_a_reassignment_before_deciding(
    client, reviewer, second_reviewer, administrator, three
):
    oldest = three[0]
    start_review(oldest, reviewer)
    client.force_login(reviewer)
    opened = panel_post(oldest, reviewer_id=reviewer.pk)
    preview = reverse("admin:exemptions_review_preview", args=[oldest.pk])
    assert client.post(preview, opened).json()["ok"]
    review.request_assign(exemption=oldest, actor=administrator, reviewer=second_reviewer)
    answer = client.post(preview, opened).json()
    assert not answer["ok"] and "was reassigned to Sam Second since you opened it" in answer["error"]
