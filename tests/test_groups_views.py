"""The group's pages: start, details, EPs (typed and CSV), generate, download, mailed. Anyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exemptions.forms_groups import MailedForm
from exemptions.models import AdjustmentYear, ExemptionRequest, GroupLetter
from exemptions.services import groups as services
from tests.conftest import et
from tests.test_groups_support import complete_group, generate, npi, practice_year

pytestmark = pytest.mark.django_db
HEADER = "npi,name,address_line1,address_line2,city,state,zip_code,email"


def group_urls(group) -> list[tuple[str, str]]:
    """(method, url) of every page that belongs to one group."""
    pid = group.public_id
    ep = group.affected_eps.first()
    return [
        ("get", reverse("exemptions:group_detail", args=[pid])),
        ("get", reverse("exemptions:group_edit", args=[pid])),
        ("get", reverse("exemptions:group_eps", args=[pid])),
        ("post", reverse("exemptions:group_eps_import", args=[pid])),
        ("post", reverse("exemptions:group_ep_remove", args=[pid, ep.pk])),
        ("get", reverse("exemptions:group_eps_export", args=[pid])),
        ("post", reverse("exemptions:group_letter_generate", args=[pid])),
        ("get", reverse("exemptions:group_mark_mailed", args=[pid])),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, ep):
    group = complete_group(owner=ep)
    letter = generate(group, ep)
    urls = group_urls(group) + [
        ("get", reverse("exemptions:group_start")),
        ("get", reverse("exemptions:group_eps_template")),
        ("get", reverse("exemptions:group_letter_download", args=[letter.public_id])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_another_users_group_and_letter_are_404(client, ep, other_ep):
    group = complete_group(owner=ep)
    letter = generate(group, ep)
    client.force_login(other_ep)
    for method, url in group_urls(group) + [
        ("get", reverse("exemptions:group_letter_download", args=[letter.public_id]))
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    group.refresh_from_db()
    assert group.affected_eps.count() == 2 and group.status == "letter_generated"


def test_an_individual_request_is_not_a_group_page(client, ep):
    from tests.factories import complete_draft

    draft = complete_draft(owner=ep)
    client.force_login(ep)
    assert client.get(reverse("exemptions:group_detail", args=[draft.public_id])).status_code == 404


def test_start_a_group_letter_in_an_open_year(client, ep):
    year = practice_year()
    client.force_login(ep)
    page = client.get(reverse("exemptions:group_start")).content.decode()
    assert "Start a 2099 group letter" in page
    assert "2012 adjustment" in page and "This year's letter window has closed" in page
    response = client.post(reverse("exemptions:group_start"), {"year": "2099"})
    group = ExemptionRequest.objects.get(owner=ep)
    assert (group.kind, group.year, group.status) == ("group", year, "draft")
    assert response["Location"] == reverse("exemptions:group_edit", args=[group.public_id])
    client.post(reverse("exemptions:group_start"), {"year": "2012"})
    assert ExemptionRequest.objects.filter(owner=ep).count() == 1


def test_edit_saves_the_group_details(client, ep):
    group = complete_group(owner=ep, group_name="")
    client.force_login(ep)
    page = client.get(reverse("exemptions:group_edit", args=[group.public_id])).content.decode()
    assert 'for="id_group_name"' in page and "Postmark deadline:" in page
    data = {
        "group_name": "Harbor Pediatrics <LLC>",
        "tin": "12-3456789",
        "gpro_option": "II",
        "gpro_program_year": "2011",
        "contact_name": "Sam Lee",
        "contact_title": "Director",
        "contact_phone": "410 555 0199",
        "contact_email": "sam@example.org",
        "address_line1": "9 Bay St",
        "city": "Annapolis",
        "state": "md",
        "zip_code": "21401",
        "categories": [group.categories.first().pk],
        "justification": "No broadband.",
        "attested": "on",
    }
    response = client.post(reverse("exemptions:group_edit", args=[group.public_id]), data)
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.group_name, group.tin, group.gpro_option, group.state) == (
        "Harbor Pediatrics <LLC>",
        "123456789",
        "II",
        "MD",
    )


def test_edit_errors_are_summarized_and_linked(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    response = client.post(
        reverse("exemptions:group_edit", args=[group.public_id]), {"tin": "00-1234567", "state": "XX"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in page
    assert 'href="#id_tin"' in page and "TIN prefix 00 is never issued" in page
    assert 'href="#id_state"' in page


def test_add_eps_by_hand_and_remove_one(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:group_eps", args=[group.public_id])
    form = {"ep-TOTAL_FORMS": "2", "ep-INITIAL_FORMS": "0"}
    form.update(
        {
            f"ep-0-{k}": v
            for k, v in {
                "npi": npi(77),
                "name": "New Doc",
                "address_line1": "2 St",
                "city": "Towson",
                "state": "MD",
                "zip_code": "21204",
                "email": "new@example.org",
            }.items()
        }
    )
    response = client.post(url, form)
    assert response.status_code == 302
    assert group.affected_eps.filter(npi=npi(77), name="New Doc").exists()
    ep_row = group.affected_eps.get(npi=npi(77))
    client.post(reverse("exemptions:group_ep_remove", args=[group.public_id, ep_row.pk]))
    assert not group.affected_eps.filter(npi=npi(77)).exists()
    page = client.get(url).content.decode()
    assert f"New Doc ({npi(77)}) was removed." in page and "<td>New Doc</td>" not in page


def test_csv_import_replaces_the_list_and_reports_bad_lines_without_importing(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:group_eps_import", args=[group.public_id])
    good = (
        "\ufeff"
        + HEADER
        + "\r\n"
        + "".join(f"{npi(n)},Doc {n},{n} St,,Towson,MD,21204,d{n}@example.org\r\n" for n in range(100, 110))
    )
    response = client.post(
        url, {"mode": "replace", "replace_confirmed": "on", "file": SimpleUploadedFile("eps.csv", good.encode())}
    )
    assert response.status_code == 302
    assert sorted(group.affected_eps.values_list("npi", flat=True)) == sorted(npi(n) for n in range(100, 110))
    bad = good.replace(npi(105), "1234567890")
    response = client.post(
        url, {"mode": "replace", "replace_confirmed": "on", "file": SimpleUploadedFile("eps.csv", bad.encode())}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in page and "Line 7, NPI “1234567890”" in page
    assert group.affected_eps.count() == 10 and group.affected_eps.filter(npi=npi(105)).exists()


def test_csv_add_mode_refuses_npis_already_listed(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    text = HEADER + "\n" + f"{npi(1)},Dup,1 St,,Towson,MD,21204,dup@example.org\n"
    response = client.post(
        reverse("exemptions:group_eps_import", args=[group.public_id]),
        {"mode": "add", "file": SimpleUploadedFile("eps.csv", text.encode())},
    )
    assert response.status_code == 400
    assert f"NPI {npi(1)} is listed twice (also already listed)" in response.content.decode()


def test_template_and_export_downloads(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    template = client.get(reverse("exemptions:group_eps_template"))
    assert template["Content-Disposition"] == 'attachment; filename="gpro-eps-template.csv"'
    assert template.content.decode("utf-8-sig").startswith(HEADER)
    export = client.get(reverse("exemptions:group_eps_export", args=[group.public_id])).content.decode("utf-8-sig")
    assert npi(1) in export and npi(2) in export


@pytest.mark.django_db(transaction=True)  # commits for real: the letter renders right after the service commits
def test_generate_then_download_the_stored_letter(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    response = client.post(reverse("exemptions:group_letter_generate", args=[group.public_id]), follow=True)
    letter = GroupLetter.objects.get(request=group)
    page = response.content.decode()
    assert "version 1 is ready to download" in page
    assert reverse("exemptions:group_letter_download", args=[letter.public_id]) in page
    download = client.get(reverse("exemptions:group_letter_download", args=[letter.public_id]))
    group.refresh_from_db()
    assert download["Content-Disposition"] == f'attachment; filename="{group.reference}-letter-v1.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_closed_window_no_generation_but_an_existing_letter_stays_downloadable(client, ep, other_ep):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        done = complete_group(owner=ep, year=year)
        letter = generate(done, ep, at=et(2011, 10, 20))
        late = complete_group(owner=ep, year=year, tin="234567890")
    client.force_login(ep)
    with time_machine.travel(et(2011, 11, 2, 9, 0), tick=False):
        response = client.post(reverse("exemptions:group_letter_generate", args=[late.public_id]), follow=True)
        page = response.content.decode()
        assert (
            "The letter cannot be generated. The letter window is not open. "
            "Closed at 11:59:59 p.m. ET on Tuesday, November 1, 2011." in page
        )
        assert not GroupLetter.objects.filter(request=late).exists()
        download = client.get(reverse("exemptions:group_letter_download", args=[letter.public_id]))
        assert download.status_code == 200
        detail = client.get(reverse("exemptions:group_detail", args=[done.public_id])).content.decode()
        assert "A letter already generated can still be downloaded." in detail


def test_the_page_shows_the_postmark_deadline_and_days_left(client, ep):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20, 9, 0), tick=False):
        group = complete_group(owner=ep, year=year)
        client.force_login(ep)
        page = client.get(reverse("exemptions:group_detail", args=[group.public_id])).content.decode()
    assert "Postmark deadline: November 1, 2011" in page
    assert "The letter window closes in <strong>12 days</strong>" in page


def test_mark_mailed_late_is_accepted_and_flagged(client, ep):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        group = complete_group(owner=ep, year=year)
        generate(group, ep, at=et(2011, 10, 20))
    client.force_login(ep)
    url = reverse("exemptions:group_mark_mailed", args=[group.public_id])
    with time_machine.travel(et(2011, 11, 4, 10, 0), tick=False):
        assert client.post(url, {"mailed_on": "2011-11-05"}).status_code == 400  # the future
        response = client.post(url, {"mailed_on": "2011-11-03"}, follow=True)
    group.refresh_from_db()
    assert (group.status, group.mailed_on) == ("mailed", dt.date(2011, 11, 3))
    assert "after the postmark deadline" in response.content.decode()


def test_mark_mailed_after_staff_recorded_the_letter_meanwhile_is_a_message_not_an_error(
    client, ep, staff_user, monkeypatch
):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        group = complete_group(owner=ep, year=year)
        generate(group, ep, at=et(2011, 10, 20))
    validate = MailedForm.is_valid

    def staff_receive_the_letter_first(form):  # the race: after the page's status check, before the service
        services.letter_mark_received(
            exemption=ExemptionRequest.objects.get(pk=group.pk),
            actor=staff_user,
            at=et(2011, 10, 28, 9, 0),
            received_on=dt.date(2011, 10, 28),
            postmarked_on=dt.date(2011, 10, 25),
        )
        return validate(form)

    monkeypatch.setattr(MailedForm, "is_valid", staff_receive_the_letter_first)
    client.force_login(ep)
    with time_machine.travel(et(2011, 10, 28, 10, 0), tick=False):
        response = client.post(
            reverse("exemptions:group_mark_mailed", args=[group.public_id]), {"mailed_on": "2011-10-24"}, follow=True
        )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("exemptions:group_detail", args=[group.public_id])
    said = [str(m) for m in response.context["messages"]]
    assert said == [
        'Nothing was changed. Cannot mark mailed a request whose status is "Letter received" (Letter received by CMS).'
    ]
    group.refresh_from_db()
    assert (group.status, group.mailed_on) == ("received", None)


@pytest.mark.parametrize(
    ("mailed_on", "postmarked_on", "late_words"),
    [
        ("2011-10-31", dt.date(2011, 11, 3), "(postmarked November 3, 2011: after the postmark deadline)"),
        ("2011-11-02", dt.date(2011, 11, 1), None),  # the postmark decides: on time
    ],
)
def test_the_mailing_notice_words_lateness_by_the_date_that_decided(
    client, ep, staff_user, mailed_on, postmarked_on, late_words
):
    year = AdjustmentYear.objects.get(year=2012)
    with time_machine.travel(et(2011, 10, 20), tick=False):
        group = complete_group(owner=ep, year=year)
        generate(group, ep, at=et(2011, 10, 20))
    client.force_login(ep)
    with time_machine.travel(et(2011, 11, 4, 10, 0), tick=False):
        mark = reverse("exemptions:group_mark_mailed", args=[group.public_id])
        client.post(mark, {"mailed_on": mailed_on}, follow=True)  # follow: its own message is shown and gone
        services.letter_mark_received(
            exemption=ExemptionRequest.objects.get(pk=group.pk),
            actor=staff_user,
            at=et(2011, 11, 4, 10, 0),
            received_on=dt.date(2011, 11, 4),
            postmarked_on=postmarked_on,
        )
        page = client.get(reverse("exemptions:group_detail", args=[group.public_id])).content.decode()
    mailed = dt.date.fromisoformat(mailed_on)
    assert f"Mailed on {mailed:%B} {mailed.day}, 2011." in page  # the mailing date is not called late or on time
    if late_words:
        assert late_words in page and "alert-warning" in page
    else:
        assert "after the postmark deadline" not in page and "alert-success" in page


def test_a_group_draft_can_be_deleted_from_its_page(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    page = client.get(reverse("exemptions:group_detail", args=[group.public_id])).content.decode()
    delete = reverse("exemptions:request_delete", args=[group.public_id])
    assert delete in page
    client.post(delete)
    assert not ExemptionRequest.objects.filter(pk=group.pk).exists()
