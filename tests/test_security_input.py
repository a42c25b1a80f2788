"""No 500 from bad input: every URL pattern and every admin list filter, fed the values careless users and
attackers type (OWASP ASVS V5.1: input validated, refused cleanly).

For each URL pattern of the site (the resolver is walked, so a new view is covered the day it is added):
  - its kwargs are filled with objects the signed-in user owns (an EP for the portal, staff for the admin), so
    the view runs past its 404;
  - a GET carries each bad value in every query parameter the portal reads, and a POST (where the view takes
    one) carries it in every field of the page's own form;
  - every admin changelist gets each bad value in each of its list filters' parameters, one at a time.
The answer must be a 4xx or a clean page, never a 5xx. SQLite stores a NUL where PostgreSQL refuses it, so a
query parameter holding one fails here as it would there.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from exemptions.models import ExemptionRequest
from tests.helpers import form_data
from tests.test_security_sweep import world  # noqa: F401 (the fixture: objects of every kind one EP owns)

BAD_VALUES = ["abc", "\x00", "", "-1", "99999999999999999999", "2099.0"]
# Every query parameter a portal page or the admin reads (pages, filters, search, sorting, date hierarchy).
QUERY_PARAMETERS = [
    "page", "year", "window", "category", "kind", "status", "reviewer", "late_letter", "q", "o", "p", "e", "all",
    "next", "submitted_at__year", "submitted_at__month", "submitted_at__day", "_changelist_filters", "_popup",
]  # fmt: skip
SKIPPED_NAMESPACES = {"djdt"}
FIELD_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
NOT_POSTED = {"csrfmiddlewaretoken"}


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern), dict(getattr(entry.pattern, "converters", {}))


PATTERNS = sorted({name: (name, route, conv) for name, route, conv in _walk(get_resolver().url_patterns)}.values())


def _refuse_nul(execute, sql, params, many, context):
    """PostgreSQL refuses a NUL in a text parameter (psycopg raises ValueError): so does this SQLite run."""
    rows = params if many else [params]
    for row in rows or []:
        values = row.values() if isinstance(row, dict) else row or []
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    return execute(sql, params, many, context)


@pytest.fixture
def like_postgresql():
    with connection.execute_wrapper(_refuse_nul):
        yield


def admin_model(name: str):
    """The model an admin URL name like 'admin:exemptions_exemptionrequest_change' belongs to."""
    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def kwarg_candidates(name: str, ids: dict, ep) -> dict[str, list]:
    model = admin_model(name)
    exemptions = list(ExemptionRequest.objects.filter(owner=ep).order_by("pk"))
    if model is ExemptionRequest:
        object_ids = [str(e.pk) for e in exemptions]
    elif model is not None:
        object_ids = [str(pk) for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:3]]
    else:
        object_ids = []
    years = sorted({e.year.year for e in exemptions})
    return {
        "object_id": object_ids,
        "content_type_id": ["abc"],
        "id": [str(ep.pk)],
        "decision": ["approve"],
        "year": years,
        "slug": ["abc"],
        "token": ["abc"],
        "key": ["abc"],
        "uidb36": ["abc"],
        "batch_id": ids["pk"][:3],
        "pk": ids["pk"],
        "ep_id": ids["ep_id"],
        "public_id": ids["public_id"],
        "doc_id": ids["public_id"],
        "letter_id": ids["public_id"],
    }


def owned_url(client, name: str, converters: dict, ids: dict, ep) -> str | None:
    """A URL of this pattern the signed-in user reaches (not 404), else the first one built, else None."""
    if not converters:
        try:
            return reverse(name)
        except Exception:  # noqa: BLE001 (a regex route with positional groups: history of one admin object)
            return None
    candidates = kwarg_candidates(name, ids, ep)
    combos: list[dict] = [{}]
    for kwarg in converters:
        combos = [{**c, kwarg: value} for c in combos for value in candidates.get(kwarg, ["abc"])][:200]
    urls = []
    for kwargs in combos:
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except Exception:  # noqa: BLE001, S112 (a value of the wrong shape for this converter)
            continue
    return next((url for url in urls if client.get(url).status_code != 404), urls[0] if urls else None)


def query_with(value: str) -> dict:
    return {parameter: value for parameter in QUERY_PARAMETERS}


def posted_fields(html: str) -> set[str]:
    return {name for name in FIELD_NAME.findall(html) if name not in NOT_POSTED} | {"year", "action", "version"}


def posted(fields: set[str], value: str) -> dict:
    """`value` in every field; a formset's form count gets only the values that are not a big count ("2099.0"
    reads as 2099 and builds 2,099 empty forms: allowed, and slow, and not what this test is about)."""
    big = value in ("2099.0", "99999999999999999999")
    return {field: "1" if big and field.endswith("_FORMS") else value for field in fields}


def fuzz(client, user, url: str) -> list[str]:
    """Each bad value in every query parameter (GET) and in every field of the page's form (POST); the 5xx seen.

    Each URL's tries run in a savepoint rolled back afterwards, so a POST that deletes, withdraws or signs out
    leaves the next URL its objects."""
    failures = []
    with transaction.atomic():
        client.force_login(user)
        page = client.get(url)
        html = page.status_code == 200 and page["Content-Type"].startswith("text/html")
        fields = posted_fields(page.content.decode()) if html else {"year", "page"}
        tries = [("GET", url, None)] if page.status_code >= 500 else []
        for value in BAD_VALUES:
            if client.get(url, query_with(value)).status_code >= 500:
                tries.append(("GET", url, value))
            client.force_login(user)  # a POST may have signed out (logout) or locked: each try starts signed in
            if client.post(url, posted(fields, value)).status_code >= 500:
                tries.append(("POST", url, value))
        failures += [f"{method} {where} with {value!r}" for method, where, value in tries]
        transaction.set_rollback(True)
    return failures


def sweep(client, patterns, user, ids, ep) -> tuple[list[str], int]:
    client.raise_request_exception = False
    client.force_login(user)
    failures, reached = [], 0
    for name, _route, converters in patterns:
        url = owned_url(client, name, converters, ids, ep)
        if url is None:
            continue
        reached += 1
        failures += fuzz(client, user, url)
    return failures, reached


PORTAL = [p for p in PATTERNS if not p[0].startswith("admin:")]
ADMIN = [p for p in PATTERNS if p[0].startswith("admin:")]


def test_finding_bad_input_never_answers_500_on_portal_pages(client, world, ep, like_postgresql):  # noqa: F811
    failures, reached = sweep(client, PORTAL, ep, world, ep)
    assert not failures, "5xx from bad input:\n" + "\n".join(failures)
    assert reached > 50


def test_finding_bad_input_never_answers_500_on_admin_pages(client, world, ep, staff_user, like_postgresql):  # noqa: F811
    failures, reached = sweep(client, ADMIN, staff_user, world, ep)
    assert not failures, "5xx from bad input:\n" + "\n".join(failures)
    assert reached > 60


def filter_parameters(model_admin, staff_user) -> set[str]:
    """The query parameters of every list filter of one model admin, its date hierarchy's included."""
    request = RequestFactory().get("/")
    request.user = staff_user
    changelist = model_admin.get_changelist_instance(request)
    parameters = {p for spec in changelist.filter_specs for p in spec.expected_parameters()}
    if model_admin.date_hierarchy:
        parameters |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    return parameters


