"""The public "Do I need to file?" pre-check: a GET form, the year's rules (eligibility.py), a plain answer."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from ..eligibility import Outcome, precheck
from ..forms_tools import PrecheckForm
from ..models import AdjustmentYear, Channel, HardshipCategory
from ..windows import window_state


def precheck_page(request):
    bound = "check" in request.GET  # the submit button's name: a link with ?year= only pre-selects the year
    form = PrecheckForm(request.GET if bound else None, initial={"year": request.GET.get("year")})
    result, context = None, {}
    if bound and form.is_valid():
        result = precheck(form.cleaned_data)
        context = _file_context(result) if result.outcome is Outcome.FILE else {}
    status = 400 if bound and result is None else 200
    return render(request, "tools/precheck.html", {"form": form, "result": result, **context}, status=status)


def _file_context(result) -> dict:
    """For "file a request": the categories' names, the year's row and its online window now."""
    names = dict(HardshipCategory.objects.filter(code__in=result.categories).values_list("code", "name"))
    year = AdjustmentYear.objects.filter(year=result.year, is_practice=False).first()
    window = window_state(year=year, channel=Channel.ONLINE, at=timezone.now()) if year else None
    return {"categories": [names.get(code, code) for code in result.categories], "year": year, "window": window}


urlpatterns = [path("tools/do-i-need-to-file/", precheck_page, name="precheck")]
