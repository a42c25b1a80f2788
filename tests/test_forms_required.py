"""Required and optional at a glance: every form page says once that every field is required unless marked
"(optional)", optional fields say so in their label, and a field needed only to submit says so before the first
submit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exemptions.forms import AffectedEPForm, RequestForm, WithdrawForm
from exemptions.forms_groups import GroupRequestForm
from tests.factories import complete_draft
from tests.review_fixtures import submit
from tests.test_groups_support import complete_group, generate

pytestmark = pytest.mark.django_db
NOTE = "All fields are required unless marked (optional)."


def test_every_form_page_of_an_ep_says_it_once(client, ep):
    client.force_login(ep)
    draft = complete_draft(owner=ep)
    submitted = submit(ep)
    for url in (
        *[reverse("exemptions:request_step", args=[draft.public_id, step]) for step in ("eps", "practice", "hardship")],
        reverse("exemptions:request_withdraw", args=[submitted.public_id]),
    ):
        page = client.get(url).content.decode()
        assert page.count(NOTE) == 1, url


def test_every_form_page_of_a_group_says_it_once(client, ep):
    client.force_login(ep)
    group = complete_group(owner=ep)
    for url in (
        reverse("exemptions:group_edit", args=[group.public_id]),
        reverse("exemptions:group_eps", args=[group.public_id]),
    ):
        assert client.get(url).content.decode().count(NOTE) == 1, url
    generate(group, ep)
    page = client.get(reverse("exemptions:group_mark_mailed", args=[group.public_id])).content.decode()
    assert page.count(NOTE) == 1


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"])
def test_the_account_forms_say_it_too(client, url):
    assert NOTE in client.get(url).content.decode()


def test_optional_fields_are_marked_in_their_labels_and_required_ones_are_not():
    ep_form, request_form = AffectedEPForm(), RequestForm.base_fields
    assert ep_form.fields["address_line2"].label == "Address line 2 (optional)"
    assert [name for name, f in ep_form.fields.items() if f.label.endswith("(optional)")] == ["address_line2"]
    assert WithdrawForm().fields["reason"].label == "Why are you withdrawing? (optional)"
    assert request_form["tin"].label == "TIN"


def test_a_group_form_marks_only_its_optional_fields(ep):
    group = complete_group(owner=ep)
    form = GroupRequestForm(instance=group)
    marked = sorted(name for name, f in form.fields.items() if str(f.label).endswith("(optional)"))
    assert marked == ["address_line2", "cehrt_id"]


def test_the_ep_email_says_it_is_needed_to_submit_before_the_first_submit(client, ep):
    client.force_login(ep)
    draft = complete_draft(owner=ep)
    page = client.get(reverse("exemptions:request_step", args=[draft.public_id, "eps"])).content.decode()
    assert "Needed to submit: CMS sends this EP a copy of its decision." in page


def test_a_required_field_left_empty_is_named_in_words_not_in_a_stock_text():
    from exemptions.forms_groups import ReceivedForm

    form = ReceivedForm(data={})
    assert not form.is_valid()
    assert form.errors["reference"] == ["Reference is required."]
    assert "This field is required." not in str(form.errors)
