"""The public "Do I need to file?" pre-check: a GET form, the year's rules (eligibility.py), a plain answer."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from ..eligibility import PROFESSIONS, Outcome, precheck, profession_from_taxonomy
from ..forms_tools import PrecheckForm
from ..identifiers import npi_is_valid
from ..models import AdjustmentYear, Channel, HardshipCategory, RegistryEntry
from ..selectors.registry import describe, registry_file
from ..windows import window_state


def precheck_page(request):
    bound = "check" in request.GET  # the submit button's name: a link with ?year= only pre-selects the year
    initial, hint = {k: v for k, v in request.GET.items() if k != "lookup"}, ""
    if "lookup" in request.GET:
        hint, initial["profession"] = profession_hint(request.GET.get("npi", ""))
    form = PrecheckForm(request.GET if bound else None, initial=initial)
    result, context = None, {}
    if bound and form.is_valid():
        result = precheck(form.cleaned_data)
        context = _file_context(result) if result.outcome is not Outcome.EXCLUDED else {}
    status = 400 if bound and result is None else 200
    context = {"form": form, "result": result, "hint": hint, **context}
    return render(request, "tools/precheck.html", context, status=status)


def profession_hint(npi: str) -> tuple[str, str]:
    """(what the NPI registry says, the profession answer it implies); the answer stays the person's to change."""
    npi = npi.strip()
    if not npi_is_valid(npi):
        return f"“{npi}” is not a valid NPI: answer the profession question yourself.", ""
    entry = RegistryEntry.objects.filter(npi=npi).first() if registry_file() else None
    if entry is None or entry.entity_type != RegistryEntry.EntityType.INDIVIDUAL or not entry.taxonomy_code:
        return f"The NPI registry gives no profession for NPI {npi}: answer the question yourself.", ""
    profession = profession_from_taxonomy(entry.taxonomy_code)
    words = PROFESSIONS[profession].lower()
    return f"The NPI registry lists NPI {npi} as {describe(entry)}: profession pre-answered as “{words}”. Check it.", (
        profession
    )


def _file_context(result) -> dict:
    """For "file a request": the categories' names, the year's row and its online window now."""
    names = dict(HardshipCategory.objects.filter(code__in=result.categories).values_list("code", "name"))
    year = AdjustmentYear.objects.filter(year=result.year, is_practice=False).first()
    window = window_state(year=year, channel=Channel.ONLINE, at=timezone.now()) if year else None
    return {"categories": [names.get(code, code) for code in result.categories], "year": year, "window": window}


urlpatterns = [path("tools/do-i-need-to-file/", precheck_page, name="precheck")]
