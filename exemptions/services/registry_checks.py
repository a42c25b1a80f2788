"""A request's EPs checked against the NPI registry, summarized on the request for the staff list.

Checked at submission (`request_save_and_submit` / `request_submit`) and at every letter generation of a group
(`letter_generate`), and again on demand (admin action "Re-check against the registry", `manage.py
registry_recheck`) once a newer registry file is loaded. A summary never blocks anything: it points staff at the
requests to look at.

The summary is written by an UPDATE of its column alone: the request's version (the optimistic lock) is untouched,
so a re-check never makes a reviewer's open page stale, and no history row is written for a derived value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from ..models import AffectedEP, ExemptionRequest
from ..selectors.registry import registry_check_many
from ..selectors.review import registry_summary_of

CHUNK_EPS = 5000  # EPs checked per registry query in a bulk re-check (a 2,500-EP group is one chunk on its own)
Summary = ExemptionRequest.RegistrySummary


@dataclass(frozen=True)
class RecheckResult:
    checked: int = 0
    warnings: int = 0
    not_checked: int = 0

    def summary(self) -> str:
        """ "12 request(s) re-checked against the NPI registry: 2 with an EP that does not match." """
        parts = []
        if self.checked:
            parts.append(
                f"{self.checked} request(s) re-checked against the NPI registry: "
                f"{self.warnings} with an EP that does not match."
            )
        if self.not_checked:
            parts.append(f"{self.not_checked} request(s) not checked: no NPI registry is loaded, or no EP.")
        return " ".join(parts) or "No request selected."


def eps_registry_summary(eps: Iterable[tuple[str, str]]) -> str:
    """The summary of (NPI, name) pairs, one registry query for all: for a caller that writes it with the row."""
    return registry_summary_of(registry_check_many(eps))


@transaction.atomic
def request_check_registry(*, exemption: ExemptionRequest) -> str:
    """Check the request's EPs (one registry query for all of them) and store the summary; returns it."""
    summary = eps_registry_summary(exemption.affected_eps.order_by().values_list("npi", "name"))
    ExemptionRequest.objects.filter(pk=exemption.pk).update(registry_summary=summary)
    exemption.registry_summary = summary
    return summary


def request_bulk_check_registry(*, exemption_ids: Iterable[int]) -> RecheckResult:
    """Re-check many requests: EPs read and checked in chunks of about CHUNK_EPS, one UPDATE per summary value.

    Each chunk commits on its own, so a re-check of a million requests holds no long transaction and a stop
    half-way keeps what was done (running it again is harmless).
    """
    ids = sorted(set(exemption_ids))
    counts = dict(ExemptionRequest.objects.filter(pk__in=ids).values_list("pk", "ep_count")) if ids else {}
    totals: dict[str, int] = defaultdict(int)
    for chunk in _chunks([pk for pk in ids if pk in counts], counts):
        for summary, n in _check_chunk(chunk).items():
            totals[summary] += n
    return RecheckResult(
        checked=totals[Summary.MATCH] + totals[Summary.WARNING],
        warnings=totals[Summary.WARNING],
        not_checked=totals[Summary.NOT_CHECKED],
    )


def _chunks(ids: list[int], ep_counts: dict[int, int]):
    chunk, size = [], 0
    for pk in ids:
        if chunk and size + ep_counts[pk] > CHUNK_EPS:
            yield chunk
            chunk, size = [], 0
        chunk.append(pk)
        size += ep_counts[pk]
    if chunk:
        yield chunk


@transaction.atomic
def _check_chunk(ids: list[int]) -> dict[str, int]:
    eps = list(AffectedEP.objects.filter(request_id__in=ids).order_by().values_list("request_id", "npi", "name"))
    findings = registry_check_many((npi, name) for _request, npi, name in eps)
    per_request = defaultdict(list)
    for (request_id, _npi, _name), finding in zip(eps, findings, strict=True):
        per_request[request_id].append(finding)
    by_summary: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        by_summary[registry_summary_of(per_request[pk])].append(pk)
    for summary, pks in by_summary.items():
        ExemptionRequest.objects.filter(pk__in=pks).update(registry_summary=summary)
    return {summary: len(pks) for summary, pks in by_summary.items()}
