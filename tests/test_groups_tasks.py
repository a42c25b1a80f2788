"""The group page as a task list (statuses from exemptions/progress.py), and the EP page: the list first, no empty
rows, "Add another EP" without JavaScript keeps what was typed, a CSV import adds unless replacing is confirmed."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exemptions import progress
from exemptions.models import ExemptionRequest
from exemptions.services import groups as services
from tests.test_groups_support import complete_group, generate, npi, practice_year
from tests.test_groups_views import HEADER

pytestmark = pytest.mark.django_db
S = ExemptionRequest.Status


def statuses(group) -> dict[str, str]:
    return {task.key: task.status for task in progress.group_tasks(group)}


def csv_upload(*numbers) -> SimpleUploadedFile:
    lines = "".join(f"{npi(n)},Doc {n},{n} St,,Towson,MD,21204,d{n}@example.org\n" for n in numbers)
    return SimpleUploadedFile("eps.csv", (HEADER + "\n" + lines).encode())


def test_a_new_group_has_nothing_started_and_cannot_generate_yet(ep):
    group = services.group_request_create(owner=ep, year=practice_year())
    assert statuses(group) == {
        "details": "not_started",
        "eps": "not_started",
        "hardship": "not_started",
        "letter": "cannot_start",
        "mailed": "cannot_start",
    }


def test_a_half_filled_group_is_in_progress_and_says_what_is_missing(ep):
    group = complete_group(owner=ep, eps=1, zip_code="", justification="")
    tasks = {task.key: task for task in progress.group_tasks(group)}
    assert tasks["details"].status == "in_progress" and tasks["details"].problems == ["ZIP code is missing."]
    assert tasks["eps"].status == "in_progress" and "this group has 1" in tasks["eps"].problems[0]
    assert tasks["hardship"].status == "in_progress"
    assert tasks["hardship"].problems == ["Justification is required to submit: explain the hardship."]
    assert tasks["letter"].status == "cannot_start"


def test_a_complete_group_can_generate_then_mail_then_is_done(ep):
    group = complete_group(owner=ep)
    assert statuses(group) == {
        "details": "completed",
        "eps": "completed",
        "hardship": "completed",
        "letter": "not_started",
        "mailed": "cannot_start",
    }
    generate(group, ep)
    group.refresh_from_db()
    assert group.status == S.LETTER_GENERATED
    assert statuses(group)["letter"] == "completed" and statuses(group)["mailed"] == "not_started"
    ExemptionRequest.objects.filter(pk=group.pk).update(status=S.MAILED, mailed_on="2026-11-20")
    group.refresh_from_db()
    assert set(statuses(group).values()) == {"completed"}


def test_the_group_page_shows_the_task_list_with_links_and_statuses(client, ep):
    group = complete_group(owner=ep, eps=1)
    client.force_login(ep)
    page = client.get(reverse("exemptions:group_detail", args=[group.public_id])).content.decode()
    assert "2 of 5 tasks completed." in page
    items = re.findall(r'<strong class="task-status task-status-(\w+)" id="task-(\w+)">([^<]+)</strong>', page)
    assert items == [
        ("completed", "details", "Completed"),
        ("in_progress", "eps", "In progress"),
        ("completed", "hardship", "Completed"),
        ("cannot_start", "letter", "Cannot start yet"),
        ("cannot_start", "mailed", "Cannot start yet"),
    ]
    assert f'href="{reverse("exemptions:group_eps", args=[group.public_id])}" aria-describedby="task-eps"' in page
    assert f'href="{reverse("exemptions:group_edit", args=[group.public_id])}" aria-describedby="task-details"' in page


def test_the_ep_page_lists_the_eps_before_the_entry_rows_and_the_import_box(client, ep):
    group = complete_group(owner=ep, eps=3)
    client.force_login(ep)
    page = client.get(reverse("exemptions:group_eps", args=[group.public_id])).content.decode()
    assert page.index('id="list-heading"') < page.index('id="add-heading"') < page.index('id="import-heading"')
    assert 'name="ep-TOTAL_FORMS" value="0"' in page and 'name="ep-0-npi"' not in page  # no empty rows
    assert page.count(">Add another EP</button>") == 1


def test_add_another_ep_without_javascript_keeps_the_typed_rows_and_adds_one(client, ep):
    group = complete_group(owner=ep)
    client.force_login(ep)
    url = reverse("exemptions:group_eps", args=[group.public_id])
    data = {
        "action": "add_row",
        "ep-TOTAL_FORMS": "1",
        "ep-INITIAL_FORMS": "0",
        "ep-0-npi": npi(77),
        "ep-0-name": "Half Typed",
        "ep-0-city": "Towson",
    }
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{npi(77)}"' in page and 'value="Half Typed"' in page and 'value="Towson"' in page
    assert 'name="ep-TOTAL_FORMS" value="2"' in page and 'name="ep-1-npi"' in page
    assert "is required" not in page  # the row is checked when it is added, not while typing
    assert group.affected_eps.count() == 2  # nothing added until "Save these EPs to the list"


def test_an_import_adds_to_the_list_by_default(client, ep):
    group = complete_group(owner=ep, eps=2)
    client.force_login(ep)
    page = client.get(reverse("exemptions:group_eps", args=[group.public_id])).content.decode()
    assert re.search(r'value="add"[^>]*checked', page)  # the default choice
    response = client.post(
        reverse("exemptions:group_eps_import", args=[group.public_id]), {"mode": "add", "file": csv_upload(100, 101)}
    )
    assert response.status_code == 302
    assert sorted(group.affected_eps.values_list("npi", flat=True)) == sorted(npi(n) for n in (1, 2, 100, 101))


def test_replacing_the_list_needs_an_explicit_confirmation(client, ep):
    group = complete_group(owner=ep, eps=2)
    client.force_login(ep)
    url = reverse("exemptions:group_eps_import", args=[group.public_id])
    refused = client.post(url, {"mode": "replace", "file": csv_upload(100, 101)})
    assert refused.status_code == 400
    assert "Replacing the list removes the 2 EP(s) listed now: check the box to confirm" in refused.content.decode()
    assert sorted(group.affected_eps.values_list("npi", flat=True)) == [npi(1), npi(2)]
    done = client.post(url, {"mode": "replace", "replace_confirmed": "on", "file": csv_upload(100, 101)})
    assert done.status_code == 302
    assert sorted(group.affected_eps.values_list("npi", flat=True)) == [npi(100), npi(101)]


def test_replacing_an_empty_list_needs_no_confirmation(client, ep):
    group = complete_group(owner=ep, eps=0)
    client.force_login(ep)
    url = reverse("exemptions:group_eps_import", args=[group.public_id])
    assert client.post(url, {"mode": "replace", "file": csv_upload(100, 101)}).status_code == 302
    assert group.affected_eps.count() == 2
