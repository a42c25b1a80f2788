"""An EP's request in steps: (1) affected EPs, (2) practice, (3) hardship, (4) check your answers and submit.

Every step posts to its own page and saves the draft (formats checked, completeness left to the submit), then
goes on: Continue to the next step (or back to the summary after a "Change" link), Back to the previous one,
"Save and come back later" to the same one. The submit is the summary's, through the one submit service. The
autosave endpoint saves the same fields as JSON (static/js/autosave.js). Owner-scoped: anyone else gets 404.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms_steps import step_forms
from ..identifiers import format_tin
from ..models import Channel, ExemptionRequest
from ..outcomes import describe_refusal, service_outcome
from ..progress import STEP_SLUGS, STEPS, first_incomplete_step, request_steps
from ..services import requests as services
from ..windows import date_et, format_clock_et, format_et, window_state
from .registry import attach_findings, ep_findings
from .requests import owned_request

S = ExemptionRequest.Status
FORM_STEPS = ("eps", "practice", "hardship")  # the steps with fields; "check" is the summary
TEMPLATES = {"all": "exemptions/request_edit.html", "check": "exemptions/request_check.html"}


def step_url(draft: ExemptionRequest, step: str, *, query: str = "") -> str:
    if step == "check":
        url = reverse("exemptions:request_check", args=[draft.public_id])
    else:
        url = reverse("exemptions:request_step", args=[draft.public_id, step])
    return f"{url}?{query}" if query else url


def _draft_or_detail(request, public_id):
    """The person's draft, or None when it is submitted (its pages then show the request instead)."""
    exemption = owned_request(request, public_id, kind=ExemptionRequest.Kind.INDIVIDUAL)
    return exemption if exemption.status == S.DRAFT else None


@login_required
def request_edit(request, public_id):
    """GET: carry on where the draft stops. POST: the whole request in one form (a page opened before the steps
    existed still saves and submits: nothing typed there is lost)."""
    draft = _draft_or_detail(request, public_id)
    if draft is None:
        return redirect("exemptions:request_detail", public_id)
    if request.method == "POST":
        return _post(request, draft, "all")
    return redirect(step_url(draft, first_incomplete_step(request_steps(draft))))


@login_required
def request_step(request, public_id, step):
    if step not in FORM_STEPS:
        raise Http404("No such step.")
    draft = _draft_or_detail(request, public_id)
    if draft is None:
        return redirect("exemptions:request_detail", public_id)
    if request.method == "POST":
        return _post(request, draft, step)
    form, formset = step_forms(step, draft, extra_row="add" in request.GET)
    return _render(request, draft, step, form, formset)


@login_required
def request_check(request, public_id):
    draft = _draft_or_detail(request, public_id)
    if draft is None:
        return redirect("exemptions:request_detail", public_id)
    if request.method == "POST":
        return _post(request, draft, "check")
    form, _ = step_forms("check", draft)
    return _render(request, draft, "check", form, None)


def _post(request, draft, step):
    action = request.POST.get("action", "continue")
    form, formset = step_forms(step, draft, request.POST, request.FILES, for_submit=action == "submit")
    if form.is_valid() and (formset is None or formset.is_valid()):
        return _save_and_go(request, draft, step, form, formset, action)
    return _render(request, draft, step, form, formset, status=400)


def _save_and_go(request, draft, step, form, formset, action):
    """One service call, one transaction, one row lock: save (and, for "Submit", submit). A refused submit keeps the
    draft as typed; a refused set of documents saves nothing (the files written meanwhile are removed)."""
    values = {
        "exemption": draft,
        "actor": request.user,
        "fields": form.draft_fields(),
        "categories": form.categories(),
        "eps": formset.rows() if formset is not None else None,
        "documents": form.documents(),
    }
    if action == "submit":
        save = partial(services.request_save_and_submit, at=timezone.now(), **values)
    else:
        save = partial(services.request_save_draft, **values)
    field = "documents" if "documents" in form.fields else None
    try:
        saved = service_outcome(request, save, refusals=ValidationError, success=None, form=form, field=field)
    except services.RequestLocked:  # submitted from another tab meanwhile: not a refusal to word, a page to show
        return redirect("exemptions:request_detail", draft.public_id)
    if not saved:
        return _render(request, draft, step, form, formset, status=400)
    if action != "submit":
        return redirect(_next_url(request, draft, step, action))
    attempt = saved.result
    if attempt.refusal is not None:  # the summary says what is missing, and the draft is kept
        messages.error(request, f"Your draft is saved, but it was not submitted. {describe_refusal(attempt.refusal)}")
        return redirect(step_url(draft, "check"))
    return redirect("exemptions:request_submitted", attempt.exemption.public_id)


