"""Supporting documents as files: what an upload may be, and writing it so that a refusal leaves nothing behind.

An upload is checked by its content, never by its name or the browser's word: a PDF, PNG or JPEG (magic bytes),
at most `PORTAL_DOCUMENT_MAX_BYTES`, and a PDF must open (qpdf, through pikepdf) and hold no JavaScript, launch
action or additional actions. A set of uploads is checked as a whole (the per-request count included) before any
file is written, and files are written inside `atomic_with_files`, which deletes them again if the transaction
they belong to rolls back: a refused save, or one that fails half-way, leaves no row and no file. A store that
cannot take the file (the bucket does not answer, the disk is full) is a refusal like the others (StoreUnavailable,
a ValidationError): the page shows it with what was typed, never a 500.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import transaction

from ..models import SupportingDocument
from .storage import STORAGE_ERRORS

log = logging.getLogger(__name__)

DOCUMENT_TYPES = tuple(SupportingDocument.EXTENSIONS)  # PDF, PNG, JPEG: detected from the content
# A PDF's object graph is walked to find active content, at ~6 µs a dictionary or array: a document of text or scans
# has a few thousand, a tagged one with 60,000 structure elements ~120,000 (0.8 s). Past this many (~1.3 s of a web
# worker) the check refuses rather than hold the worker longer.
PDF_MAX_NODES = 200_000
# An action of these kinds runs something in the reader; /AA (additional actions) fires on open, close, focus...
PDF_ACTIVE_KEYS = ("/JS", "/JavaScript", "/AA")
PDF_ACTIVE_ACTIONS = ("/JavaScript", "/Launch")

NOT_A_DOCUMENT = "“{name}” is not a PDF, PNG or JPEG file (checked by its content, not its name)."
TOO_BIG = "“{name}” is {size:,} bytes; each document may be at most {limit_mb} MB."
PDF_UNREADABLE = "“{name}” could not be read as a PDF (it may be damaged): save or print it to a new PDF and try again."
PDF_ENCRYPTED = "“{name}” is password-protected: upload it without a password so that CMS can read it."
PDF_ACTIVE = (
    "“{name}” contains {what}, which a PDF sent to CMS may not: save or print it to a new PDF without it and try again."
)
PDF_TOO_COMPLEX = "“{name}” is too complex to check (over {limit:,} objects): save or print it to a new PDF."
TOO_MANY = (
    "A request may have at most {limit} documents: it has {existing} and you added {added}. Remove some to add others."
)


STORE_UNAVAILABLE = (
    "Your documents could not be stored just now (our file store did not answer), so nothing was saved. What you "
    "typed is still on this page: save again to keep it, and add the documents again in a few minutes."
)


class StoreUnavailable(ValidationError):
    """The file store refused or did not answer: the whole save is refused, worded for the page."""


class PdfActiveContent(Exception):
    """The PDF holds something a reader would run; the message names it ("JavaScript", "a launch action")."""


# --- What an upload may be --------------------------------------------------------------------------------------


def document_check(upload) -> str:
    """Check one upload by its content; return its detected type (`upload.detected_type`), or raise ValidationError.

    Checked once: the form's check is reused by the service (the result is kept on the upload).
    """
    checked = getattr(upload, "detected_type", None)
    if checked in DOCUMENT_TYPES:
        return checked
    limit = settings.PORTAL_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(TOO_BIG.format(name=upload.name, size=upload.size, limit_mb=limit // (1024 * 1024)))
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in DOCUMENT_TYPES:
        raise ValidationError(NOT_A_DOCUMENT.format(name=upload.name))
    if kind.mime == "application/pdf":
        pdf_check(upload)
    upload.detected_type = kind.mime
    return kind.mime


def documents_check(uploads: Sequence, *, existing: int) -> list[str]:
    """Check a set of uploads as a whole before any is written: the count (with `existing` documents), then each.

    Every problem is reported at once; returns the detected types in order.
    """
    limit = settings.PORTAL_DOCUMENTS_PER_REQUEST
    if existing + len(uploads) > limit:
        raise ValidationError(TOO_MANY.format(limit=limit, existing=existing, added=len(uploads)))
    return each_document_check(uploads)


def each_document_check(uploads: Sequence) -> list[str]:
    """Check every upload by its content (the form's check; the count is the service's): all problems at once."""
    types, problems = [], []
    for upload in uploads:
        try:
            types.append(document_check(upload))
        except ValidationError as refused:
            problems.extend(refused.messages)
    if problems:
        raise ValidationError(problems)
    return types


def pdf_check(upload) -> None:
    """Refuse a PDF that qpdf cannot open, that is encrypted, or that holds active content."""
    import pikepdf  # as in documents/letters.py: qpdf is loaded by the processes that read PDFs, when they do

    source = _pdf_source(upload)
    try:
        with pikepdf.open(source) as pdf:
            pdf_active_content(pdf)
    except PdfActiveContent as found:
        raise ValidationError(PDF_ACTIVE.format(name=upload.name, what=found)) from None
    except pikepdf.PasswordError:
        raise ValidationError(PDF_ENCRYPTED.format(name=upload.name)) from None
    except _TooComplex:
        raise ValidationError(PDF_TOO_COMPLEX.format(name=upload.name, limit=PDF_MAX_NODES)) from None
    except Exception as exc:  # noqa: BLE001 - whatever a crafted file makes the parser raise is refused, never a 500
        log.info("refused an unreadable PDF upload: %s: %s", type(exc).__name__, exc)
        raise ValidationError(PDF_UNREADABLE.format(name=upload.name)) from None
    finally:
        upload.seek(0)


def _pdf_source(upload):
    if hasattr(upload, "temporary_file_path"):  # a large upload is already on disk: qpdf reads it there
        return upload.temporary_file_path()
    upload.seek(0)
    return io.BytesIO(upload.read())


class _TooComplex(Exception):
    pass


def pdf_active_content(pdf) -> None:
    """Walk every dictionary and array of a pikepdf.Pdf reachable from its trailer (each object once, no recursion)
    and raise PdfActiveContent at the first JavaScript, launch action or additional-actions entry.

    Names are compared after parsing, so an obfuscated `/J#53` is `/JS`; objects inside compressed object streams
    are reached like any other. Unreachable objects are ignored: no reader runs them.
    """
    import pikepdf

    containers = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)
    seen: set[tuple[int, int]] = set()
    stack = [pdf.trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        visited += 1
        if visited > PDF_MAX_NODES:
            raise _TooComplex
        if isinstance(node, pikepdf.Array):
            stack.extend(item for item in node if isinstance(item, containers))
            continue
        _check_dictionary(node, pikepdf.Name)
        stack.extend(value for key in node.keys() if isinstance(value := node[key], containers))


def _check_dictionary(node, name_type) -> None:
    for key in PDF_ACTIVE_KEYS:
        if key in node:
            raise PdfActiveContent("additional actions (/AA)" if key == "/AA" else "JavaScript")
    action = node.get("/S")
    if isinstance(action, name_type) and str(action) in PDF_ACTIVE_ACTIONS:
        raise PdfActiveContent("JavaScript" if str(action) == "/JavaScript" else "a launch action")


def upload_store(document, upload, *, content_type: str):
    """Write a checked upload as `document`'s file (an unsaved row of a document model: a hardship request's or an
    informal review's) under the random name its `upload_to` gives, with its hash; then save the row.

    Call it inside `atomic_with_files`: the file is deleted again if the transaction rolls back."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document.original_name = upload.name[:255]
    document.content_type = content_type
    document.size = upload.size
    document.sha256 = digest.hexdigest()
    document.file.save(upload.name, upload, save=False)  # named by the model's upload_to, never by the client
    file_written(document.file.storage, document.file.name)
    document.save()
    return document


