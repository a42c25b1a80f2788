"""A submitted request's receipt and audit bundle: built once by a task, rebuilt when what they contain changed.

A web request never renders them (a 2,500-EP receipt takes longer than a web worker may hold a request): every
service that changes what they contain ends with `stored_files_refresh`, which records a "preparing" row for each
file whose content changed (its fingerprint) and hands it to "exemptions.build_stored_file" after commit. The
pages that offer the files call it too, so a change no service announced is still noticed. Downloads stream the
stored file; a file not built yet is a page that says so.

The rows are a `RenderQueue` like letters': claimed before a build, stored once, published again by the drain.
A submission's receipt is built by a worker (`stored_receipt_queue`: a web worker renders no PDF on deadline day);
the bundle waits for the receipt, which it contains byte for byte, and is handed over (or made) when the receipt
is stored. Other small changes (a withdrawal, an answer) are built in this process after commit.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from ..models import ExemptionRequest, GroupLetter, StoredFile
from ..models.files import stored_file_upload_to
from .render_queue import RenderQueue, pdf_sha256

BUILD_TASK = "exemptions.build_stored_file"
STORED_FILE_BUILDS = RenderQueue(StoredFile, BUILD_TASK)
SYNC_BUILD_MAX_EPS = 100  # as letters: about a second of rendering, done while the EP waits for the next page
K = StoredFile.Kind
PREPARING = StoredFile.Status.PREPARING


def receipt_fingerprint(exemption: ExemptionRequest) -> str:
    """A submitted request is locked: its receipt shows it as submitted and never changes."""
    return f"submitted:{exemption.reference}:{exemption.submitted_at.isoformat()}"


def bundle_fingerprint(exemption: ExemptionRequest) -> str:
    """What the bundle holds besides the receipt: its status history, documents and ready letters.

    Rows are only ever added to the history and to a submitted request's documents (ids grow), so a count and the
    last id tell any change; staff notes, assignment and other edits that do not reach the bundle leave it alone.
    """
    history = exemption.status_changes.aggregate(n=Count("id"), last=Max("id"))
    documents = exemption.documents.aggregate(n=Count("id"), last=Max("id"))
    letters = exemption.letters.filter(status=GroupLetter.Status.READY).aggregate(last=Max("id"))
    return (
        f"history:{history['n']}-{history['last']}:documents:{documents['n']}-{documents['last']}"
        f":letters:{letters['last']}"
    )


@transaction.atomic
def stored_files_refresh(*, exemption: ExemptionRequest, person_waits: bool = False) -> dict[str, StoredFile]:
    """The current build of the receipt and of the bundle (ready, preparing or failed), keyed by kind.

    A file whose content changed gets a new row, built after commit: in this process when `person_waits` and the
    request is small, else by a worker. A draft (or a group request, which has letters instead) has none: {}.
    Safe to call twice: an existing build of the same content is returned as it is.
    """
    if exemption.submitted_at is None:
        return {}
    run_here = person_waits and exemption.ep_count <= SYNC_BUILD_MAX_EPS
    receipt = _build_for(exemption, K.RECEIPT, receipt_fingerprint(exemption), run_here=run_here)
    bundle = _build_for(exemption, K.BUNDLE, bundle_fingerprint(exemption), run_here=run_here, after=receipt)
    return {K.RECEIPT: receipt, K.BUNDLE: bundle}


def stored_receipt_queue(exemption: ExemptionRequest) -> StoredFile:
    """At submission (the caller's transaction): the receipt's row, handed to a worker after commit.

    A submit never renders here: two PDFs (receipt and bundle) cost a web worker ten times the rest of the submit
    (bench/submit_profile.py), so on deadline day they would halve the submits a server takes. The page after the
    submit says the receipt is being prepared; the bundle's row follows once the receipt is stored.
    """
    row = StoredFile.objects.create(request=exemption, kind=K.RECEIPT, fingerprint=receipt_fingerprint(exemption))
    STORED_FILE_BUILDS.dispatch_on_commit(row.pk, run_here=False)
    return row


def _build_for(
    exemption: ExemptionRequest, kind: str, fingerprint: str, *, run_here: bool, after: StoredFile | None = None
) -> StoredFile:
    row, created = StoredFile.objects.get_or_create(request=exemption, kind=kind, fingerprint=fingerprint)
    if not created:
        return row  # being built (the drain re-publishes a lost one), built, or failed visibly
    if after is not None and after.status == PREPARING:
        # Handed to the receipt's build, which dispatches it once the receipt is stored (the drain steps in
        # after REPUBLISH_AFTER if that never happens).
        StoredFile.objects.filter(pk=row.pk).update(published_at=timezone.now())
    else:
        STORED_FILE_BUILDS.dispatch_on_commit(row.pk, run_here=run_here)
    return row


@transaction.atomic
def stored_file_store_built(*, stored_file_id: int, data: bytes, at: dt.datetime | None = None) -> bool:
    """Store a built file if its row is still "preparing" (else the file just written is removed: False).

    Older builds of the same file are removed (rows and files). A stored receipt hands over the bundles that
    waited for it.
    """
    row = StoredFile.objects.select_related("request").filter(pk=stored_file_id).first()
    if row is None:
        return False
    stored = STORED_FILE_BUILDS.store_once(
        row,
        path=stored_file_upload_to(row, ""),
        pdf=data,
        sha256=pdf_sha256(data),
        size=len(data),
        built_at=at or timezone.now(),
    )
    if stored:
        _remove_superseded(row)
        if row.kind == K.RECEIPT:
            _dispatch_waiting_bundles(row.request)
            stored_files_refresh(exemption=row.request)  # the bundle, if its row is not made yet (after a submit)
    return stored


def _remove_superseded(row: StoredFile) -> None:
    older = StoredFile.objects.filter(request_id=row.request_id, kind=row.kind, pk__lt=row.pk).exclude(status=PREPARING)
    for name in older.exclude(file="").values_list("file", flat=True):
        transaction.on_commit(partial(row.file.storage.delete, name))
    older.delete()


def _dispatch_waiting_bundles(exemption: ExemptionRequest) -> None:
    waiting = exemption.stored_files.filter(kind=K.BUNDLE, status=PREPARING, claimed_at__isnull=True)
    for pk in waiting.values_list("pk", flat=True):
        STORED_FILE_BUILDS.dispatch_on_commit(pk, run_here=exemption.ep_count <= SYNC_BUILD_MAX_EPS)


def stored_receipt(exemption: ExemptionRequest) -> StoredFile | None:
    """The receipt as built, if it is (the audit bundle carries this very file)."""
    return exemption.stored_files.filter(kind=K.RECEIPT, status=StoredFile.Status.READY).order_by("-pk").first()
