"""The public "Do I need to file?" pre-check: every outcome of every year's rules, and partly answered forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exemptions.eligibility import RULES, Outcome, precheck
from tests.test_facts import text_of

URL = reverse("exemptions:precheck")
NOTHING = {
    "year": "2013",
    "profession": "md_do",
    "prescribing": "yes",
    "encounters": "at_least",
    "charges_share": "at_least",
    "g_code": "none",
    "ehr": "none",
}


def answers(**changes) -> dict:
    return {**NOTHING, **changes}


@pytest.mark.parametrize("year", sorted(RULES))
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"profession": "other"}, "only to an MD, DO, podiatrist, nurse practitioner or physician assistant"),
        ({"prescribing": "no"}, "no prescribing privileges (reported on claims with G-code G8644)"),
        ({"encounters": "below"}, "fewer than 100 denominator-eligible encounters in the reporting period"),
        ({"charges_share": "below"}, "Less than 10% of your Part B allowed charges (per TIN)"),
    ],
)
def test_each_exclusion_means_no_request_in_every_year(year, change, reason):
    result = precheck(answers(year=str(year), **change))
    assert result.outcome is Outcome.EXCLUDED
    assert result.headline == "You are automatically excluded: no request needed"
    assert any(reason in r for r in result.reasons)


def test_several_exclusions_are_all_named():
    result = precheck(answers(profession="other", prescribing="no"))
    assert len(result.reasons) == 2


@pytest.mark.parametrize(("g_code", "words"), [("g8642", "G8642"), ("g8643", "G8643"), ("both", "G8642 and G8643")])
def test_2014_g_codes_on_claims_may_mean_no_request(g_code, words):
    result = precheck(answers(year="2014", g_code=g_code))
    assert result.outcome is Outcome.MAY_NOT_NEED
    assert (
        f"You reported {words} on claims: for the 2014 adjustment CMS took these hardships from claims"
        in (result.reasons[0])
    )


@pytest.mark.parametrize("ehr", ["meaningful_use", "cehrt"])
def test_2014_ehr_status_may_mean_no_request_under_its_condition(ehr):
    result = precheck(answers(year="2014", ehr=ehr))
    assert result.outcome is Outcome.MAY_NOT_NEED
    assert "needed no request" in result.reasons[0] and "by June 30, 2013" in result.reasons[0]


@pytest.mark.parametrize(
    ("year", "change", "categories"),
    [
        ("2012", {}, []),
        ("2012", {"g_code": "both"}, ["rural-internet", "pharmacies"]),
        ("2012", {"ehr": "meaningful_use"}, ["ehr-cehrt"]),  # 2012 had no meaningful-use category
        ("2013", {"g_code": "g8642"}, ["rural-internet"]),
        ("2013", {"g_code": "g8643"}, ["pharmacies"]),
        ("2013", {"ehr": "meaningful_use"}, ["meaningful-use", "ehr-cehrt"]),
        ("2013", {"ehr": "cehrt"}, ["ehr-cehrt"]),
        ("2014", {}, []),
        ("2014", {"g_code": "unknown", "ehr": "unknown"}, []),
    ],
)
def test_otherwise_file_a_request_with_the_categories_the_answers_point_to(year, change, categories):
    result = precheck(answers(year=year, **change))
    assert result.outcome is Outcome.FILE and result.headline == "File a hardship request"
    assert result.categories == categories


def test_unknown_answers_are_named_as_worth_checking():
    result = precheck(answers(encounters="unknown", charges_share="unknown"))
    assert result.outcome is Outcome.FILE
    assert [n.split(",")[0] for n in result.notes] == [
        "If you had fewer than 100 denominator-eligible encounters in Calendar year 2011 (12 months) or January 1 - "
        "June 30",
        "If less than 10% of your Part B allowed charges came from the measure's denominator codes",
    ]


@pytest.mark.django_db
def test_the_page_answers_file_with_a_link_that_starts_the_right_year(client):
    response = client.get(URL, {**answers(g_code="g8642"), "check": "1"})
    html = response.content.decode()
    text = text_of(html)
    assert response.status_code == 200
    assert "File a hardship request" in text
    assert "Rural area without sufficient high-speed internet access" in text
    assert f'href="{reverse("exemptions:request_start")}#year-2013"' in html
    assert "2013 online requests: Closed" in text


@pytest.mark.django_db
def test_the_page_offers_the_group_letter_only_for_a_letter_year(client):
    html_2012 = client.get(URL, {**answers(year="2012"), "check": "1"}).content.decode()
    html_2013 = client.get(URL, {**answers(year="2013"), "check": "1"}).content.decode()
    assert "Start a GPRO group letter" in html_2012 and "Start a GPRO group letter" not in html_2013


@pytest.mark.django_db
def test_the_page_answers_excluded_and_may_not_need(client):
    excluded = text_of(client.get(URL, {**answers(prescribing="no"), "check": "1"}).content.decode())
    assert "You are automatically excluded: no request needed" in excluded and "Start a 2013" not in excluded
    may_not = text_of(client.get(URL, {**answers(year="2014", g_code="g8643"), "check": "1"}).content.decode())
    assert "You may not need to file because:" in may_not and "You reported G8643 on claims" in may_not


MESSAGES = {
    "year": "Choose the adjustment year.",
    "profession": "Choose your profession.",
    "prescribing": "Say whether you had prescribing privileges.",
    "encounters": "Say how many denominator-eligible encounters you had (or that you don't know).",
    "charges_share": "Say what share of your allowed charges came from the measure's codes (or that you don't know).",
    "g_code": "Say whether you reported G8642 or G8643 on claims (or neither).",
    "ehr": "Say what your certified EHR status was (or neither).",
}


@pytest.mark.django_db
def test_a_partly_answered_precheck_gets_a_message_per_missing_answer(client):
    partial = {k: v for k, v in answers().items() if k in ("year", "profession", "g_code")}
    response = client.get(URL, {**partial, "check": "1"})
    text = text_of(response.content.decode())
    assert response.status_code == 400
    for name, message in MESSAGES.items():
        expected = 0 if name in partial else 2  # in the summary and beside the question
        assert text.count(message) == expected, name
    assert "File a hardship request" not in text


@pytest.mark.django_db
def test_an_empty_check_names_every_question_and_a_made_up_answer_is_refused(client):
    text = text_of(client.get(URL, {"check": "1"}).content.decode())
    assert all(message in text for message in MESSAGES.values())
    response = client.get(URL, {**answers(profession="dentist"), "check": "1"})
    assert response.status_code == 400 and "Choose your profession." in response.content.decode()


@pytest.mark.django_db
def test_a_link_with_a_year_preselects_it_without_errors(client):
    response = client.get(URL, {"year": "2014"})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" not in html
    assert 'value="2014" checked' in html
    assert f'href="{URL}?year=2014"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("code", "profession"),
    [("207R00000X", "md_do"), ("213E00000X", "podiatrist"), ("363L00000X", "np"), ("363A00000X", "pa")],
)
def test_a_registry_taxonomy_pre_answers_the_profession(code, profession):
    from exemptions.eligibility import profession_from_taxonomy

    assert profession_from_taxonomy(code) == profession
    assert profession_from_taxonomy("122300000X") == "other"  # a dentist
    assert profession_from_taxonomy("") == ""


@pytest.mark.django_db
def test_looking_up_an_npi_pre_answers_the_profession_and_keeps_the_other_answers(client):
    import datetime as dt

    from exemptions.models import RegistryEntry, RegistryFile

    RegistryFile.objects.create(kind="monthly", name="npidata.csv", file_date=dt.date(2025, 6, 8), status="loaded")
    RegistryEntry.objects.create(
        npi="1234567893", entity_type=1, last_name="JONES", first_name="MARGARET", taxonomy_code="363L00000X"
    )
    response = client.get(URL, {"year": "2013", "g_code": "g8642", "npi": "1234567893", "lookup": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" not in html
    assert "The NPI registry lists NPI 1234567893 as JONES, MARGARET" in text_of(html)
    assert 'value="np" checked' in html and 'value="g8642" checked' in html and 'value="2013" checked' in html
    unknown = text_of(client.get(URL, {"npi": "1558598797", "lookup": "1"}).content.decode())
    assert "The NPI registry gives no profession for NPI 1558598797" in unknown
    invalid = text_of(client.get(URL, {"npi": "1234567890", "lookup": "1"}).content.decode())
    assert "“1234567890” is not a valid NPI" in invalid