def test_finding_admin_list_filters_never_answer_500(client, staff_user, world, like_postgresql):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(staff_user)
    failures, checked = [], set()
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for parameter in sorted(filter_parameters(model_admin, staff_user)):
            for value in BAD_VALUES:
                status = client.get(url, {parameter: value}).status_code
                if status >= 500:
                    failures.append(f"{url}?{parameter}={value!r}: {status}")
            checked.add((model, parameter))
    assert not failures, "\n".join(failures)
    assert {"year", "window", "category", "kind__exact", "reviewer"} <= {p for m, p in checked if m is ExemptionRequest}


@pytest.mark.parametrize(
    "query",
    ["year=abc", "year=%00", "window=abc", "category=abc", "kind=%00"],
)
def test_finding_review_list_filters_answer_400_or_a_page_not_500(client, staff_user, world, query, like_postgresql):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(staff_user)
    response = client.get(f"{reverse('admin:exemptions_exemptionrequest_changelist')}?{query}")
    assert response.status_code in (200, 302, 400)


# --- the ten 500s of the issue, one by one ---


def own_draft(ep) -> ExemptionRequest:
    return ExemptionRequest.objects.filter(
        owner=ep, status=ExemptionRequest.Status.DRAFT, kind=ExemptionRequest.Kind.INDIVIDUAL
    ).first()


