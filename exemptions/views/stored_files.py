"""Hand out a request's receipt or audit bundle as stored, or a page that says it is being prepared.

Never rendered here: a 2,500-EP receipt takes longer than a web worker may hold a request. The caller has loaded
the request through an owner- or staff-scoped lookup.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ..downloads import stored_file_download
from ..models import ExemptionRequest, StoredFile
from ..services.stored_files import stored_files_refresh

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
    response["Cache-Control"] = "private, no-store"
    return response
