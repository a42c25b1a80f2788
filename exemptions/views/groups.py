"""GPRO group pages: the group's request, its EPs (typed or CSV), the letter, "mailed". Owner-scoped: 404 otherwise."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import csv_import, workflow
from ..completeness import EP_FIELDS, group_problems
from ..downloads import content_download, stored_file_download
from ..forms import EPFormSet
from ..forms_groups import CSVImportConfirmForm, CSVImportForm, GroupRequestForm, MailedForm
from ..identifiers import mask_tin
from ..models import AdjustmentYear, Channel, ExemptionRequest, GroupLetter, SubmissionWindow
from ..models.letters import GroupMailing
from ..outcomes import NOTHING_CHANGED, Outcome, service_outcome
from ..progress import group_tasks
from ..services import groups as services
from ..services.requests import RequestLocked, WindowClosed
from ..windows import State, date_et, date_in_words, format_clock_et, time_left, window_state
from ..workflow import TransitionNotAllowed
from .registry import attach_findings, ep_findings

S = ExemptionRequest.Status
EP_PAGE_SIZE = 200
STARTABLE = (State.OPEN, State.NOT_YET_OPEN)  # a draft may be prepared early; generating waits for the window


def owned_group(request, public_id) -> ExemptionRequest:
    return get_object_or_404(
        ExemptionRequest.objects.select_related("year"),
        public_id=public_id,
        owner=request.user,
        kind=ExemptionRequest.Kind.GROUP,
    )


def letter_window(exemption: ExemptionRequest) -> dict:
    """The letter window for the deadline banner: state, the postmark date in words and the time left."""
    state = window_state(year=exemption.year, channel=Channel.LETTER, at=timezone.now(), exemption=exemption)
    deadline = date_in_words(date_et(state.closes_at)) if state.is_open else ""
    return {"state": state, "deadline": deadline, "left": time_left(state)}


@login_required
def group_start(request):
    now = timezone.now()
    years = AdjustmentYear.objects.prefetch_related(
        Prefetch("windows", queryset=SubmissionWindow.objects.filter(channel=Channel.LETTER))
    ).order_by("-is_practice", "-year")
    # A group goes to the channel its year really has (issue 13): the letter only where the year says so.
    choices = [
        (year, window_state(year=year, channel=Channel.LETTER, at=now, windows=year.windows.all()))
        for year in years
        if year.windows.all() and year.group_channel == Channel.LETTER
    ]
    if request.method == "POST":
        chosen = next((c for c in choices if str(c[0].year) == request.POST.get("year")), None)
        if chosen is None or chosen[1].state not in STARTABLE:
            messages.error(request, "Letters for that year cannot be started: its letter window has closed.")
            return redirect("exemptions:group_start")
        draft = services.group_request_create(owner=request.user, year=chosen[0])
        return redirect("exemptions:group_edit", draft.public_id)
    online_years = [year for year in years if year.group_channel == Channel.ONLINE and not year.is_practice]
    context = {"choices": choices, "startable": STARTABLE, "online_years": online_years}
    return render(request, "groups/start.html", context)


@login_required
def group_detail(request, public_id):
    exemption = owned_group(request, public_id)
    versions = list(exemption.letters.order_by("-version"))
    tasks = group_tasks(exemption)
    return render(
        request,
        "groups/detail.html",
        {
            "obj": exemption,
            "window": letter_window(exemption),
            "latest": versions[0] if versions else None,
            "versions": versions,
            "problems": group_problems(exemption) if exemption.status in services.EDITABLE else [],
            "tasks": tasks,
            "tasks_done": sum(task.is_complete for task in tasks),
            "editable": exemption.status in services.EDITABLE,
            "ep_status": workflow.ep_label(exemption.status),
            "categories": exemption.categories.all(),
            "history": exemption.status_changes.order_by("at", "id"),
            "late_mailing": GroupMailing.objects.is_late(exemption),
            "tin": mask_tin(exemption.tin),  # masked on pages; only the form and the letter show it in full
            "registry_warnings": _registry_warnings(exemption),
        },
    )


def _registry_warnings(exemption: ExemptionRequest) -> int:
    """How many of the group's EPs the NPI registry warns about (one query); listed on the EP page."""
    eps = exemption.affected_eps.only("npi", "name")
    return sum(1 for _ep, finding in ep_findings(eps) if finding and finding.is_warning)


