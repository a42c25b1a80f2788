"""Every file the portal hands out leaves through here, with the same headers.

The caller has already loaded the object through an owner- or staff-scoped lookup (anyone else got a 404);
this module adds what every download needs: a missing file is a 404 (never a 500), the file is an attachment
(never rendered inline), the browser must not sniff another type, and no shared or browser cache keeps a copy
of personal data.
"""

from collections.abc import Iterable

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header


def stored_file_download(stored: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Stream a stored file (a document, a letter, a print batch) as it was written: never re-rendered."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: the field has no file
        raise Http404("File missing") from None
    return _private(FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type))


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


def _private(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