@pytest.mark.parametrize("year", ["abc", "", "2099.0", "\x00", "٢٠١٣"])
def test_finding_request_start_with_a_bad_year_asks_again_not_500(client, ep, year):
    client.raise_request_exception = False
    client.force_login(ep)
    response = client.post(reverse("exemptions:request_start"), {"year": year})
    assert response.status_code == 302 and response["Location"] == reverse("exemptions:request_start")
    assert not ExemptionRequest.objects.filter(owner=ep).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Choose the adjustment year of your request." in page


def test_finding_export_csv_with_a_bad_filter_answers_400_not_500(client, staff_user, world):  # noqa: F811
    client.raise_request_exception = False
    client.force_login(staff_user)
    url = reverse("admin:exemptions_exemptionrequest_export")
    for query in ("year=abc", "window=99999999999999999999", "category=2099.0"):
        assert client.get(f"{url}?{query}").status_code == 400, query
    assert client.get(url).status_code == 200


def test_finding_review_list_with_a_stale_year_goes_back_to_the_whole_list(client, staff_user, world):  # noqa: F811
    client.force_login(staff_user)
    url = reverse("admin:exemptions_exemptionrequest_changelist")
    response = client.get(url, {"year": "abc"})
    assert response.status_code == 302 and response["Location"] == f"{url}?e=1"
    year_id = ExemptionRequest.objects.first().year_id
    assert client.get(url, {"year": str(year_id)}).status_code == 200  # a real choice still filters


def test_finding_nul_in_a_query_string_answers_400(client, ep):
    client.force_login(ep)
    response = client.get(reverse("exemptions:dashboard"), {"q": "a\x00b"})
    assert response.status_code == 400


def test_finding_admin_date_hierarchy_out_of_range_answers_400(client, staff_user):
    client.force_login(staff_user)
    url = reverse("admin:exemptions_exemptionrequest_changelist")
    assert client.get(url, {"submitted_at__year": "99999999999999999999"}).status_code == 400
    assert client.get(url, {"submitted_at__year": "9999"}).status_code == 400
    assert client.get(url, {"submitted_at__year": "2013"}).status_code == 200


def test_finding_group_eps_page_past_the_end_shows_the_last_page(client, ep, world):  # noqa: F811
    client.force_login(ep)
    group = ExemptionRequest.objects.filter(owner=ep, kind=ExemptionRequest.Kind.GROUP).first()
    url = reverse("exemptions:group_eps", args=[group.public_id])
    response = client.get(url, {"page": "99999999999999999999"})
    assert response.status_code == 200 and response.context["page"] == 1
    assert "Pat Example" in response.content.decode()


def test_finding_categories_with_an_impossible_id_are_a_form_error(client, ep, world):  # noqa: F811
    client.force_login(ep)
    draft = own_draft(ep)
    url = reverse("exemptions:request_edit", args=[draft.public_id])
    for value in ("99999999999999999999", "2099.0"):
        response = client.post(url, form_data(categories=[value]))
        assert response.status_code == 400 and "categories" in response.context["form"].errors


# --- identifiers typed with fullwidth digits (finding: stored as typed, never matched) ---


