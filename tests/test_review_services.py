"""Staff review services: the workflow's edges, refusals that change nothing, decisions and their emails."""
# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exemptions.emails.delivery import email_deliver
from exemptions.models import ExemptionRequest, Extension, OutboundEmail, StatusChange
from exemptions.services import review
from exemptions.services.requests import request_withdraw
from exemptions.windows import window_state
from exemptions.workflow import TransitionNotAllowed
from tests.conftest import et
from tests.factories import complete_draft
from tests.review_fixtures import approve, deny, reviewer, second_reviewer, start_review, submit, submitted  # noqa: F401

pytestmark = pytest.mark.django_db
S = ExemptionRequest.Status


def snapshot(obj):
    obj.refresh_from_db()
    return (obj.status, obj.version, obj.decision_message, obj.status_changes.count(), OutboundEmail.objects.count())


def test_start_review_assigns_the_reviewer_and_records_the_change(submitted, reviewer):
    review.request_start_review(exemption=submitted, actor=reviewer, at=timezone.now())
    assert submitted.status == S.UNDER_REVIEW and submitted.assigned_reviewer == reviewer
    change = submitted.status_changes.last()
    assert (change.from_status, change.to_status, change.actor) == (S.SUBMITTED, S.UNDER_REVIEW, reviewer)


