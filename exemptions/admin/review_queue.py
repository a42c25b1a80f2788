"""The reviewer's queue in the admin: the list's queue filter, the review screen's decision panel, "Decide and
open next", "Next" without deciding, and "letter received" on a GPRO request.

A decision from the queue is at most three page loads: the review screen (the panel's reason is preselected, the
message filled, the EP's email previewed in place by admin-review.js), then "Decide and open next", which decides
and lands on the next request of the same queue. Without JavaScript "Preview" is one page more.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse, QueryDict
from django.urls import path, reverse
from django.utils import timezone

from .. import reasons, workflow
from ..models import ExemptionRequest, StatusChange
from ..outcomes import NOTHING_CHANGED, service_outcome
from ..paginators import EstimatedCountPaginator
from ..selectors.review import (
    COUNT_CAP,
    DEFAULT_QUEUE,
    QUEUES,
    already_decided_message,
    decided_by,
    queue_next,
    stale_message,
)
from ..services import groups, review
from ..services.review.queue import UNCHANGED, reviewer_name
from .review_forms import DECISION_TITLES, ReceivedDatesForm, panel_form

S = ExemptionRequest.Status
ACCESS_KEYS = {reasons.Decision.APPROVE: "a", reasons.Decision.DENY: "d", reasons.Decision.REQUEST_INFO: "k"}
NEXT_KEY = "n"
LIST_TABS = ("open", "unassigned", "mine", "waiting", "ready", "letters", "all")
PANEL_TITLES = {**DECISION_TITLES, reasons.Decision.REQUEST_INFO: "Ask for more information"}


def queue_key(request) -> str:
    """The queue being worked: the form's or link's `queue`, else the filters of the list the reviewer came from."""
    key = request.POST.get("queue") or request.GET.get("queue")
    if not key:
        preserved = QueryDict(request.GET.get("_changelist_filters", ""))
        key = preserved.get("queue") or DEFAULT_QUEUE
    return key if key in QUEUES else DEFAULT_QUEUE


def working_queue(key: str):
    """The queue "next" walks: "All requests" holds drafts and decided ones, so next walks the open work queue."""
    return QUEUES[DEFAULT_QUEUE if key == "all" else key]


def change_url(exemption: ExemptionRequest, key: str) -> str:
    filters = urlencode({"_changelist_filters": urlencode({"queue": key})})
    return f"{reverse('admin:exemptions_exemptionrequest_change', args=[exemption.pk])}?{filters}"


def queue_url(key: str) -> str:
    return f"{reverse('admin:exemptions_exemptionrequest_changelist')}?{urlencode({'queue': key})}"


def seen_reviewer(request):
    """The assigned reviewer the page showed (its id, None for nobody), or UNCHANGED when the page did not say."""
    value = request.POST.get("reviewer")
    if value is None:
        return UNCHANGED
    return int(value) if value.isascii() and value.isdigit() else None


def offered_decisions(status: str) -> list[str]:
    """Decisions the panel offers: allowed now, or once the review is started (which deciding does on the way)."""
    started = S.UNDER_REVIEW if workflow.allowed("start_review", status) else status
    return [d for d in DECISION_TITLES if workflow.allowed(d, status) or workflow.allowed(d, started)]


class QueueFilter(admin.SimpleListFilter):
    """The reviewer's queues. The bare list is the open work queue, oldest first (changelist_view makes that an
    explicit `queue=open`, so every link of the page keeps it); a filter or search with no queue looks at every
    request (a reference typed in the box is found whatever its status)."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(q.key, q.label) for q in QUEUES.values()]

    def choices(self, changelist):
        for key, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "all") == key,
                "query_string": changelist.get_query_string({self.parameter_name: key}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value is None or value == "all":
            return queryset
        if value not in QUEUES:
            raise IncorrectLookupParameters(f"queue: {value!r} is not one of the choices")
        return queryset.filter(QUEUES[value].condition(request.user))


def is_queue_list(request) -> bool:
    """True when the list shows a work queue (oldest first), not every request (newest first)."""
    return request.GET.get("queue", "all") != "all"


class QueuePaginator(EstimatedCountPaginator):
    """A queue's count reads at most COUNT_CAP + 1 rows (the staff home's "1,000+"), then estimates: a reviewer
    works a queue from its oldest request and never pages 10 pages deep, and the bare list is the open work
    queue, the page loaded most often (a 10,001-row count there measured 110-160 ms on 1M rows after churn)."""

    def count_cap(self) -> int:
        return COUNT_CAP


class QueueViewsMixin:
    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if is_queue_list(request):
            return QueuePaginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("<path:object_id>/review/panel/", wrap(self.panel_view), name="exemptions_review_panel"),
            path("<path:object_id>/review/preview/", wrap(self.panel_preview_view), name="exemptions_review_preview"),
            path("<path:object_id>/review/next/", wrap(self.next_view), name="exemptions_review_next"),
            path("<path:object_id>/review/received/", wrap(self.received_view), name="exemptions_review_received"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        if not request.GET:  # the bare list is the open work queue: said in the URL, so every link keeps it
            request.GET = request.GET.copy()
            request.GET[QueueFilter.parameter_name] = DEFAULT_QUEUE
        current = request.GET.get(QueueFilter.parameter_name, "all")
        tabs = [(QUEUES[k].label, queue_url(k), current == k) for k in LIST_TABS]
        context = {"queue_tabs": tabs, "queue_is_work": is_queue_list(request)}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    # --- the review screen's panel ---
    def review_context(self, request, exemption):
        context = super().review_context(request, exemption)
        key = queue_key(request)
        panel = {
            "queue": key,
            "queue_label": QUEUES[key].label,
            "queue_url": queue_url(key),
            "next_url": reverse("admin:exemptions_review_next", args=[exemption.pk]) + f"?queue={key}",
            "next_key": NEXT_KEY,
            "decided": decided_by(exemption),
            "held_by_other": exemption.assigned_reviewer_id not in (None, request.user.pk),
            "received_form": None,
            "decisions": [],
            "defaults": {d: {r.code: r.default_message for r in reasons.reasons_for(d)} for d in DECISION_TITLES},
        }
        if context["review"]["can_decide"]:
            if exemption.status not in workflow.FINAL:
                facts = self._panel_facts(exemption)
                panel["decisions"] = [
                    (d, PANEL_TITLES[d], ACCESS_KEYS[d], self._panel_form(exemption, d, facts=facts))
                    for d in offered_decisions(exemption.status)
                ]
            if exemption.kind == ExemptionRequest.Kind.GROUP and workflow.allowed("mark_received", exemption.status):
                panel["received_form"] = ReceivedDatesForm(auto_id="id_received_%s")
        context["review"]["panel"] = panel
        return context

    @staticmethod
    def _panel_facts(exemption) -> dict:
        """What the preselected reasons depend on: a category that needs a CEHRT ID, an answered question."""
        return {
            "needs_cehrt": exemption.categories.filter(requires_cehrt_id=True).exists(),
            "answered": exemption.information_requests.filter(answered_at__isnull=False).exists(),
        }

    def _panel_form(self, exemption, decision, data=None, facts=None):
        return panel_form(exemption, decision, data=data, **(facts or self._panel_facts(exemption)))

    def _refuse_decided(self, request, exemption, key):
        """A decided request never shows a decision form; a forged POST is refused, saying who decided and when."""
        if exemption.status not in workflow.FINAL:
            return None
        self.message_user(
            request,
            f"{NOTHING_CHANGED}{already_decided_message(exemption)} Reopen it first if the decision was wrong.",
            messages.ERROR,
        )
        return HttpResponseRedirect(change_url(exemption, key))

    def panel_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        exemption = self._decidable(request, object_id)
        key = queue_key(request)
        refused = self._refuse_decided(request, exemption, key)
        if refused:
            return refused
        decision = request.POST.get("decision", "")
        if decision not in DECISION_TITLES:
            self.message_user(request, "Choose Approve, Deny or Ask for more information.", messages.ERROR)
            return HttpResponseRedirect(change_url(exemption, key))
        form = self._panel_form(exemption, decision, data=request.POST)
        hidden = {"decision": decision, "queue": key, "reviewer": request.POST.get("reviewer", "")}
        if form.is_valid():
            data = form.cleaned_data
            if "_confirm" in request.POST or "_next" in request.POST:
                return self._decide_in_queue(request, exemption, decision, data, key)
            if "_edit" not in request.POST:  # "Preview" without JavaScript: the page the EP's email is shown on
                return self._decision_preview_page(request, exemption, decision, form, hidden=hidden, next_key=NEXT_KEY)
        return self._decision_form_page(request, exemption, decision, form, hidden=hidden)

    def _decide_in_queue(self, request, exemption, decision, data, key):
        step = self._step(
            request,
            exemption,
            partial(review.request_decide_in_queue, decision=decision, reply_by=data.get("reply_by")),
            reason_code=data["reason_code"],
            message=data["message"],
            internal_note=data["internal_note"],
            expected_version=data["version"],
            expected_reviewer_id=seen_reviewer(request),
        )

        def done(change: StatusChange) -> str:
            return f"{exemption}: {change.get_to_status_display().lower()}. The EP's email is queued."

        outcome = service_outcome(request, step, refusals=review.REFUSALS, refused_prefix=NOTHING_CHANGED, success=done)
        if not outcome or "_next" not in request.POST:
            return HttpResponseRedirect(change_url(exemption, key))
        return self._open_next(request, exemption, key, claim=True)

    def _open_next(self, request, current, key, *, claim: bool):
        queue = working_queue(key)
        if claim and queue.claims:
            found = review.request_claim_next(
                condition=queue.condition(request.user), actor=request.user, at=timezone.now(), skip=current
            )
        else:
            found = queue_next(queue, request.user, after=current)
        if found is None:
            self.message_user(
                request,
                f"No other request is waiting in “{queue.label}”"
                + (": another reviewer may have just taken the last one." if queue.claims else "."),
                messages.INFO,
            )
            return HttpResponseRedirect(queue_url(key))
        return HttpResponseRedirect(change_url(found, key))

    def panel_preview_view(self, request, object_id):
        """The EP's email as the panel stands now, for admin-review.js to show in place (no page load)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        exemption = self._decidable(request, object_id)
        if exemption.status in workflow.FINAL:
            return JsonResponse({"ok": False, "error": f"{already_decided_message(exemption)} Reload the page."})
        decision = request.POST.get("decision", "")
        if decision not in DECISION_TITLES:
            return JsonResponse({"ok": False, "error": "Choose Approve, Deny or Ask for more information."})
        form = self._panel_form(exemption, decision, data=request.POST)
        if not form.is_valid():
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return JsonResponse({"ok": False, "error": "No preview yet: " + " ".join(errors)})
        moved = self._moved_since_opened(request, exemption, form.cleaned_data["version"])
        if moved:  # told while the page is open (each edit and every minute), not only on pressing Decide
            return JsonResponse({"ok": False, "error": moved})
        data = form.cleaned_data
        preview = self.preview(exemption, decision, data["message"], data.get("reply_by"))
        return JsonResponse({"ok": True, **preview})

    @staticmethod
    def _moved_since_opened(request, exemption, version: int) -> str:
        """What changed since the reviewer opened the page ("" if nothing): reassigned, or changed otherwise."""
        seen = seen_reviewer(request)
        if seen is not UNCHANGED and exemption.assigned_reviewer_id != seen:
            return (
                f"Request {exemption} was reassigned to {reviewer_name(exemption)} since you opened it: "
                "reload the page to see who holds it now."
            )
        return stale_message(exemption) if exemption.version != version else ""

    def next_view(self, request, object_id):
        """ "Next" without deciding: the request after this one in the same queue (nothing is claimed)."""
        current = self._viewable(request, object_id)
        return self._open_next(request, current, queue_key(request), claim=False)

    # --- GPRO: letter received ---
    def received_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        exemption = self._decidable(request, object_id)
        key = queue_key(request)
        form = ReceivedDatesForm(request.POST)
        if not form.is_valid():
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            self.message_user(request, f"{NOTHING_CHANGED}{' '.join(errors)}", messages.ERROR)
            return HttpResponseRedirect(change_url(exemption, key))
        data = form.cleaned_data
        receive = self._step(
            request,
            exemption,
            groups.letter_mark_received,
            received_on=data["received_on"],
            postmarked_on=data["postmarked_on"],
        )
        outcome = service_outcome(
            request, receive, refusals=review.REFUSALS, refused_prefix=NOTHING_CHANGED, success=None
        )
        if outcome:
            text = f"{exemption}: letter recorded as received on {data['received_on']:%B %-d, %Y}."
            if outcome.result:
                self.message_user(request, text + " Its postmark is AFTER the deadline: flagged.", messages.WARNING)
            else:
                self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(change_url(exemption, key))