@login_required
def group_edit(request, public_id):
    exemption = owned_group(request, public_id)
    if exemption.status not in services.EDITABLE:
        return redirect("exemptions:group_detail", exemption.public_id)
    form = GroupRequestForm(request.POST or None, instance=exemption)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "categories"}
        if _try(
            request, services.group_request_save, exemption, fields=fields, categories=form.cleaned_data["categories"]
        ):
            messages.success(request, _saved_message(exemption))
            return redirect("exemptions:group_detail", exemption.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "groups/edit.html", {"obj": exemption, "form": form, "window": letter_window(exemption)}, status=status
    )


def _try(request, service, exemption, *, refused_prefix=NOTHING_CHANGED, success=None, **kwargs) -> Outcome:
    """Run a group service; turn its refusals into a message on the page. Truthy when it succeeded.

    `success`: the message (or a function of the service's result); None when the caller says what was done."""
    return service_outcome(
        request,
        lambda: service(exemption=exemption, actor=request.user, at=timezone.now(), **kwargs),
        refusals=(RequestLocked, WindowClosed, ValidationError, TransitionNotAllowed),
        refused_prefix=refused_prefix,
        success=success,
    )


def _saved_message(exemption: ExemptionRequest) -> str:
    exemption.refresh_from_db()
    if exemption.status == S.LETTER_GENERATED:
        return "Saved. A new version of the letter was made; print and mail the newest version."
    return f"Saved at {format_clock_et(timezone.now())}."


@login_required
def group_eps(request, public_id):
    exemption = owned_group(request, public_id)
    if request.POST.get("action") == "add_row":  # "Add another EP" without JavaScript: the rows as typed, one more
        return _render_eps(request, exemption, _typed_rows(request.POST, extra=1), CSVImportForm())
    formset = EPFormSet(request.POST or None, prefix="ep", for_submit=True, initial=None if request.POST else [])
    if request.method == "POST" and exemption.status in services.EDITABLE and formset.is_valid():
        rows = [row for row in formset.rows() if any(row.values())]
        if rows and _try(request, services.group_eps_add, exemption, rows=rows):
            messages.success(request, f"{len(rows)} EP(s) added. {_saved_message(exemption)}")
            return redirect("exemptions:group_eps", exemption.public_id)
    return _render_eps(request, exemption, formset, CSVImportForm(), status=400 if request.method == "POST" else 200)


def _typed_rows(data, *, extra: int):
    """The typed rows again, unchecked (a row is checked when it is added), with `extra` empty rows after them."""
    total = EPFormSet(data, prefix="ep").total_form_count() if "ep-TOTAL_FORMS" in data else 0
    rows = [{name: data.get(f"ep-{i}-{name}", "") for name in EP_FIELDS} for i in range(total)]
    return EPFormSet(prefix="ep", initial=rows + [{}] * extra)


def _render_eps(request, exemption, formset, import_form, *, status=200, import_result=None, confirm_form=None):
    eps = exemption.affected_eps.order_by("position", "id")
    page = _page_number(request.GET.get("page", "1"), exemption.ep_count)
    attach_findings(formset)  # the registry's word on rows typed but not added (the page without JavaScript)
    context = {
        "obj": exemption,
        "formset": formset,
        "form": import_form,
        "import_result": import_result,
        "confirm_form": confirm_form,
        "editable": exemption.status in services.EDITABLE,
        "eps": ep_findings(eps[(page - 1) * EP_PAGE_SIZE : page * EP_PAGE_SIZE]),
        "ep_total": exemption.ep_count,
        "page": page,
        "first_number": (page - 1) * EP_PAGE_SIZE,
        "next_page": page + 1 if exemption.ep_count > page * EP_PAGE_SIZE else None,
        "previous_page": page - 1 if page > 1 else None,
        "columns": [(c, csv_import.COLUMN_HELP[c], c in csv_import.REQUIRED) for c in csv_import.COLUMNS],
        "listed": exemption.ep_count,
        "window": letter_window(exemption),
    }
    return render(request, "groups/eps.html", context, status=status)