def test_approve_records_the_decision_and_emails_the_ep_once(submitted, reviewer, django_capture_on_commit_callbacks):
    start_review(submitted, reviewer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change = approve(submitted, reviewer, at=et(2013, 2, 4, 9, 30))
    assert submitted.status == S.APPROVED
    assert submitted.decided_at == et(2013, 2, 4, 9, 30)
    assert submitted.decision_reason_code == "hardship_verified"
    assert submitted.decision_message.startswith("CMS reviewed your request")
    email = OutboundEmail.objects.get(key=f"decision:{change.pk}")
    assert email.kind == OutboundEmail.Kind.DECISION_APPROVED and email.status == "sent"
    (message,) = mail.outbox
    assert message.subject == f"Decision: APPROVED. Your 2013 eRx hardship exemption request {submitted.reference}"
    assert message.to == ["alice@example.org", *submitted.affected_eps.values_list("email", flat=True)]
    assert "Decision: APPROVED" in message.body and "CMS reviewed your request" in message.body
    assert "9:30 a.m. ET on Monday, February 4, 2013" in message.body
    assert not message.subject.startswith("Received")
    assert email_deliver(email_id=email.pk) == "skipped"  # the task running twice sends nothing more
    assert len(mail.outbox) == 1


def test_each_decision_type_has_its_own_subject(ep, reviewer, django_capture_on_commit_callbacks):
    subjects = {}
    for decision in ("approve", "deny", "request_info"):
        obj = submit(ep, npis=("1234567893",), tin="123456789")
        start_review(obj, reviewer)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            if decision == "approve":
                approve(obj, reviewer)
            elif decision == "deny":
                deny(obj, reviewer, "tin_npi_mismatch")
            else:
                review.request_ask_for_information(
                    exemption=obj, actor=reviewer, at=timezone.now(), message="", reason_code="info_cehrt"
                )
        subjects[decision] = mail.outbox[0].subject
    assert subjects["approve"].startswith("Decision: APPROVED.")
    assert subjects["deny"].startswith("Decision: DENIED.")
    assert subjects["request_info"].startswith("Action needed: CMS needs more information")
    assert len(set(subjects.values())) == 3


def test_deny_without_a_reason_is_refused_and_changes_nothing(submitted, reviewer):
    start_review(submitted, reviewer)
    before = snapshot(submitted)
    with pytest.raises(review.ReviewError, match="Choose a reason"):
        deny(submitted, reviewer, "")
    with pytest.raises(review.ReviewError, match="cannot be empty"):
        deny(submitted, reviewer, "deny_other", message=" ")
    assert snapshot(submitted) == before


def test_request_information_without_a_message_is_refused(submitted, reviewer):
    start_review(submitted, reviewer)
    before = snapshot(submitted)
    with pytest.raises(review.ReviewError, match="needs a message"):
        review.request_ask_for_information(exemption=submitted, actor=reviewer, at=timezone.now(), message="")
    assert snapshot(submitted) == before


def test_approving_a_withdrawn_request_or_deciding_a_draft_is_refused(submitted, ep, reviewer):
    request_withdraw(exemption=submitted, actor=ep, at=timezone.now())
    before = snapshot(submitted)
    with pytest.raises(TransitionNotAllowed, match="Withdrawn"):
        approve(submitted, reviewer)
    assert snapshot(submitted) == before
    draft = complete_draft(owner=ep)
    with pytest.raises(TransitionNotAllowed, match="Draft"):
        deny(draft, reviewer, "tin_npi_mismatch")
    with pytest.raises(TransitionNotAllowed):
        start_review(draft, reviewer)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and not draft.status_changes.exists()


def test_approval_needs_an_assigned_reviewer(submitted, reviewer):
    start_review(submitted, reviewer)
    review.request_assign(exemption=submitted, actor=reviewer, reviewer=None)
    before = snapshot(submitted)
    with pytest.raises(review.ReviewError, match="no assigned reviewer"):
        approve(submitted, reviewer)
    assert snapshot(submitted) == before


def test_a_second_decision_is_refused_as_already_decided_by_the_first_reviewer(submitted, reviewer, second_reviewer):
    start_review(submitted, reviewer)
    opened_at_version = submitted.version
    approve(submitted, reviewer, expected_version=opened_at_version)
    before = snapshot(submitted)
    with pytest.raises(review.AlreadyDecided, match="already decided by Rita Reviewer"):
        deny(submitted, second_reviewer, "tin_npi_mismatch", expected_version=opened_at_version)
    assert snapshot(submitted) == before


def test_a_stale_version_is_refused_naming_who_changed_it(submitted, reviewer, second_reviewer):
    opened_at_version = submitted.version
    review.request_update_notes(exemption=submitted, actor=reviewer, internal_notes="called the EP")
    with pytest.raises(review.StaleRequest, match="changed by Rita Reviewer since you opened it"):
        review.request_update_notes(
            exemption=submitted, actor=second_reviewer, internal_notes="other", expected_version=opened_at_version
        )
    submitted.refresh_from_db()
    assert submitted.internal_notes == "called the EP"
    assert submitted.history.first().history_user == reviewer  # the edit is in the field history


def test_reopen_needs_a_reason_and_is_audited(submitted, reviewer):
    start_review(submitted, reviewer)
    deny(submitted, reviewer, "tin_npi_mismatch")
    with pytest.raises(review.ReviewError, match="reason for reopening"):
        review.request_reopen(exemption=submitted, actor=reviewer, at=timezone.now(), reason="  ")
    review.request_reopen(exemption=submitted, actor=reviewer, at=timezone.now(), reason="Claims data was wrong.")
    assert submitted.status == S.UNDER_REVIEW
    assert submitted.decision_message == "" and submitted.decided_at is None
    change = submitted.status_changes.last()
    assert (change.from_status, change.to_status, change.internal_note) == (
        S.DENIED,
        S.UNDER_REVIEW,
        "Claims data was wrong.",
    )
    assert submitted.status_changes.filter(to_status=S.DENIED).exists()  # the old decision stays in the history


def test_internal_notes_never_reach_the_ep(client, ep, submitted, reviewer, django_capture_on_commit_callbacks):
    review.request_update_notes(exemption=submitted, actor=reviewer, internal_notes="SECRET-NOTE-1 the EP is a pain")
    start_review(submitted, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        review.request_ask_for_information(
            exemption=submitted,
            actor=reviewer,
            at=timezone.now(),
            message="Send the board letter.",
            internal_note="SECRET-NOTE-2",
        )
    submitted.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        deny(submitted, reviewer, "justification_incomplete", internal_note="SECRET-NOTE-3")
    client.force_login(ep)
    pages = [
        client.get(reverse("exemptions:dashboard")).content.decode(),
        client.get(reverse("exemptions:request_detail", args=[submitted.public_id])).content.decode(),
    ]
    emails = [
        m.subject + m.body + m.alternatives[0][0] for m in mail.outbox if m.subject.startswith(("Decision", "Action"))
    ]
    assert len(emails) == 2
    for text in pages + emails:
        assert "SECRET-NOTE" not in text


def test_the_dashboard_shows_the_decision_and_its_reason(client, ep, submitted, reviewer):
    start_review(submitted, reviewer)
    deny(
        submitted,
        reviewer,
        "cehrt_not_certified",
        message="Your CEHRT ID 1314E01PXWD4EAO is not on the certified list.",
    )
    client.force_login(ep)
    dashboard = client.get(reverse("exemptions:dashboard")).content.decode()
    assert "Denied" in dashboard and "1314E01PXWD4EAO is not on the certified list" in dashboard
    detail = client.get(reverse("exemptions:request_detail", args=[submitted.public_id])).content.decode()
    assert "Decision: Denied" in detail and "1314E01PXWD4EAO" in detail


def test_a_bulk_decision_sends_each_ep_the_same_full_email_as_a_single_one(
    ep, other_ep, reviewer, django_capture_on_commit_callbacks
):
    single, first, second = submit(ep), submit(other_ep), submit(ep, tin="987654321")
    not_ready = submit(other_ep)
    for obj in (single, first, second):
        start_review(obj, reviewer)
    at = et(2013, 3, 1, 14)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deny(single, reviewer, "justification_incomplete", at=at)
    with django_capture_on_commit_callbacks(execute=True):
        result = review.request_bulk_decide(
            exemption_ids=[first.pk, second.pk, not_ready.pk],
            decision="deny",
            actor=reviewer,
            at=at,
            reason_code="justification_incomplete",
        )
    assert result.changed == [first.reference, second.reference]
    assert result.skipped == [(not_ready.reference, "status submitted")]
    assert "2 requests denied. 1 skipped" in result.summary("denied")
    by_ref = {m.subject.rsplit(" ", 1)[1]: m for m in mail.outbox}
    assert set(by_ref) == {single.reference, first.reference, second.reference}

    def shape(obj):
        message = by_ref[obj.reference]
        return [
            text.replace(obj.reference, "REF").replace(str(obj.public_id), "ID").replace(obj.owner.full_name, "NAME")
            for text in (message.subject, message.body)
        ]

    assert shape(first) == shape(second) == shape(single)
    assert by_ref[first.reference].to == ["bob@example.org", *first.affected_eps.values_list("email", flat=True)]
    not_ready.refresh_from_db()
    assert not_ready.status == S.SUBMITTED


def test_an_individual_extension_reopens_the_window_for_that_request_only(ep, other_ep, reviewer):
    from exemptions.models import AdjustmentYear

    year = AdjustmentYear.objects.get(year=2012)
    late, neighbor = complete_draft(owner=ep, year=year), complete_draft(owner=other_ep, year=year, tin="987654321")
    deadline_day = et(2011, 11, 9, 10)  # the day after the (extended) 2012 deadline
    assert not window_state(year=year, channel="online", at=deadline_day, exemption=late).is_open
    with pytest.raises(review.ReviewError, match="reason"):
        review.extension_grant(
            actor=reviewer, until=et(2011, 11, 10, 23, 59, 59), reason="", at=deadline_day, exemptions=[late]
        )
    review.extension_grant(
        actor=reviewer,
        until=et(2011, 11, 10, 23, 59, 59),
        at=deadline_day,
        exemptions=[late],
        reason="The online page was unreachable on the deadline day.",
    )
    state = window_state(year=year, channel="online", at=deadline_day, exemption=late)
    assert state.is_open and state.extension.reason.startswith("The online page")
    assert not window_state(year=year, channel="online", at=deadline_day, exemption=neighbor).is_open
    assert Extension.objects.get().history.first().history_user == reviewer


def test_bulk_assign_skips_decided_requests(ep, reviewer, second_reviewer):
    open_one, decided = submit(ep), submit(ep)
    start_review(decided, reviewer)
    approve(decided, reviewer)
    result = review.request_bulk_assign(
        exemption_ids=[open_one.pk, decided.pk], actor=second_reviewer, reviewer=second_reviewer
    )
    assert result.changed == [open_one.reference] and result.skipped == [(decided.reference, "already decided")]
    open_one.refresh_from_db()
    assert open_one.assigned_reviewer == second_reviewer
    assert StatusChange.objects.filter(request=open_one).count() == 1  # assigning is not a status change


def test_bulk_approve_skips_a_request_nobody_is_assigned_to(ep, reviewer):
    assigned, unassigned = submit(ep), submit(ep)
    for obj in (assigned, unassigned):
        start_review(obj, reviewer)
    review.request_assign(exemption=unassigned, actor=reviewer, reviewer=None)
    result = review.request_bulk_decide(
        exemption_ids=[assigned.pk, unassigned.pk],
        decision="approve",
        actor=reviewer,
        at=timezone.now(),
        reason_code="hardship_verified",
    )
    assert result.changed == [assigned.reference] and result.skipped == [(unassigned.reference, "nobody assigned")]
    unassigned.refresh_from_db()
    assert unassigned.status == S.UNDER_REVIEW


def test_the_decision_service_takes_final_decisions_only(submitted, reviewer):
    start_review(submitted, reviewer)
    before = snapshot(submitted)
    with pytest.raises(ValueError, match="Not a final decision"):
        review.request_decide(
            exemption=submitted, decision="request_info", actor=reviewer, at=timezone.now(), reason_code="info_other"
        )
    assert snapshot(submitted) == before
