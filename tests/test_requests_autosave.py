"""Autosave: a POST of one step's fields saves what is well formed (never checks completeness), says when in
words screen readers announce, refuses others' requests (404) and submitted ones (JSON), and needs the CSRF token."""

import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from exemptions.models import AdjustmentYear, HardshipCategory
from tests.conftest import et
from tests.factories import RequestFactory, complete_draft
from tests.helpers import ep_row, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(ep):
    return RequestFactory(owner=ep, year=AdjustmentYear.objects.get(year=2013), tin="", justification="")


def autosave_url(obj):
    return reverse("exemptions:request_autosave", args=[obj.public_id])


def test_autosave_saves_a_partial_step_and_says_when(client, ep, draft):
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 3, 15, 41), tick=False):
        response = client.post(autosave_url(draft), {"step": "hardship", "justification": "Half a thought"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body == {
        "saved": True,
        "saved_at": "3:41 p.m. ET",
        "message": "All changes saved at 3:41 p.m. ET.",
        "not_saved": [],
    }
    draft.refresh_from_db()
    assert draft.justification == "Half a thought" and not draft.categories.exists()


def test_autosave_of_the_ep_rows_keeps_incomplete_rows(client, ep, draft):
    client.force_login(ep)
    rows = [ep_row(address_line1="", city="", email=""), ep_row(npi="", name="Still typing", zip_code="")]
    data = {k: v for k, v in form_data(eps=rows).items() if k.startswith("ep-")}
    response = client.post(autosave_url(draft), {**data, "step": "eps"})
    assert json.loads(response.content)["saved"] is True
    assert list(draft.affected_eps.order_by("position").values_list("name", flat=True)) == [
        "Alice Able",
        "Still typing",
    ]


def test_autosave_keeps_a_malformed_field_out_and_says_which(client, ep, draft):
    client.force_login(ep)
    response = client.post(
        autosave_url(draft), {"step": "practice", "tin": "07-1234567", "contact_phone": "410-555-0100"}
    )
    body = json.loads(response.content)
    assert body["saved"] is True and body["not_saved"] == ["TIN"]
    assert body["message"].endswith("except: TIN.")
    draft.refresh_from_db()
    assert draft.contact_phone == "410-555-0100" and draft.tin == ""


def test_autosave_of_an_ep_list_with_a_mistake_leaves_the_stored_list_alone(client, ep, draft):
    client.force_login(ep)
    before = list(draft.affected_eps.values_list("name", flat=True))
    data = {k: v for k, v in form_data(eps=[ep_row(npi="1234567890")]).items() if k.startswith("ep-")}
    body = json.loads(client.post(autosave_url(draft), {**data, "step": "eps"}).content)
    assert body["saved"] is True and "the EP list" in body["not_saved"][0]
    assert list(draft.affected_eps.values_list("name", flat=True)) == before


def test_autosave_works_with_the_window_closed(client, ep, draft):
    client.force_login(ep)
    with time_machine.travel(et(2014, 1, 1, 12), tick=False):
        body = json.loads(client.post(autosave_url(draft), {"step": "hardship", "justification": "Late"}).content)
    assert body["saved"] is True
    draft.refresh_from_db()
    assert draft.justification == "Late"


def test_autosave_saves_the_categories_of_the_hardship_step(client, ep, draft):
    client.force_login(ep)
    law = HardshipCategory.objects.get(code="law-regulation").pk
    client.post(autosave_url(draft), {"step": "hardship", "categories": [law], "justification": ""})
    assert list(draft.categories.values_list("pk", flat=True)) == [law]


def test_autosave_refuses_a_submitted_request_in_words(client, ep):
    submitted = complete_draft(owner=ep, status="submitted", reference="HX-2013-000042", justification="As sent")
    client.force_login(ep)
    response = client.post(autosave_url(submitted), {"step": "hardship", "justification": "Changed later"})
    assert response.status_code == 409
    assert json.loads(response.content) == {
        "saved": False,
        "message": "This request has been submitted and can no longer be changed.",
    }
    submitted.refresh_from_db()
    assert submitted.justification == "As sent"


def test_autosave_of_another_eps_request_is_404_and_changes_nothing(client, other_ep, draft):
    client.force_login(other_ep)
    response = client.post(autosave_url(draft), {"step": "hardship", "justification": "Not mine"})
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.justification == ""


def test_autosave_needs_a_step_and_a_post(client, ep, draft):
    client.force_login(ep)
    assert client.get(autosave_url(draft)).status_code == 405
    response = client.post(autosave_url(draft), {"justification": "No step"})
    assert response.status_code == 400 and json.loads(response.content)["saved"] is False


def test_autosave_needs_the_csrf_token(ep, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ep)
    assert client.post(autosave_url(draft), {"step": "hardship", "justification": "Forged"}).status_code == 403
    draft.refresh_from_db()
    assert draft.justification == ""
    page = client.get(reverse("exemptions:request_step", args=[draft.public_id, "hardship"])).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(autosave_url(draft), {"step": "hardship", "justification": "Mine"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.justification == "Mine"


def test_signed_out_autosave_gets_the_login_page_not_a_save(client, draft):
    response = client.post(autosave_url(draft), {"step": "hardship", "justification": "Anonymous"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_each_step_page_has_the_autosave_form_and_the_announced_status(client, ep, draft):
    client.force_login(ep)
    for step in ("eps", "practice", "hardship"):
        page = client.get(reverse("exemptions:request_step", args=[draft.public_id, step])).content.decode()
        assert f'data-autosave-url="{autosave_url(draft)}"' in page
        assert 'id="autosave-status"' in page and 'role="status" aria-live="polite"' in page
        assert "js/autosave.js" in page
    page = client.get(reverse("exemptions:request_check", args=[draft.public_id])).content.decode()
    assert f'data-autosave-url="{autosave_url(draft)}"' in page