def _page_number(asked: str, ep_count: int) -> int:
    """The page asked for, within the pages there are: a bad or huge number shows the first or the last page."""
    last = max(1, -(-ep_count // EP_PAGE_SIZE))
    if not (asked.isascii() and asked.isdigit()):
        return 1
    return min(max(int(asked), 1), last) if len(asked) < 12 else last


@login_required
@require_POST
def group_eps_import(request, public_id):
    """Import a CSV file: lines with errors refuse it whole; lines the registry warns about are listed first and
    the file is imported once the warnings are noted (a second step that carries the same file, signed)."""
    exemption = owned_group(request, public_id)
    confirming = "upload" in request.POST
    if confirming:
        form = CSVImportConfirmForm(request.POST, group_id=exemption.public_id)
    else:
        form = CSVImportForm(request.POST, request.FILES, listed=exemption.affected_eps.count())
    if not form.is_valid():
        return _import_page(request, exemption, form, status=400)
    content, mode, confirmed = (form.cleaned_data[k] for k in ("content", "mode", "confirm"))
    result = _parse_import(exemption, content, replace=mode == CSVImportForm.MODE_REPLACE)
    if result.ok and (confirmed or not result.warnings):
        service = services.group_eps_replace if mode == CSVImportForm.MODE_REPLACE else services.group_eps_add
        if _try(request, service, exemption, rows=result.rows):
            noted = f" {result.warning_count:,} registry warning(s) noted." if result.warnings else ""
            messages.success(request, f"Imported {len(result.rows):,} EP(s).{noted} {_saved_message(exemption)}")
            return redirect("exemptions:group_eps", exemption.public_id)
        return _import_page(request, exemption, form, result, status=400)  # refused: the message says why
    if confirming and result.ok:
        form.add_error("confirm", "Check the box to import the file with these warnings, or import a corrected file.")
    elif result.ok:
        form = CSVImportConfirmForm.for_file(content, mode, group_id=exemption.public_id)
    return _import_page(request, exemption, form, result, status=200 if result.ok and not form.errors else 400)


def _import_page(request, exemption, form, result=None, *, status: int):
    """The EP page after an import that did not happen: the file's problems, or the registry's warnings with the
    step that notes them (`form` is then the confirmation; the import form is offered blank for a new file)."""
    confirm_form = form if isinstance(form, CSVImportConfirmForm) else None
    import_form = CSVImportForm() if confirm_form else form
    return _render_eps(
        request, exemption, _blank_rows(), import_form, status=status, import_result=result, confirm_form=confirm_form
    )


def _blank_rows():
    return EPFormSet(prefix="ep", initial=[])


def _parse_import(exemption, content: bytes, *, replace: bool) -> csv_import.ImportResult:
    existing = (
        {} if replace else {npi: "already listed" for npi in exemption.affected_eps.values_list("npi", flat=True)}
    )
    result = csv_import.parse_eps(content, existing_npis=existing)
    csv_import.add_registry_findings(result)
    return result


@login_required
@require_POST
def group_ep_remove(request, public_id, ep_id):
    exemption = owned_group(request, public_id)
    ep = get_object_or_404(exemption.affected_eps, pk=ep_id)
    removed = f"{ep.name or 'The EP'} ({ep.npi or 'no NPI'}) was removed."
    _try(
        request,
        services.group_ep_remove,
        exemption,
        ep_id=ep.pk,
        success=lambda _: f"{removed} {_saved_message(exemption)}",
    )
    return redirect("exemptions:group_eps", exemption.public_id)


@login_required
def group_eps_export(request, public_id):
    exemption = owned_group(request, public_id)
    return _csv_response(
        csv_import.export_csv(exemption.affected_eps.order_by("position", "id")), f"eps-{exemption.public_id}.csv"
    )


@login_required
def group_eps_template(request):
    return _csv_response(csv_import.template_csv(), "gpro-eps-template.csv")


def _csv_response(text: str, filename: str):
    # A BOM so Excel opens the file as UTF-8 (names with accents or CJK characters stay readable).
    return content_download("\ufeff" + text, filename=filename, content_type="text/csv; charset=utf-8")


@login_required
@require_POST
def group_letter_generate(request, public_id):
    exemption = owned_group(request, public_id)
    outcome = _try(request, services.letter_generate, exemption, refused_prefix="The letter cannot be generated. ")
    if outcome:
        letter = outcome.result
        letter.refresh_from_db()  # a small letter was rendered right after the service's commit
        if letter.status == GroupLetter.Status.PREPARING:
            messages.info(request, "Your letter is being prepared. This page shows it when it is ready.")
        else:
            messages.success(
                request, f"Letter {exemption.reference or ''} version {letter.version} is ready to download."
            )
    return redirect("exemptions:group_detail", exemption.public_id)


@login_required
def group_mark_mailed(request, public_id):
    exemption = owned_group(request, public_id)
    latest = exemption.letters.filter(status=GroupLetter.Status.READY).order_by("-version").first()
    if exemption.status != S.LETTER_GENERATED or latest is None:
        return redirect("exemptions:group_detail", exemption.public_id)
    form = MailedForm(request.POST or None, generated_on=date_et(latest.created_at))
    if request.method == "POST" and form.is_valid():
        # A refusal (e.g. staff recorded the letter as received meanwhile) is a message, not an error page.
        outcome = _try(request, services.letter_mark_mailed, exemption, mailed_on=form.cleaned_data["mailed_on"])
        if outcome and outcome.result:  # the service returns True when the date is late
            messages.warning(request, "Recorded. That date is after the postmark deadline: CMS staff will see this.")
        elif outcome:
            messages.success(request, "Recorded: the letter was mailed. CMS staff will record it when it arrives.")
        return redirect("exemptions:group_detail", exemption.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "groups/mailed.html", {"obj": exemption, "form": form, "latest": latest}, status=status)


@login_required
def letter_download(request, public_id):
    letter = get_object_or_404(
        GroupLetter.objects.select_related("request"),
        public_id=public_id,
        request__owner=request.user,
        status=GroupLetter.Status.READY,
    )
    return stored_file_download(letter.file, filename=letter.download_name, content_type="application/pdf")


urlpatterns = [
    path("groups/new/", group_start, name="group_start"),
    path("groups/eps-template.csv", group_eps_template, name="group_eps_template"),
    path("groups/<uuid:public_id>/", group_detail, name="group_detail"),
    path("groups/<uuid:public_id>/edit/", group_edit, name="group_edit"),
    path("groups/<uuid:public_id>/eps/", group_eps, name="group_eps"),
    path("groups/<uuid:public_id>/eps/import/", group_eps_import, name="group_eps_import"),
    path("groups/<uuid:public_id>/eps/<int:ep_id>/remove/", group_ep_remove, name="group_ep_remove"),
    path("groups/<uuid:public_id>/eps.csv", group_eps_export, name="group_eps_export"),
    path("groups/<uuid:public_id>/letter/", group_letter_generate, name="group_letter_generate"),
    path("groups/<uuid:public_id>/mailed/", group_mark_mailed, name="group_mark_mailed"),
    path("groups/letters/<uuid:public_id>/", letter_download, name="group_letter_download"),
]
