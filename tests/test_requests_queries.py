"""What a submit and a draft save cost in queries, through the real view (session and auth included).

Everything a complete submit must do: one row lock, the checks, the row written once, the status history, the
outbox row, the receipt's build row, and after commit the two "handed to the broker" marks. The EPs and categories
are written only when they changed.
"""

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exemptions.models import ExemptionRequest, HardshipCategory, OutboundEmail, StatusChange, StoredFile
from exemptions.services.requests import refresh_summary, request_save_and_submit
from tests.conftest import et
from tests.factories import complete_draft
from tests.helpers import ep_row, form_data

pytestmark = pytest.mark.django_db
NPIS = ("1234567893", "1245319599")
SUBMIT_MAX_QUERIES = 20
SAVE_MAX_QUERIES = 17  # the same, less the submit's writes, plus the flash message in the session


@pytest.fixture
def draft(ep):
    draft = complete_draft(owner=ep, npis=NPIS)
    draft.law_id = HardshipCategory.objects.get(code="law-regulation").pk  # read here, not inside a count
    return draft


def post(client, draft, action, *, commit=True, **fields):
    eps = [ep_row(npi=npi, name=f"EP {i + 1}") for i, npi in enumerate(NPIS)]
    data = form_data(action=action, categories=[draft.law_id], eps=eps, **fields)
    if not commit:
        return client.post(reverse("exemptions:request_edit", args=[draft.public_id]), data)
    with TestCase.captureOnCommitCallbacks(execute=True):  # what a commit runs: the publishes to the broker
        return client.post(reverse("exemptions:request_edit", args=[draft.public_id]), data)


@pytest.fixture
def signed_in(client, ep):
    """A session as a browser has it after log-in (the idle clock set: no session write per request)."""
    client.force_login(ep)
    client.get(reverse("exemptions:dashboard"))
    return client


@pytest.fixture
def broker(monkeypatch):
    """The broker takes every task and runs none (a worker would): what was handed over, by task name."""
    published = []

    def publish(task_name, *args, countdown=None):
        published.append(task_name)
        return True

    monkeypatch.setattr("exemptions.services.dispatch.task_publish", publish)
    monkeypatch.setattr("exemptions.services.outbox.task_publish", publish)
    return published


def test_a_complete_submit_with_two_eps(signed_in, draft, broker, django_assert_max_num_queries):
    # The EP edited the EPs' addresses and names since the draft was saved: they are written too.
    with TestCase.captureOnCommitCallbacks() as callbacks:
        with django_assert_max_num_queries(SUBMIT_MAX_QUERIES):
            response = post(signed_in, draft, "submit", commit=False)
    with CaptureQueriesContext(connection) as after_commit:
        for callback in callbacks:
            callback()
    # After commit: the email and the receipt's build handed to the broker, each marked as handed over.
    assert [q["sql"].split(" SET ")[0] for q in after_commit] == [
        'UPDATE "exemptions_outboundemail"',
        'UPDATE "exemptions_storedfile"',
    ]
    assert broker == ["exemptions.send_email", "exemptions.build_stored_file"]
    assert response.status_code == 302 and response.url.endswith("/submitted/")
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.reference.endswith("-000001")
    assert (draft.ep_count, draft.first_npi, draft.display_name) == (2, NPIS[0], "EP 1")
    assert draft.registry_summary == ExemptionRequest.RegistrySummary.NOT_CHECKED
    assert StatusChange.objects.filter(request=draft, to_status="submitted").count() == 1
    email = OutboundEmail.objects.get(request=draft)
    assert email.kind == "confirmation" and email.last_published_at is not None
    receipt = StoredFile.objects.get(request=draft)
    assert (receipt.kind, receipt.status) == ("receipt", "preparing") and receipt.published_at is not None


def test_a_submit_whose_eps_were_saved_before_writes_no_ep(signed_in, draft, broker):
    post(signed_in, draft, "save")  # the form's EPs stored as typed
    before = list(draft.affected_eps.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        post(signed_in, draft, "submit")
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [sql for sql in writes if "affectedep" in sql or "exemptionrequest_categories" in sql]
    assert list(draft.affected_eps.values_list("pk", flat=True)) == before
    assert sum('UPDATE "exemptions_exemptionrequest"' in sql for sql in writes) == 1  # the row, written once


def test_a_draft_save(signed_in, draft, django_assert_max_num_queries):
    with django_assert_max_num_queries(SAVE_MAX_QUERIES):
        response = post(signed_in, draft, "save", justification="Changed.")
    assert response.status_code == 302 and response.url.endswith("/edit/")
    draft.refresh_from_db()
    assert draft.justification == "Changed." and draft.version == 2
    assert list(draft.affected_eps.values_list("npi", "name")) == [(NPIS[0], "EP 1"), (NPIS[1], "EP 2")]


def test_a_save_that_changes_nothing_writes_nothing(signed_in, draft):
    post(signed_in, draft, "save")
    draft.refresh_from_db()
    version = draft.version
    with CaptureQueriesContext(connection) as queries:
        post(signed_in, draft, "save", commit=False)
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert [sql for sql in writes if "django_session" not in sql] == []  # the flash message lives in the session
    draft.refresh_from_db()
    assert draft.version == version


def test_a_refused_submit_keeps_the_edits_and_writes_the_row_once(ep, draft):
    law = HardshipCategory.objects.get(code="law-regulation")
    eps = [ep_row(npi=NPIS[0], name="Renamed")]
    attempt = request_save_and_submit(
        exemption=draft, actor=ep, at=et(2000, 1, 1), fields={"tin": "987654321"}, categories=[law], eps=eps
    )
    assert attempt.refusal is not None and not attempt.created
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.tin == "987654321" and draft.version == 2
    assert (draft.ep_count, draft.display_name) == (1, "Renamed")
    assert not OutboundEmail.objects.exists() and not StatusChange.objects.exists()


@pytest.mark.parametrize("kind", ["individual", "group"])
def test_the_summary_in_sql_matches_the_one_written_with_the_row(signed_in, draft, kind):
    post(signed_in, draft, "save")
    ExemptionRequest.objects.filter(pk=draft.pk).update(kind=kind, group_name="Towson Family Practice")
    draft.refresh_from_db()
    from exemptions.services.drafts import summary_values

    expected = summary_values(draft, list(draft.affected_eps.order_by("position").values("name", "npi")))
    ExemptionRequest.objects.filter(pk=draft.pk).update(display_name="", first_npi="", ep_count=0)
    refresh_summary(draft)
    draft.refresh_from_db()
    assert {k: getattr(draft, k) for k in expected} == expected


def test_the_edit_page_takes_the_largest_ep_list(settings):
    """2,500 EPs of 8 fields each, the request's own fields and the CSRF token fit under Django's field limit
    (bench/growth.py found a 2,500-EP submit refused with 400 when the limit was exactly 20,000)."""
    data = form_data(eps=[ep_row(npi="") for _ in range(2500)], action="submit", categories=[1])
    assert len(data) + 1 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
