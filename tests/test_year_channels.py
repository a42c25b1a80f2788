"""Per-year channel and filer rules: the start pages route a group to the channel its year really has, and the
attestation shown and stored is the year's."""

from __future__ import annotations

import pytest
import time_machine
from django.test import TestCase
from django.urls import reverse

from exemptions.forms import RequestForm
from exemptions.forms_groups import GroupRequestForm
from exemptions.models import AdjustmentYear, ExemptionRequest, HardshipCategory
from tests.conftest import et
from tests.factories import RequestFactory, complete_draft
from tests.helpers import form_data
from tests.test_facts import text_of
from tests.test_groups_support import complete_group, generate, pdf_text, stored_pdf

pytestmark = pytest.mark.django_db


def year(number: int) -> AdjustmentYear:
    return AdjustmentYear.objects.get(year=number, is_practice=False)


def test_the_request_start_page_says_per_year_how_groups_ask_and_who_may_file(client, ep):
    client.force_login(ep)
    text = text_of(client.get(reverse("exemptions:request_start")).content.decode())
    assert "GPRO groups: Groups selected for and taking part in the 2011 GPRO I or II should submit a letter" in text
    assert text.count("CMS-selected groups used the online page. CMS did not publish whether letters were still") == 2
    assert "Who may enter an online request: The EP personally." in text
    assert "CMS did not publish who may enter a request for the 2013 adjustment" in text
    assert "asks by mailed letter instead" not in text


def test_the_group_start_page_offers_a_letter_only_for_a_letter_year_and_sends_others_online(client, ep):
    client.force_login(ep)
    html = client.get(reverse("exemptions:group_start")).content.decode()
    assert '<h2 class="h5">2012 adjustment (1%)' in html  # the one year whose groups mailed a letter
    assert "Years when groups file online" in html
    assert "Start a 2013 group letter" not in html and "Start a 2014 group letter" not in html
    start = reverse("exemptions:request_start")
    assert f'href="{start}#year-2013"' in html and f'href="{start}#year-2014"' in html


def test_posting_a_year_whose_groups_file_online_starts_no_letter(client, ep):
    client.force_login(ep)
    with time_machine.travel(et(2012, 11, 5), tick=False):
        response = client.post(reverse("exemptions:group_start"), {"year": "2013"}, follow=True)
    assert "cannot be started" in response.content.decode()
    assert not ExemptionRequest.objects.filter(kind="group").exists()


def test_a_2012_letter_can_still_be_started_in_its_window(client, ep):
    client.force_login(ep)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        client.post(reverse("exemptions:group_start"), {"year": "2012"})
    assert ExemptionRequest.objects.get(kind="group").year.year == 2012


def test_the_2012_letter_offers_only_the_2011_gpro_program_year():
    group = RequestFactory(year=year(2012), kind="group")
    form = GroupRequestForm(instance=group)
    assert [value for value, _ in form.fields["gpro_program_year"].choices] == ["", 2011]
    assert form.fields["attested"].label == year(2012).group_attestation_text


def test_the_attestation_label_is_the_year_s():
    form_2012 = RequestForm(instance=RequestFactory(year=year(2012)))
    form_2013 = RequestForm(instance=RequestFactory(year=year(2013)))
    assert "am entering this request myself" in form_2012.fields["attested"].label
    assert "authorized by every affected EP" not in form_2012.fields["attested"].label
    assert "authorized by every affected EP listed" in form_2013.fields["attested"].label


def test_the_edit_page_shows_the_year_s_attestation(client, ep):
    client.force_login(ep)
    draft = RequestFactory(owner=ep, year=year(2012))
    html = client.get(reverse("exemptions:request_check", args=[draft.public_id])).content.decode()
    assert "CMS required the EP to enter the request personally" in html


def test_submitting_stores_the_attestation_as_worded_for_the_year(client, ep):
    draft = complete_draft(owner=ep, year=year(2013))
    client.force_login(ep)
    law = HardshipCategory.objects.get(code="law-regulation").pk
    with time_machine.travel(et(2012, 12, 1), tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("exemptions:request_edit", args=[draft.public_id]),
            form_data(action="submit", categories=[law]),
        )
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.attestation_text == year(2013).attestation_text
    # A later correction of the year's wording does not rewrite what was attested.
    AdjustmentYear.objects.filter(pk=draft.year_id).update(attestation_text="Changed later.")
    draft.refresh_from_db()
    assert draft.attestation_text != "Changed later."


def test_the_receipt_prints_the_attestation_as_attested(client, ep):
    draft = complete_draft(owner=ep, year=year(2013))
    client.force_login(ep)
    law = HardshipCategory.objects.get(code="law-regulation").pk
    with time_machine.travel(et(2012, 12, 1), tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("exemptions:request_edit", args=[draft.public_id]),
            form_data(action="submit", categories=[law]),
        )
    receipt = client.get(reverse("exemptions:request_receipt", args=[draft.public_id]))
    text = " ".join(" ".join(pdf_text(b"".join(receipt.streaming_content))).split())
    assert "The requester ticked this attestation:" in text
    assert "authorized by every affected EP listed to make this request for them" in text


def test_generating_a_group_letter_stores_and_prints_the_group_attestation(ep):
    group = complete_group(owner=ep)
    letter = generate(group, ep)
    group.refresh_from_db()
    assert group.attestation_text == group.year.group_attestation_text != ""
    text = " ".join(" ".join(pdf_text(stored_pdf(letter))).split())
    assert "I am authorized to request this exemption on behalf of the group practice and every EP listed." in text


def test_staff_edit_the_year_rules_and_the_unpublished_opening_day_in_the_admin(admin_client):
    page = admin_client.get(f"/admin/exemptions/adjustmentyear/{year(2013).pk}/change/").content.decode()
    for name in ("group_channel", "group_channel_note", "gpro_program_years", "filer", "filer_source"):
        assert f'name="{name}"' in page
    assert 'name="attestation_text"' in page and 'name="windows-0-opening_published"' in page