# --- Writing files that a rollback removes --------------------------------------------------------------------------

_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("files_written_in_transaction", default=None)


def atomic_with_files(func=None):
    """`transaction.atomic()` that also deletes, if it rolls back, every file `file_written` recorded inside it.

    Use it as `transaction.atomic`: `@atomic_with_files` on a service, or `with atomic_with_files():`. Nested blocks
    hand their files to the enclosing one when they succeed, so a rollback of the outer block (the page's
    save-and-submit, say) still removes them. Django has no rollback hook (on_commit callbacks are simply dropped):
    a file written under a plain outer `transaction.atomic()` that later rolls back is the one case left, and the
    weekly orphan sweep (services/media.py) removes it.
    """
    return _atomic_with_files()(func) if func is not None else _atomic_with_files()


@contextmanager
def _atomic_with_files() -> Iterator[None]:
    written: list[tuple[Storage, str]] = []
    token = _written.set(written)
    try:
        with transaction.atomic():
            yield
    except STORAGE_ERRORS as exc:
        _delete(written)
        log.warning("a save was refused: the file store failed: %s: %s", type(exc).__name__, exc)
        raise StoreUnavailable(STORE_UNAVAILABLE) from exc
    except BaseException:
        _delete(written)
        raise
    finally:
        _written.reset(token)
    enclosing = _written.get()
    if enclosing is not None:
        enclosing.extend(written)


def file_written(storage: Storage, name: str) -> None:
    """Record a file just written, to be deleted if the enclosing `atomic_with_files` block rolls back."""
    written = _written.get()
    if written is None:
        raise RuntimeError("file_written() outside atomic_with_files(): a rollback would leave the file behind")
    written.append((storage, name))


def _delete(written: list[tuple[Storage, str]]) -> None:
    for storage, name in written:
        try:
            storage.delete(name)
        except STORAGE_ERRORS:  # left for the orphan sweep
            log.warning("could not delete %s after a rollback", name, exc_info=True)
