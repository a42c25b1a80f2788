"""A request in steps: each step saves, the indicator says where you are, the summary shows everything with its
Change links, and the submit keeps the window rule (a closed window keeps the draft and says so)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from exemptions.models import AdjustmentYear, HardshipCategory, OutboundEmail
from tests.conftest import et
from tests.factories import RequestFactory, complete_draft
from tests.helpers import ep_row, form_data, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def year2013():
    return AdjustmentYear.objects.get(year=2013)


@pytest.fixture
def draft(ep, year2013):
    return RequestFactory(owner=ep, year=year2013, tin="", justification="", contact_phone="")


def step_url(obj, step):
    return reverse("exemptions:request_step", args=[obj.public_id, step])


def check_url(obj):
    return reverse("exemptions:request_check", args=[obj.public_id])


def law():
    return HardshipCategory.objects.get(code="law-regulation").pk


def eps_data(*rows, action="continue", **extra):
    data = {k: v for k, v in form_data(eps=list(rows), action=action).items() if k.startswith("ep-") or k == "action"}
    return {**data, "step": "eps", **extra}


def test_step_one_saves_the_eps_and_goes_to_step_two(client, ep, draft):
    client.force_login(ep)
    response = client.post(step_url(draft, "eps"), eps_data(ep_row(), ep_row(npi="1558598797", name="Bob Baker")))
    assert response.status_code == 302 and response.url == step_url(draft, "practice")
    assert list(draft.affected_eps.order_by("position").values_list("name", flat=True)) == ["Alice Able", "Bob Baker"]


def test_step_two_saves_the_practice_and_the_contact(client, ep, draft):
    client.force_login(ep)
    data = {
        "step": "practice",
        "action": "continue",
        "tin": "12-3456789",
        "contact_phone": "410-555-0100",
        "contact_name": "Pat Manager",
        "contact_email": "pat@example.org",
    }
    response = client.post(step_url(draft, "practice"), data)
    assert response.url == step_url(draft, "hardship")
    draft.refresh_from_db()
    assert (draft.tin, draft.contact_phone, draft.contact_name, draft.contact_email) == (
        "123456789",
        "410-555-0100",
        "Pat Manager",
        "pat@example.org",
    )
    assert draft.justification == ""  # another step's field is left alone


def test_step_three_saves_the_hardship_and_a_document(client, ep, draft):
    client.force_login(ep)
    pdf = SimpleUploadedFile("letter.pdf", pdf_bytes(), "application/pdf")
    data = {
        "step": "hardship",
        "action": "continue",
        "categories": [law()],
        "justification": "State law.",
        "cehrt_id": "",
    }
    response = client.post(step_url(draft, "hardship"), {**data, "documents": pdf})
    assert response.url == check_url(draft)
    draft.refresh_from_db()
    assert draft.justification == "State law." and list(draft.categories.values_list("pk", flat=True)) == [law()]
    assert list(draft.documents.values_list("original_name", flat=True)) == ["letter.pdf"]


def test_back_saves_and_goes_to_the_previous_step(client, ep, draft):
    client.force_login(ep)
    data = {"step": "practice", "action": "back", "tin": "12-3456789", "contact_phone": ""}
    response = client.post(step_url(draft, "practice"), data)
    assert response.url == step_url(draft, "eps")
    draft.refresh_from_db()
    assert draft.tin == "123456789"


def test_save_and_come_back_later_stays_and_says_when(client, ep, draft):
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 3, 15, 41), tick=False):
        response = client.post(
            step_url(draft, "practice"), {"step": "practice", "action": "save", "tin": ""}, follow=True
        )
    assert response.redirect_chain[-1][0] == step_url(draft, "practice")
    assert "Draft saved at 3:41 p.m. ET." in response.content.decode()


def test_a_format_error_stays_on_the_step_with_the_error_and_keeps_the_typing(client, ep, draft):
    client.force_login(ep)
    response = client.post(step_url(draft, "practice"), {"step": "practice", "action": "continue", "tin": "07-1234567"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Practice details" in page
    assert "TIN prefix 07 is never issued" in page and 'value="07-1234567"' in page
    draft.refresh_from_db()
    assert draft.tin == ""


def test_the_step_indicator_names_every_step_and_marks_the_current_one(client, ep, draft):
    client.force_login(ep)
    page = client.get(step_url(draft, "practice")).content.decode()
    assert "Step 2 of 4" in page
    assert page.count('aria-current="step"') == 1
    current = re.search(r'<span class="step-indicator-link" aria-current="step">(.*?)</span>\s*</li>', page, re.S)
    assert "2. Practice details" in current.group(1)
    for name in ("1. Affected EPs", "3. Hardship", "4. Check your answers and submit"):
        assert name in page
    assert f'href="{step_url(draft, "eps")}"' in page and f'href="{check_url(draft)}"' in page


def test_the_indicator_shows_each_step_status(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013, tin="")
    client.force_login(ep)
    page = client.get(step_url(mine, "hardship")).content.decode()
    items = re.findall(r'<li class="step-indicator-item step-(\w+)', page)
    assert items == ["completed", "in_progress", "completed", "not_started"]  # a phone but no TIN yet


def test_the_edit_address_carries_on_at_the_first_incomplete_step(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013, justification="")
    client.force_login(ep)
    assert client.get(reverse("exemptions:request_edit", args=[mine.public_id])).url == step_url(mine, "hardship")
    mine.justification = "Done"
    mine.save()
    assert client.get(reverse("exemptions:request_edit", args=[mine.public_id])).url == check_url(mine)


def test_the_summary_shows_every_answer_with_a_change_link_per_step(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013, cehrt_id="", contact_name="Pat Manager")
    client.force_login(ep)
    page = client.get(check_url(mine)).content.decode()
    assert "Step 4 of 4" in page and "Check your answers before you submit" in page
    for text in ("EP 1", "1234567893", "1 Main St", "12-3456789", "410-555-0100", "Pat Manager"):
        assert text in page
    assert (
        "State law prevented e-prescribing." in page
        and "Unable to e-prescribe because of local, state or federal law" in page
    )
    for step in ("eps", "practice", "hardship"):
        assert f'href="{step_url(mine, step)}?return_to=check"' in page
    assert page.count(">Change<span") == 3
    assert "is not complete" not in page


def test_the_summary_says_what_is_missing_and_links_to_its_step(client, ep, draft):
    client.force_login(ep)
    page = client.get(check_url(draft)).content.decode()
    assert "Practice details is not complete:" in page and "TIN is required to submit." in page
    assert "Hardship is not complete:" in page and "Choose at least one hardship category." in page


def test_a_change_link_returns_to_the_summary_after_saving(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013)
    client.force_login(ep)
    page = client.get(step_url(mine, "practice") + "?return_to=check").content.decode()
    assert '<input type="hidden" name="return_to" value="check">' in page
    assert "Save and return to the summary" in page
    data = {
        "step": "practice",
        "action": "continue",
        "return_to": "check",
        "tin": "98-7654321",
        "contact_phone": "410-555-0100",
    }
    response = client.post(step_url(mine, "practice"), data)
    assert response.url == check_url(mine)
    mine.refresh_from_db()
    assert mine.tin == "987654321"


def test_submitting_from_the_summary_goes_through_the_submit_service(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013, attested=False)
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 3, 12), tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(check_url(mine), {"step": "check", "action": "submit", "attested": "on"}, follow=True)
    mine.refresh_from_db()
    assert mine.status == "submitted" and mine.attested and mine.reference.startswith("HX-2013-")
    assert "Your request was submitted" in response.content.decode()
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CONFIRMATION, request=mine).count() == 1


def test_submit_without_the_attestation_shows_the_error_on_the_summary(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013, attested=False)
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 3, 12), tick=False):
        response = client.post(check_url(mine), {"step": "check", "action": "submit"})
    assert response.status_code == 400
    assert "Check the attestation box to submit." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "draft"


def test_a_closed_window_keeps_the_draft_and_says_so_on_the_summary(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013)
    client.force_login(ep)
    after_close = et(2013, 1, 31, 23, 59, 59) + dt.timedelta(seconds=1)
    with time_machine.travel(after_close, tick=False):
        data = {"step": "practice", "action": "continue", "tin": "98-7654321", "contact_phone": "410-555-0100"}
        client.post(step_url(mine, "practice"), data)
        response = client.post(check_url(mine), {"step": "check", "action": "submit", "attested": "on"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == check_url(mine)
    assert "Your draft is saved, but it was not submitted. The online window is not open." in page
    mine.refresh_from_db()
    assert mine.status == "draft" and mine.tin == "987654321"  # the step saved with the window closed


def test_add_another_ep_without_javascript_saves_what_was_typed_and_shows_one_more_row(client, ep, draft):
    client.force_login(ep)
    typed = ep_row(npi="1558598797", name="Zoë Ørsted", city="Baltimore")
    response = client.post(step_url(draft, "eps"), eps_data(ep_row(), typed, action="add_ep"), follow=True)
    page = response.content.decode()
    assert list(draft.affected_eps.order_by("position").values_list("name", flat=True)) == ["Alice Able", "Zoë Ørsted"]
    assert 'value="Zoë Ørsted"' in page and 'value="Baltimore"' in page
    assert "Affected EP 3" in page and 'name="ep-2-npi"' in page and 'name="ep-TOTAL_FORMS" value="3"' in page


def test_add_another_ep_with_a_mistake_keeps_the_typing_and_shows_the_error(client, ep, draft):
    client.force_login(ep)
    response = client.post(step_url(draft, "eps"), eps_data(ep_row(npi="1234567890", name="Typo"), action="add_ep"))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="1234567890"' in page and 'value="Typo"' in page and "This is not a valid NPI" in page


def test_the_add_another_button_is_a_real_button_the_script_turns_into_a_plain_one(client, ep, draft):
    client.force_login(ep)
    page = client.get(step_url(draft, "eps")).content.decode()
    assert 'name="action" value="add_ep"' in page and 'data-formset-add="ep"' in page
    # Enter in a box continues: the first button of the form is Continue, not "Add another EP".
    form = page[page.index('<form method="post"') :]
    assert form.index('value="continue"') < form.index('value="add_ep"')


def test_steps_of_a_submitted_request_show_the_request_instead(client, ep, year2013):
    mine = complete_draft(owner=ep, year=year2013, status="submitted", reference="HX-2013-000099")
    client.force_login(ep)
    detail = reverse("exemptions:request_detail", args=[mine.public_id])
    assert client.get(step_url(mine, "eps")).url == detail
    assert client.post(check_url(mine), {"action": "submit"}).url == detail


def test_an_unknown_step_is_404_and_another_eps_steps_are_404(client, ep, other_ep, draft):
    client.force_login(ep)
    assert client.get(step_url(draft, "payment")).status_code == 404
    client.force_login(other_ep)
    for url in (step_url(draft, "eps"), check_url(draft)):
        assert client.get(url).status_code == 404
        assert client.post(url, eps_data(ep_row())).status_code == 404
    assert draft.affected_eps.count() == 0


def test_a_post_without_a_button_on_the_summary_saves_and_stays(client, ep, draft):
    client.force_login(ep)
    response = client.post(check_url(draft), {"attested": "on"})
    assert response.status_code == 302 and response.url == check_url(draft)
    draft.refresh_from_db()
    assert draft.attested and draft.status == "draft"