def test_finding_fullwidth_tin_and_phone_are_stored_as_ascii_and_found_by_search(client, ep, staff_user, world):  # noqa: F811
    client.force_login(ep)
    draft = own_draft(ep)
    url = reverse("exemptions:request_edit", args=[draft.public_id])
    response = client.post(url, form_data(tin="１２-3456789", contact_phone="４１０－５５５－０１００"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.tin, draft.contact_phone) == ("123456789", "410-555-0100")
    client.force_login(staff_user)
    found = client.get(reverse("admin:exemptions_exemptionrequest_changelist"), {"q": "１２３４５６７８９"})
    assert draft in found.context["cl"].result_list


def test_arabic_indic_tin_is_refused_on_the_form(client, ep, world):  # noqa: F811
    client.force_login(ep)
    draft = own_draft(ep)
    response = client.post(reverse("exemptions:request_edit", args=[draft.public_id]), form_data(tin="١٢-٣٤٥٦٧٨٩"))
    assert response.status_code == 400 and "tin" in response.context["form"].errors


# --- staff messages are text (finding: the decision preview rendered them as raw HTML) ---


def test_finding_safestring_preview_shows_the_staff_message_as_text(client, staff_user, world):  # noqa: F811
    from exemptions.services import review

    exemption = ExemptionRequest.objects.filter(status=ExemptionRequest.Status.SUBMITTED).first()
    review.request_start_review(exemption=exemption, actor=staff_user, at=timezone.now())
    exemption.refresh_from_db()
    client.force_login(staff_user)
    message = '<b id="x">bold</b>\nsecond line'
    data = {"reason_code": "deny_other", "message": message, "internal_note": "", "version": exemption.version}
    response = client.post(
        reverse("admin:exemptions_review_decide", args=[exemption.pk, "deny"]), {**data, "_preview": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<b id="x">' not in page
    assert "&lt;b id=&quot;x&quot;&gt;bold&lt;/b&gt;\nsecond line" in page  # escaped, line break kept


def test_html_email_escapes_the_staff_message_and_keeps_line_breaks(staff_user, world):  # noqa: F811
    from exemptions.emails.decisions import decision_email
    from exemptions.emails.rendering import render_email
    from exemptions.models import StatusChange

    exemption = ExemptionRequest.objects.filter(status=ExemptionRequest.Status.SUBMITTED).first()
    change = StatusChange(
        request=exemption,
        to_status=ExemptionRequest.Status.DENIED,
        message_to_ep='<a href="https://evil.example">click</a>\nline two',
        at=timezone.now(),
    )
    email = render_email(*decision_email(exemption, change), to=["ep@example.org"])
    html = email.alternatives[0].content if hasattr(email.alternatives[0], "content") else email.alternatives[0][0]
    assert '<a href="https://evil.example">' not in html
    assert "&lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt;<br>line two" in html
    assert '<a href="https://evil.example">click</a>\nline two' in email.body  # the text part is the text


# --- formulas: one CSV writer (finding: the audit bundle's status history kept a formula verbatim) ---


def test_finding_formula_in_the_bundle_status_history_is_defused(ep, staff_user, world):  # noqa: F811
    from exemptions.documents.bundles import _history_csv
    from tests.review_fixtures import deny, start_review

    exemption = ExemptionRequest.objects.filter(status=ExemptionRequest.Status.SUBMITTED).first()
    start_review(exemption, staff_user)
    deny(exemption, staff_user, "deny_other", message='=HYPERLINK("https://evil.example","Click")')
    rows = list(csv.reader(io.StringIO(_history_csv(exemption).decode())))
    messages = [row[-1] for row in rows[1:]]
    assert '\'=HYPERLINK("https://evil.example","Click")' in messages
    assert not any(cell[:1] in "=+-@\t\r" and cell for row in rows for cell in row)


def test_the_staff_export_defuses_formulas_through_the_same_writer(client, staff_user, ep, world):  # noqa: F811
    ExemptionRequest.objects.filter(owner=ep).update(display_name="@SUM(A1:A9)")
    client.force_login(staff_user)
    response = client.get(reverse("admin:exemptions_exemptionrequest_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = {row[4] for row in rows[1:]}
    assert names == {"'@SUM(A1:A9)"}
