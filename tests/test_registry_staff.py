"""Staff see the NPI registry: the review screen per EP, the list's column and filter, the decision page's warning."""
# ruff: noqa: F811  (pytest fixtures imported from tests/review_fixtures.py are redefined as arguments)

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exemptions.models import AdjustmentYear, ExemptionRequest, RegistryEntry, RegistryFile
from exemptions.services.requests import request_submit
from tests.conftest import et
from tests.factories import RequestFactory, complete_draft
from tests.review_fixtures import reviewer, start_review  # noqa: F401

pytestmark = pytest.mark.django_db
LIST = "admin:exemptions_exemptionrequest_changelist"
Summary = ExemptionRequest.RegistrySummary

JONES = "1234567893"  # JONES, MARGARET A, MD - Internal Medicine
BROWN = "1700000007"  # BROWN, ROBERT
ACME = "1245319599"  # an organization
GONE = "1003000126"  # SMITH, JOHN, deactivated since May 1, 2024
UNKNOWN = "1558598797"  # valid, in nobody's name


def load_registry():
    RegistryFile.objects.create(
        kind="monthly", name="npidata_pfile_20250602-20250608.csv", file_date=dt.date(2025, 6, 8), status="loaded"
    )
    person = {"entity_type": 1}
    RegistryEntry.objects.bulk_create(
        [
            RegistryEntry(
                npi=JONES,
                **person,
                last_name="JONES",
                first_name="MARGARET",
                middle_name="ANN",
                credential="MD",
                taxonomy_code="207R00000X",
            ),
            RegistryEntry(npi=BROWN, **person, last_name="BROWN", first_name="ROBERT"),
            RegistryEntry(npi=ACME, entity_type=2, organization_name="ACME FAMILY CLINIC LLC"),
            RegistryEntry(
                npi=GONE,
                **person,
                last_name="SMITH",
                first_name="JOHN",
                deactivated_on=dt.date(2024, 5, 1),
                replacement_npi=JONES,
            ),
        ]
    )


@pytest.fixture
def registry(db):
    load_registry()


def submit(owner, eps):
    """Submit a request for these (NPI, name) EPs, in the 2013 window."""
    draft = complete_draft(owner=owner, year=AdjustmentYear.objects.get(year=2013), npis=[npi for npi, _ in eps])
    for row, (_npi, name) in zip(draft.affected_eps.order_by("position"), eps, strict=True):
        row.name = name
        row.save(update_fields=["name"])
    submitted, _ = request_submit(exemption=draft, actor=owner, at=et(2012, 12, 1, 10))
    return submitted


def change_url(obj):
    return reverse("admin:exemptions_exemptionrequest_change", args=[obj.pk])


def decide_url(obj, decision="approve"):
    return reverse("admin:exemptions_review_decide", args=[obj.pk, decision])


def listed(client, **params):
    response = client.get(reverse(LIST), params)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- the summary, kept at submission ---


def test_submission_stores_whether_every_ep_matches_the_registry(ep, registry):
    assert submit(ep, [(JONES, "Dr. Margaret A. Jones, MD")]).registry_summary == Summary.MATCH
    assert submit(ep, [(JONES, "Margaret Jones"), (BROWN, "Rita Green")]).registry_summary == Summary.WARNING
    assert submit(ep, [(UNKNOWN, "Anyone")]).registry_summary == Summary.WARNING


def test_without_a_registry_a_submission_is_not_checked(ep):
    assert submit(ep, [(JONES, "Margaret Jones")]).registry_summary == Summary.NOT_CHECKED


def test_a_group_letter_checks_its_eps_and_each_new_version_checks_them_again(ep):
    from exemptions.services.groups import group_ep_remove
    from tests.test_groups_support import complete_group, generate, npi

    load_registry()
    for number in (1, 2):
        RegistryEntry.objects.create(npi=npi(number), entity_type=1, last_name="NUMBER", first_name="DOCTOR")
    group = complete_group(owner=ep, eps=3)  # "Doctor Number 1" to 3: the third is not in the registry
    generate(group, ep)
    assert group.registry_summary == Summary.WARNING
    stranger = group.affected_eps.get(npi=npi(3))
    group_ep_remove(exemption=group, actor=ep, at=timezone.now(), ep_id=stranger.pk)
    group.refresh_from_db()
    assert group.registry_summary == Summary.MATCH


# --- the review screen ---


