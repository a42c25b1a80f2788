"""Every file the portal hands out leaves through here, with the same headers.

The caller has already loaded the object through an owner- or staff-scoped lookup (anyone else got a 404);
this module adds what every download needs: the stored bytes are checked against the row's SHA-256 before any is
sent (services/storage.py), a file missing, corrupt or out of reach is a page that says so with a reference to
quote (never a 500), the file is an attachment (never rendered inline), the browser must not sniff another type,
and no shared or browser cache keeps a copy of personal data.
"""

from collections.abc import Iterable

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

from .models import ExemptionRequest, StoredFile
from .services.storage import FileUnreadable, file_open_verified
from .services.stored_files import stored_files_refresh

# The store did not answer: worth trying again shortly. Missing or corrupt: trying again will not help.
RETRY_AFTER_SECONDS = 120


def stored_file_download(stored: FieldFile, *, filename: str, content_type: str) -> HttpResponse:
    """Stream a stored file (a document, a letter, a print batch) as it was written and checked: never re-rendered.

    A file that cannot be handed out is a page with a reference (404 missing or corrupt, 503 the store is down).
    """
    if not stored:
        raise Http404("The row has no file")
    try:
        handle = file_open_verified(stored)
    except FileUnreadable as problem:
        return unreadable_page(problem)
    return _private(FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type))


def unreadable_page(problem: FileUnreadable) -> HttpResponse:
    # Rendered without the request (callers pass only the file): a page of its own, with no account menu.
    unavailable = problem.reason == "unavailable"
    context = {"reference": problem.reference, "unavailable": unavailable, "retry_minutes": RETRY_AFTER_SECONDS // 60}
    page = render_to_string("exemptions/file_unreadable.html", context)
    response = HttpResponse(page, status=503 if unavailable else 404)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return _private(response)


def content_download(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    """Send content made for this request (a receipt, an audit bundle, a CSV)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _private(response)


def streamed_download(chunks: Iterable[bytes | str], *, filename: str, content_type: str) -> StreamingHttpResponse:
    """Send content made row by row (a staff export of many thousands of requests) without holding it in memory."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return _private(response)


# A request's receipt and audit bundle are built by a worker (a 2,500-EP receipt takes longer than a web worker may
# hold a request): hand out the stored file, or a page that says it is being prepared.
RELOAD_SECONDS = 10
WHAT = {StoredFile.Kind.RECEIPT: "Your receipt", StoredFile.Kind.BUNDLE: "The audit bundle"}


def stored_file_response(request: HttpRequest, exemption: ExemptionRequest, kind: str, *, back_url: str):
    """The stored file (streamed), else a page: "being prepared" (202, reloads itself) or "could not" (404)."""
    built = stored_files_refresh(exemption=exemption).get(kind)
    if built is None:
        raise Http404("A draft has no receipt or audit bundle")
    built.request = exemption  # download_name reads the reference: no second query
    if built.status == StoredFile.Status.READY:
        return stored_file_download(built.file, filename=built.download_name, content_type=built.content_type)
    failed = built.status == StoredFile.Status.FAILED
    context = {"obj": exemption, "what": WHAT[kind], "failed": failed, "back_url": back_url, "seconds": RELOAD_SECONDS}
    page = "exemptions/stored_file_waiting.html"
    response: HttpResponse = render(request, page, context, status=404 if failed else 202)
    if not failed:
        response["Refresh"] = str(RELOAD_SECONDS)  # the browser asks again; once built, the file downloads
    return _private(response)


def _private(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
