"""Starting a request and saving drafts: anything can be saved except format errors; nothing is lost."""

import pytest
import time_machine
from django.urls import reverse

from exemptions.models import AdjustmentYear, ExemptionRequest, HardshipCategory
from tests.conftest import et
from tests.factories import RequestFactory
from tests.helpers import ep_row, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def year2013():
    return AdjustmentYear.objects.get(year=2013)


@pytest.fixture
def draft(ep, year2013):
    return RequestFactory(owner=ep, year=year2013, tin="", justification="")


def edit_url(obj):
    return reverse("exemptions:request_edit", args=[obj.public_id])


def step_url(obj, step):
    return reverse("exemptions:request_step", args=[obj.public_id, step])


def law():
    return HardshipCategory.objects.get(code="law-regulation").pk


def test_start_page_offers_open_and_future_years_and_greys_closed_ones(client, ep):
    client.force_login(ep)
    with time_machine.travel(et(2012, 8, 1, 12), tick=False):
        page = client.get(reverse("exemptions:request_start")).content.decode()
    assert "Start a 2013 request" in page  # between its windows: the second opens later
    assert "Start a 2014 request" in page  # not yet open
    assert "Start a 2012 request" not in page
    assert "Closed at 11:59:59 p.m. ET on Tuesday, November 8, 2011" in page


def test_starting_a_closed_year_is_refused(client, ep):
    client.force_login(ep)
    with time_machine.travel(et(2013, 8, 1, 12), tick=False):
        response = client.post(reverse("exemptions:request_start"), {"year": 2012}, follow=True)
    assert "can no longer be started" in response.content.decode()
    assert not ExemptionRequest.objects.filter(owner=ep).exists()


def test_starting_an_open_year_creates_a_draft_prefilled_with_the_account(client, ep):
    client.force_login(ep)
    with time_machine.travel(et(2012, 12, 1, 12), tick=False):
        response = client.post(reverse("exemptions:request_start"), {"year": 2013})
    draft = ExemptionRequest.objects.get(owner=ep)
    assert response.url == step_url(draft, "eps")  # the first step
    assert draft.status == "draft" and draft.year.year == 2013
    assert list(draft.affected_eps.values_list("email", flat=True)) == ["alice@example.org"]


def test_an_incomplete_draft_saves_even_with_the_window_closed(client, ep, draft):
    client.force_login(ep)
    data = form_data(eps=[ep_row(npi="", name="Alice", city="")], tin="", justification="Half written", attested="")
    with time_machine.travel(et(2014, 1, 1, 12), tick=False):
        response = client.post(edit_url(draft), data, follow=True)
    assert "Draft saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.justification == "Half written" and draft.status == "draft"
    assert draft.affected_eps.get().name == "Alice"


def test_format_errors_block_the_save_with_clear_messages_and_keep_what_was_typed(client, ep, draft):
    client.force_login(ep)
    data = form_data(eps=[ep_row(npi="1234567890")], tin="07-1234567", justification="Keep me")
    response = client.post(edit_url(draft), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "There are problems with this page" in page
    assert "EP 1, NPI: This is not a valid NPI" in page
    assert "TIN prefix 07 is never issued" in page
    assert "Keep me" in page and 'value="1234567890"' in page
    draft.refresh_from_db()
    assert draft.justification == ""  # nothing half-saved


def test_duplicate_npis_in_one_request_are_refused(client, ep, draft):
    client.force_login(ep)
    data = form_data(eps=[ep_row(), ep_row(name="Other"), ep_row(npi="1558598797")])
    page = client.post(edit_url(draft), data).content.decode()
    assert "NPI 1234567893 is listed twice (EP 1 and EP 2)" in page
    assert draft.affected_eps.count() == 0


def test_several_eps_and_the_add_another_button(client, ep, draft):
    client.force_login(ep)
    data = form_data(eps=[ep_row(), ep_row(npi="1558598797", name="Zoë Ørsted")], action="add_ep")
    page = client.post(step_url(draft, "eps"), data, follow=True).content.decode()
    assert list(draft.affected_eps.values_list("name", flat=True)) == ["Alice Able", "Zoë Ørsted"]
    assert "Affected EP 3" in page and 'value="Zoë Ørsted"' in page  # the new row is shown, not stored empty


def test_removing_an_ep_row(client, ep, draft):
    client.force_login(ep)
    data = form_data(eps=[ep_row(), ep_row(npi="1558598797", name="Bob")])
    data["ep-1-DELETE"] = "on"
    client.post(edit_url(draft), data)
    assert list(draft.affected_eps.values_list("name", flat=True)) == ["Alice Able"]


def test_leaving_and_coming_back_loses_nothing(client, ep, draft):
    client.force_login(ep)
    client.post(edit_url(draft), form_data(justification="Line one\nLine two", categories=[law()]))
    client.logout()
    client.force_login(ep)
    page = client.get(step_url(draft, "hardship")).content.decode()
    assert "Line one\nLine two" in page
    assert f'value="{law()}" ' in page and "checked" in page
    assert 'value="12-3456789"' in client.get(step_url(draft, "practice")).content.decode()


def test_category_not_allowed_for_the_year_is_refused(client, ep, draft):
    client.force_login(ep)
    not_2013 = HardshipCategory.objects.get(code="insufficient-opportunities").pk
    page = client.post(edit_url(draft), form_data(categories=[not_2013])).content.decode()
    assert "A chosen category is not allowed for the 2013 adjustment." in page


def test_information_only_categories_are_explained_not_offered(client, ep):
    client.force_login(ep)
    draft = RequestFactory(owner=ep, year=AdjustmentYear.objects.get(year=2014))
    page = client.get(step_url(draft, "hardship")).content.decode()
    assert "No request needed for these in 2014" in page
    assert "Granted automatically by CMS" in page
    mu = HardshipCategory.objects.get(code="meaningful-use").pk
    assert f'value="{mu}"' not in page
    assert (
        "A chosen category is not allowed for the 2014 adjustment."
        in client.post(edit_url(draft), form_data(categories=[mu])).content.decode()
    )


def test_justification_over_the_limit_is_refused(client, ep, draft, settings):
    client.force_login(ep)
    text = "x" * (settings.PORTAL_JUSTIFICATION_MAX_CHARS + 1)
    page = client.post(edit_url(draft), form_data(justification=text)).content.decode()
    assert "the limit is 20,000" in page


def test_delete_a_draft(client, ep, draft):
    client.force_login(ep)
    url = reverse("exemptions:request_delete", args=[draft.public_id])
    assert "Delete this draft?" in client.get(url).content.decode()
    client.post(url)
    assert not ExemptionRequest.objects.filter(pk=draft.pk).exists()


def test_html_is_escaped_on_the_edit_and_detail_pages(client, ep, draft):
    client.force_login(ep)
    evil = '<script>alert("x")</script>'
    client.post(edit_url(draft), form_data(justification=evil, eps=[ep_row(name=evil)]))
    detail = reverse("exemptions:request_detail", args=[draft.public_id])
    for url in [
        step_url(draft, "eps"),
        step_url(draft, "hardship"),
        reverse("exemptions:request_check", args=[draft.public_id]),
        detail,
    ]:
        page = client.get(url).content.decode()
        assert evil not in page and "&lt;script&gt;" in page