def test_the_review_screen_shows_each_finding_with_the_registrys_name(client, ep, reviewer, registry):
    exemption = submit(
        ep,
        [
            (JONES, "Margaret Jones"),
            (BROWN, "Rita Green"),
            (UNKNOWN, "Nobody Known"),
            (GONE, "John Smith"),
            (ACME, "Acme Clinic"),
        ],
    )
    client.force_login(reviewer)
    page = client.get(change_url(exemption)).content.decode()
    assert "Registry (file of Jun 8, 2025)" in page
    assert "4 of 5 EPs do not match the NPI registry of June 8, 2025" in page
    assert "match: JONES, MARGARET A, MD - Internal Medicine" in page
    assert "<strong>name differs</strong>: BROWN, ROBERT" in page
    assert "NPI 1700000007 is BROWN, ROBERT in the NPI registry of June 8, 2025: the name typed differs." in page
    assert "<strong>not found</strong>" in page
    assert "NPI 1558598797 is not in the NPI registry of June 8, 2025: check for a typo." in page
    assert "<strong>deactivated</strong>: SMITH, JOHN" in page
    assert (
        "deactivated since May 1, 2024 in the NPI registry of June 8, 2025; its replacement is NPI 1234567893" in page
    )
    assert "<strong>an organization&#x27;s NPI</strong>: ACME FAMILY CLINIC LLC" in page


def test_the_review_screen_says_all_match_without_warnings(client, ep, reviewer, registry):
    exemption = submit(ep, [(JONES, "Margaret Jones")])
    client.force_login(reviewer)
    page = client.get(change_url(exemption)).content.decode()
    assert "The EP matches the NPI registry of June 8, 2025." in page and 'class="warning"' not in page


