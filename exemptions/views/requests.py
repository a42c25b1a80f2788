"""The EP's own pages: dashboard and requests. Every object is loaded through `owned_request` (404 otherwise)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    return render(request, "exemptions/dashboard.html", {"rows": []})


@login_required
def request_start(request):
    return render(request, "exemptions/dashboard.html", {"rows": []})
