"""Object-level authorization sweep (OWASP ASVS V8.2.2), generated from the URL resolver.

Every URL pattern of the portal that takes an object id or reference is found here automatically, so a new
view is covered the day it is added. For each one, with a world of objects that one EP owns (drafts,
submissions, documents, GPRO requests, letters, subscriptions):
  - the owner reaches at least one object through it (else the sweep could not test it: add a builder below),
  - another signed-in EP gets 404 for every such object, by GET and by POST (nothing is revealed or changed),
  - an anonymous visitor is sent to the login page.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from exemptions.models import (
    AffectedEP,
    ExemptionRequest,
    GroupLetter,
    InformationRequest,
    WindowOpeningSubscription,
)
from exemptions.services.requests import request_submit
from tests.factories import UserFactory, complete_draft, stored_document
from tests.test_informal_review_pages import informal_review_world

# URL kwargs that are not objects someone owns. Each is listed with the reason the sweep leaves it alone.
NOT_OWNED_KWARGS = {
    "slug": "help pages are public",
    "year": "adjustment years are public program data",
    "token": "capability links (signed tokens), checked by their own tests",
    "key": "allauth email-confirmation and password-reset keys",
    "uidb36": "allauth password-reset links",
    "step": "the name of a step of the request form (the request's own id is swept)",
    "npi": "NPIs are public registry numbers; the lookup's sign-in and rate limit: tests/test_registry_forms.py",
}
FIXED_KWARGS = {"step": "eps"}  # a not-owned kwarg the URL still needs: one real value
SKIPPED_NAMESPACES = {"admin", "djdt"}  # staff-only (admin tests) / debug tooling
SKIPPED_PREFIXES = ("accounts/", "bench/", "session/")
MAX_COMBINATIONS = 600


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            child_ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else ns
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), child_ns)
        elif isinstance(entry, URLPattern) and entry.name:
            route = prefix + str(entry.pattern)
            converters = getattr(entry.pattern, "converters", {})
            if converters and not route.startswith(SKIPPED_PREFIXES):
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield name, route, dict(converters)


ALL_OBJECT_URLS = sorted(
    {name: (name, route, conv) for name, route, conv in _walk(get_resolver().url_patterns)}.values()
)
SWEPT = [(n, r, c) for n, r, c in ALL_OBJECT_URLS if not set(c) <= set(NOT_OWNED_KWARGS)]


def test_the_sweep_finds_the_portal_object_urls():
    names = {name for name, _, _ in SWEPT}
    assert {"exemptions:request_detail", "exemptions:request_edit", "exemptions:document_download"} <= names


@pytest.fixture
def world(ep, staff_user, settings, tmp_path):
    """Objects of every kind one EP can own, in the states the views care about."""
    now = timezone.now()
    draft = complete_draft(owner=ep)
    year = draft.year
    submitted = complete_draft(owner=ep, year=year)
    request_submit(exemption=submitted, actor=ep, at=now)
    questioned = complete_draft(owner=ep, year=year)
    request_submit(exemption=questioned, actor=ep, at=now)
    ExemptionRequest.objects.filter(pk=questioned.pk).update(status=ExemptionRequest.Status.INFO_REQUESTED)
    InformationRequest.objects.create(request=questioned, asked_by=staff_user, asked_at=now, message="Send a scan.")
    group_draft = ExemptionRequest.objects.create(
        owner=ep, year=year, kind=ExemptionRequest.Kind.GROUP, tin="123456789", group_name="Towson Clinic"
    )
    group_sent = ExemptionRequest.objects.create(
        owner=ep,
        year=year,
        kind=ExemptionRequest.Kind.GROUP,
        tin="123456789",
        group_name="Towson Clinic",
        status=ExemptionRequest.Status.LETTER_GENERATED,
        reference=f"SWEEP-{uuid.uuid4().hex[:8]}",
    )
    for position, group in enumerate((group_draft, group_sent)):
        AffectedEP.objects.create(request=group, position=position, npi="1234567893", name="Pat Example")
    letter = GroupLetter(request=group_sent, version=1, status=GroupLetter.Status.READY, page_count=1)
    letter.file.save("letter.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    letter.save()
    for owner_request in (draft, submitted, questioned):
        stored_document(request=owner_request)
    WindowOpeningSubscription.objects.create(user=ep, year=year)
    informal_review_world(ep)
    return collect_candidates()


def collect_candidates() -> dict[str, list]:
    """Every id a URL kwarg could name: public ids, references and primary keys of all portal objects."""
    public_ids, references, pks, ep_ids = [], [], [], []
    for model in apps.get_app_config("exemptions").get_models():
        if model._meta.proxy:
            continue
        field_names = {f.name for f in model._meta.get_fields()}
        rows = model.objects.all()
        if "public_id" in field_names:
            public_ids += [str(v) for v in rows.values_list("public_id", flat=True)]
        if "reference" in field_names:
            references += [v for v in rows.values_list("reference", flat=True) if v]
        if model is AffectedEP:
            ep_ids += list(rows.values_list("pk", flat=True))
        pks += [pk for pk in rows.values_list("pk", flat=True)[:50] if isinstance(pk, int)]  # not NPIs (registry)
    return {"public_id": public_ids, "reference": references, "pk": sorted(set(pks)), "ep_id": ep_ids}


def kwarg_values(name: str, converter, candidates) -> list:
    if name in candidates:
        return candidates[name]
    if type(converter).__name__ == "UUIDConverter":
        return candidates["public_id"]
    if type(converter).__name__ == "IntConverter":
        return candidates["ep_id"] if name.endswith("ep_id") else candidates["pk"]
    return candidates["reference"]


def combinations(route_converters: dict, candidates) -> list[dict]:
    swept = {k: v for k, v in route_converters.items() if k not in NOT_OWNED_KWARGS}
    names = list(swept)
    lists = [kwarg_values(name, swept[name], candidates) for name in names]
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*lists)]
    assert len(combos) <= MAX_COMBINATIONS, "too many candidate ids: narrow kwarg_values for this URL"
    fixed = {k: v for k, v in FIXED_KWARGS.items() if k in route_converters}
    return [{**fixed, **combo} for combo in combos]


def fetch(client, method: str, url: str):
    return client.get(url) if method == "GET" else client.post(url, {})


@pytest.mark.parametrize(("name", "route", "converters"), SWEPT, ids=[name for name, _, _ in SWEPT])
def test_another_ep_gets_404_and_anonymous_must_log_in(name, route, converters, world, ep, other_ep, client):
    client.raise_request_exception = False
    urls = []
    for kwargs in combinations(converters, world):
        try:
            urls.append(reverse(name, kwargs=kwargs))
        except Exception:  # noqa: S112 (a value of the wrong shape for this converter)
            continue

    # Another EP first (it must change nothing), then anonymous, then the owner.
    client.force_login(other_ep)
    status_by_url = {
        url: (fetch(client, "GET", url).status_code, fetch(client, "POST", url).status_code) for url in urls
    }
    client.logout()
    anonymous = {url: (fetch(client, "GET", url), fetch(client, "POST", url)) for url in urls[:20]}
    client.force_login(ep)
    reachable = [url for url in urls if fetch(client, "GET", url).status_code not in (404, 405)]
    reachable += [url for url in urls if url not in reachable and fetch(client, "POST", url).status_code != 404]
    assert reachable, f"{route}: the owner reached no object; teach the sweep's world to build one"

    for url in reachable:
        get_status, post_status = status_by_url[url]
        assert get_status in (404, 405), f"another EP got {get_status} on GET {url}"
        assert post_status in (404, 405), f"another EP got {post_status} on POST {url}"
        assert (get_status, post_status) != (405, 405)
    for url, responses in anonymous.items():
        assert any(r.status_code == 302 and "/accounts/login/" in r["Location"] for r in responses), url
        assert all(r.status_code in (302, 405) for r in responses), url


def test_forged_ids_are_404_not_500(client, ep):
    client.force_login(ep)
    client.raise_request_exception = False
    for url in ("/requests/00000000-0000-0000-0000-000000000000/", "/documents/not-a-uuid/", "/requests/1/"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("factory_kwargs", [{"is_staff": True}])
def test_staff_are_not_exempt_from_ownership_on_ep_pages(client, world, factory_kwargs):
    """Staff review requests in the admin; the EP pages stay owner-only even for them."""
    staff = UserFactory(email="reviewer@example.org", **factory_kwargs)
    client.force_login(staff)
    public_id = ExemptionRequest.objects.filter(kind=ExemptionRequest.Kind.INDIVIDUAL).first().public_id
    assert client.get(reverse("exemptions:request_detail", args=[public_id])).status_code == 404