def test_the_review_screen_asks_the_registry_once_whatever_the_number_of_eps(client, ep, reviewer, registry):
    few = submit(ep, [(JONES, "Margaret Jones"), (BROWN, "Robert Brown")])
    many = submit(ep, [(JONES, "Margaret Jones"), (BROWN, "Robert Brown"), (GONE, "John Smith"), (ACME, "Acme")])
    client.force_login(reviewer)
    counts = []
    for exemption in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(change_url(exemption)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_without_a_registry_the_review_screen_shows_nothing_of_it(client, ep, reviewer):
    exemption = submit(ep, [(JONES, "Margaret Jones")])
    client.force_login(reviewer)
    page = client.get(change_url(exemption)).content.decode()
    assert "Registry" not in page and "NPI registry of" not in page
    assert JONES in page  # the EP itself is listed as before


# --- the list: column and filter ---


def test_the_list_shows_and_filters_the_summary_computed_at_submission(client, ep, reviewer):
    unchecked = submit(ep, [(JONES, "Margaret Jones")])
    load_registry()
    matching = submit(ep, [(JONES, "Margaret Jones")])
    differing = submit(ep, [(JONES, "Margaret Jones"), (BROWN, "Rita Green")])
    client.force_login(reviewer)
    page = client.get(reverse(LIST)).content.decode()
    assert "NPI registry" in page
    assert "NPIs match" in page and "⚠ NPI mismatch" in page and "NPIs not checked" in page
    assert listed(client, registry="match") == {matching}
    assert listed(client, registry="warning") == {differing}
    assert listed(client, registry="none") == {unchecked}
    assert listed(client) == {unchecked, matching, differing}


def test_the_filter_offers_its_three_choices_and_refuses_others(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse(LIST))
    spec = next(s for s in response.context["cl"].filter_specs if getattr(s, "parameter_name", "") == "registry")
    assert spec.title == "NPI registry"
    assert list(spec.lookup_choices) == [
        ("match", "All EPs match"),
        ("warning", "Some EP does not match"),
        ("none", "Not checked"),
    ]
    refused = client.get(reverse(LIST), {"registry": "abc"})
    assert refused.status_code == 302 and "e=1" in refused["Location"]


def test_the_column_and_filter_add_no_query_per_row(client, ep, reviewer, registry, django_assert_max_num_queries):
    client.force_login(reviewer)
    summaries = [Summary.MATCH, Summary.WARNING, Summary.NOT_CHECKED]
    for summary in summaries:
        RequestFactory(owner=ep, registry_summary=summary)
    counts = {}
    for params in ({"queue": "all"}, {"registry": "warning"}):
        with CaptureQueriesContext(connection) as queries:
            listed(client, **params)
        counts[str(params)] = len(queries)
    for i in range(27):
        RequestFactory(owner=ep, registry_summary=summaries[i % 3])
    for params in ({"queue": "all"}, {"registry": "warning"}):
        with django_assert_max_num_queries(counts[str(params)]):
            rows = listed(client, **params)
        assert len(rows) == (30 if "queue" in params else 10)


# --- the decision pages ---


def test_the_decision_page_warns_when_an_ep_does_not_match_but_never_blocks(client, ep, reviewer, registry):
    exemption = submit(ep, [(JONES, "Margaret Jones"), (BROWN, "Rita Green"), (UNKNOWN, "Nobody Known")])
    start_review(exemption, reviewer)
    client.force_login(reviewer)
    page = client.get(decide_url(exemption)).content.decode()
    assert "2 of 3 EPs do not match the NPI registry of June 8, 2025: NPI 1700000007 is BROWN, ROBERT" in page
    assert "NPI 1558598797 is not in the NPI registry of June 8, 2025" in page
    assert "This is a warning only" in page
    exemption.refresh_from_db()
    form = {"reason_code": "hardship_verified", "message": "", "internal_note": "", "version": exemption.version}
    preview = client.post(decide_url(exemption), {**form, "_preview": "1"})
    assert "2 of 3 EPs do not match" in preview.content.decode()
    client.post(decide_url(exemption), {**form, "_confirm": "1"})
    exemption.refresh_from_db()
    assert exemption.status == ExemptionRequest.Status.APPROVED


def test_the_decision_page_says_nothing_when_every_ep_matches(client, ep, reviewer, registry):
    exemption = submit(ep, [(JONES, "Margaret Jones")])
    client.force_login(reviewer)
    page = client.get(decide_url(exemption, "deny")).content.decode()
    assert "registry-warning" not in page and "NPI registry" not in page


def test_the_decision_page_says_nothing_without_a_registry(client, ep, reviewer):
    exemption = submit(ep, [(BROWN, "Rita Green")])
    load_registry()
    RegistryFile.objects.update(status=RegistryFile.Status.FAILED)  # the only file failed to load: no registry
    client.force_login(reviewer)
    page = client.get(decide_url(exemption, "deny")).content.decode()
    assert "registry-warning" not in page and "NPI registry" not in page


def test_the_bulk_decision_page_counts_the_selected_requests_with_a_warning(client, ep, reviewer, registry):
    differing = submit(ep, [(BROWN, "Rita Green")])
    matching = submit(ep, [(JONES, "Margaret Jones")])
    client.force_login(reviewer)
    page = client.post(reverse(LIST), {"action": "deny_selected", "_selected_action": [differing.pk, matching.pk]})
    assert "1 of the selected requests have an EP that does not match the NPI registry" in page.content.decode()


# --- re-checking ---


def test_the_recheck_action_updates_the_summary_and_reports_a_count(client, ep, reviewer):
    differing = submit(ep, [(BROWN, "Rita Green")])
    matching = submit(ep, [(JONES, "Margaret Jones"), (BROWN, "Robert Brown")])
    version = matching.version
    load_registry()
    client.force_login(reviewer)
    response = client.post(
        reverse(LIST),
        {"action": "recheck_registry", "_selected_action": [differing.pk, matching.pk]},
        follow=True,
    )
    assert messages_of(response) == [
        "2 request(s) re-checked against the NPI registry: 1 with an EP that does not match."
    ]
    differing.refresh_from_db()
    matching.refresh_from_db()
    assert (differing.registry_summary, matching.registry_summary) == (Summary.WARNING, Summary.MATCH)
    assert matching.version == version  # a re-check never makes a reviewer's open page stale


def test_the_recheck_without_a_registry_says_nothing_was_checked(client, ep, reviewer):
    exemption = submit(ep, [(JONES, "Margaret Jones")])
    client.force_login(reviewer)
    response = client.post(
        reverse(LIST), {"action": "recheck_registry", "_selected_action": [exemption.pk]}, follow=True
    )
    assert messages_of(response) == ["1 request(s) not checked: no NPI registry is loaded, or no EP."]
    assert listed(client, registry="none") == {exemption}


def test_the_recheck_command_rechecks_every_submitted_request(ep, capsys):
    differing = submit(ep, [(BROWN, "Rita Green")])
    matching = submit(ep, [(JONES, "Margaret Jones")])
    load_registry()
    call_command("registry_recheck")
    assert capsys.readouterr().out.strip() == (
        "2 request(s) re-checked against the NPI registry: 1 with an EP that does not match."
    )
    assert ExemptionRequest.objects.get(pk=differing.pk).registry_summary == Summary.WARNING
    assert ExemptionRequest.objects.get(pk=matching.pk).registry_summary == Summary.MATCH


def test_the_recheck_action_refuses_more_than_it_can_do_while_staff_wait(client, ep, reviewer, monkeypatch):
    monkeypatch.setattr("exemptions.admin.requests.RECHECK_MAX", 1)
    first, second = submit(ep, [(JONES, "Margaret Jones")]), submit(ep, [(BROWN, "Robert Brown")])
    load_registry()
    client.force_login(reviewer)
    response = client.post(
        reverse(LIST), {"action": "recheck_registry", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    assert "Nothing re-checked: at most 1 requests at a time here" in messages_of(response)[0]
    assert set(ExemptionRequest.objects.values_list("registry_summary", flat=True)) == {Summary.NOT_CHECKED}