def _next_url(request, draft, step, action) -> str:
    """Where a saved step goes: the next step, the previous one, the same one (with one more EP row), the summary."""
    back_to_check = request.POST.get("return_to") == "check"
    if action == "add_ep":
        new_row = f"#ep-{draft.affected_eps.count()}-row"  # the browser scrolls to it; Tab starts there
        return step_url(draft, "eps", query="add=1" + ("&return_to=check" if back_to_check else "") + new_row)
    if action == "save" or step == "all":
        messages.success(request, f"Draft saved at {format_clock_et(timezone.now())}.")
        return step_url(draft, step) if step != "all" else reverse("exemptions:request_edit", args=[draft.public_id])
    index = STEP_SLUGS.index(step)
    if action == "back":
        return step_url(draft, STEP_SLUGS[max(index - 1, 0)])
    return step_url(draft, "check" if back_to_check else STEP_SLUGS[min(index + 1, len(STEP_SLUGS) - 1)])


def _render(request, draft, step, form, formset, status=200):
    steps = request_steps(draft)
    if formset is not None:
        attach_findings(formset)  # what the registry says of each EP row, also for a browser without JavaScript
    number = STEP_SLUGS.index(step) + 1 if step in STEP_SLUGS else None
    context = {
        "draft": draft,
        "step": step,
        "steps": steps,
        "step_number": number,
        "step_count": len(STEPS),
        "step_name": dict(STEPS).get(step, ""),
        "form": form,
        "formset": formset,
        "window": window_state(year=draft.year, channel=Channel.ONLINE, at=timezone.now(), exemption=draft),
        "info_only": draft.year.year_categories.filter(information_only=True).select_related("category"),
        "documents": draft.documents.all(),
        "verified": services.email_verified(request.user),
        "return_to": request.GET.get("return_to") or request.POST.get("return_to") or "",
        "saved_at": _saved_words(draft.updated_at),
    }
    if step == "check":
        eps = ep_findings(draft.affected_eps.order_by("position", "id"))
        context |= {"eps": eps, "categories": draft.categories.all(), "tin": format_tin(draft.tin)}
    return render(request, TEMPLATES.get(step, "exemptions/request_step.html"), context, status=status)


def _saved_words(at) -> str:
    """'3:41 p.m. ET' today, else with the day: a save from yesterday must not read as this afternoon's."""
    return format_clock_et(at) if date_et(at) == date_et(timezone.now()) else format_et(at)


@login_required  # signed out: the login page (the script sees a redirect, not JSON, and says it could not save)
@require_POST
def request_autosave(request, public_id):
    """POST (CSRF) the fields of one step; JSON back. Saves what is well formed, never checks completeness."""
    exemption = owned_request(request, public_id, kind=ExemptionRequest.Kind.INDIVIDUAL)
    step = request.POST.get("step", "")
    if step not in STEP_SLUGS:
        return JsonResponse({"saved": False, "message": "Nothing was saved: the page sent no step."}, status=400)
    locked = {"saved": False, "message": "This request has been submitted and can no longer be changed."}
    if exemption.status != S.DRAFT:
        return JsonResponse(locked, status=409)
    form, formset = step_forms(step, exemption, request.POST)
    form.is_valid()
    eps_ok = formset is not None and formset.is_valid()
    try:
        services.request_save_draft(
            exemption=exemption,
            actor=request.user,
            fields=form.draft_fields(),
            categories=form.categories(),
            eps=formset.rows() if eps_ok else None,  # a list with a mistake is saved by Continue, with its errors
        )
    except services.RequestLocked:
        return JsonResponse(locked, status=409)
    not_saved = [str(form.fields[name].label) for name in form.errors if name in form.fields]
    if formset is not None and not eps_ok:
        not_saved.append("the EP list (it has a mistake: Continue shows it)")
    at = format_clock_et(timezone.now())
    message = f"All changes saved at {at}." if not not_saved else f"Saved at {at}, except: {'; '.join(not_saved)}."
    return JsonResponse({"saved": True, "saved_at": at, "message": message, "not_saved": not_saved})


urlpatterns = [
    path("requests/<uuid:public_id>/edit/", request_edit, name="request_edit"),
    path("requests/<uuid:public_id>/step/<slug:step>/", request_step, name="request_step"),
    path("requests/<uuid:public_id>/check/", request_check, name="request_check"),
    path("requests/<uuid:public_id>/autosave/", request_autosave, name="request_autosave"),
]
