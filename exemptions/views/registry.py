"""What the NPI registry says about the NPIs on a page: the lookup behind the EP forms' "while typing" note, and
the same findings computed at save time for pages seen without JavaScript. Findings are warnings, never blocks."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.core.internal import ratelimit
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from ..identifiers import normalized
from ..selectors.registry import Finding, RegistryFinding, registry_check, registry_check_many

LOOKUP_ACTION = "registry_lookup"  # a key of ACCOUNT_RATE_LIMITS (portal/settings.py): lookups per account
SHOWN_ON_PAGES = {Finding.MATCH, Finding.NOT_FOUND, Finding.DEACTIVATED, Finding.ORGANIZATION, Finding.NAME_DIFFERS}


@require_GET
def npi_lookup(request: HttpRequest, npi: str) -> JsonResponse:
    """GET /registry/npi/<npi>/?name=...: the finding for one typed NPI (and the name typed beside it)."""
    if not request.user.is_authenticated:  # a script's call: an answer it reads, not a login page
        return JsonResponse({"message": "Sign in to check NPIs against the registry."}, status=401)
    # allauth's public helper leaves GETs unlimited (its limits guard forms); the same helper with limit_get
    # counts every lookup of this account, in the same cache as the login limits.
    if not ratelimit.consume(request, app="allauth.account", action=LOOKUP_ACTION, user=request.user, limit_get=True):
        message = "Too many NPI checks in a minute: the check pauses briefly. Saving is not affected."
        return JsonResponse({"message": message}, status=429)
    finding = registry_check(normalized(npi)[:20], request.GET.get("name", "")[:200])
    return JsonResponse(
        {
            "finding": finding.finding.value,
            "message": finding.message,
            "who": finding.who,
            "warning": finding.is_warning,
        }
    )


def attach_findings(forms: Iterable) -> None:
    """Give each EP form the registry's finding for the NPI and name it holds (typed or saved), as
    `form.registry`, with one query for all. An empty or malformed NPI gets none: the form's own error says it."""
    forms = list(forms)
    findings = registry_check_many([(_value(form, "npi"), _value(form, "name")) for form in forms])
    for form, finding in zip(forms, findings, strict=True):
        form.registry = finding if finding.finding in SHOWN_ON_PAGES else None


def ep_findings(eps: Iterable) -> list[tuple[object, RegistryFinding | None]]:
    """(EP, finding) pairs for saved EPs, one query for all; None where the registry has nothing to say."""
    eps = list(eps)
    findings = registry_check_many([(ep.npi, ep.name) for ep in eps])
    return [(ep, f if f.finding in SHOWN_ON_PAGES else None) for ep, f in zip(eps, findings, strict=True)]


def _value(form, name: str) -> str:
    value = form[name].value()
    return normalized(value if isinstance(value, str) else "")


urlpatterns = [
    path("registry/npi/<str:npi>/", npi_lookup, name="registry_npi"),
]
