"""The public payment-impact estimator: a GET form (works without JavaScript), no account needed."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path

from .. import facts
from ..forms_tools import EstimatorForm
from ..payment_impact import dollars, estimate


def estimator(request):
    bound = "charges" in request.GET  # a link with ?year= only pre-selects the year: no error before a try
    form = EstimatorForm(request.GET if bound else None, initial={"year": request.GET.get("year") or 2013})
    result, amounts = None, {}
    if bound and form.is_valid():
        result = estimate(year=form.cleaned_data["year"], charges=form.cleaned_data["charges"])
        names = ("charges", "adjustment", "incentive", "sequestration", "incentive_paid")
        amounts = {name: dollars(getattr(result, name)) for name in names if getattr(result, name) is not None}
    context = {"form": form, "result": result, "amounts": amounts, "facts": facts}
    return render(request, "tools/estimator.html", context, status=400 if bound and not result else 200)


urlpatterns = [path("tools/estimate/", estimator, name="estimator")]
