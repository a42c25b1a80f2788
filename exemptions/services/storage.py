"""Stored files read back verified, the rows whose file is missing or corrupt, and a disk copied to a bucket.

Each stored file's row keeps the SHA-256 of what was written (documents, letter versions, receipts, bundles). A
download reads the whole file through a spooled temporary file while hashing it, and streams that copy only if it
matches: bytes already sent cannot be taken back, so a check after streaming would hand out a corrupt file with a
200. Files are bounded (a document is at most 10 MB; a letter, receipt or bundle a few MB to tens of MB), so the
cost is one local copy - in memory up to SPOOL_IN_MEMORY, on disk past it. A row without a hash (a print batch)
is only checked to exist.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import models
from django.db.models.fields.files import FieldFile

from .media import file_fields

log = logging.getLogger(__name__)

# What a storage backend raises when it cannot do its job: the disk (OSError) or the bucket (boto).
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)
CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 4 * 1024 * 1024


class FileUnreadable(Exception):
    """A stored file that cannot be handed out: "missing", "corrupt" or "unavailable" (the store did not answer).

    `reference` is quoted on the error page and in the log line, so the help desk finds one from the other.
    """

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        self.reference = uuid.uuid4().hex[:10].upper()
        super().__init__(f"{reason}: {detail}" if detail else reason)


def expected_sha256(field_file: FieldFile) -> str:
    return getattr(field_file.instance, "sha256", "") or ""


def file_open_verified(field_file: FieldFile) -> IO[bytes]:
    """Open a row's stored file for streaming, verified first against the row's SHA-256 (if it has one).

    Raises FileUnreadable (missing, corrupt, unavailable) and logs one line naming the row; the caller shows a page.
    """
    try:
        return _open_verified(field_file)
    except FileUnreadable as problem:
        row = field_file.instance
        log.error(
            "stored file unreadable (%s): %s %s file %s [reference %s] %s",
            problem.reason, row._meta.label, row.pk, field_file.name, problem.reference, problem.detail,
        )  # fmt: skip
        raise


def _open_verified(field_file: FieldFile) -> IO[bytes]:
    expected = expected_sha256(field_file)
    try:
        source = field_file.storage.open(field_file.name, "rb")
        if not expected:
            return source
        with source:
            spool, digest = _spool(source)
    except FileNotFoundError:
        raise FileUnreadable("missing") from None
    except STORAGE_ERRORS as exc:
        raise FileUnreadable("unavailable", f"{type(exc).__name__}: {exc}") from None
    if digest != expected:
        spool.close()
        raise FileUnreadable("corrupt", f"SHA-256 {digest} where the row has {expected}")
    spool.seek(0)
    return spool


def _spool(source: IO[bytes]) -> tuple[IO[bytes], str]:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    digest = hashlib.sha256()
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    return spool, digest.hexdigest()


def stored_digest(storage: Storage, name: str) -> tuple[int, str]:
    """(size, SHA-256) of a stored file, read in chunks. FileNotFoundError when it is not there."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


# --- Rows whose file is missing or corrupt ----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRow:
    model: type[models.Model]
    pk: int
    name: str
    sha256: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label} {self.pk}"


@dataclass(frozen=True)
class Problem:
    row: StoredRow
    reason: str  # "missing", "corrupt", "unavailable"
    detail: str = ""


def stored_rows() -> Iterator[StoredRow]:
    """Every row of every model with a file, with the hash it keeps ("" for a model without one)."""
    for model, field in file_fields():
        has_hash = any(f.name == "sha256" for f in model._meta.concrete_fields)
        columns = ["pk", field, "sha256"] if has_hash else ["pk", field]
        for values in model._base_manager.exclude(**{field: ""}).order_by("pk").values_list(*columns).iterator():
            yield StoredRow(model, values[0], values[1], values[2] if has_hash else "")


def media_problems(*, storage: Storage = default_storage, quick: bool = False) -> Iterator[Problem]:
    """Rows whose file is missing from `storage`, or (unless `quick`: existence only) differs from its hash."""
    for row in stored_rows():
        try:
            if quick or not row.sha256:
                if not storage.exists(row.name):
                    yield Problem(row, "missing")
                continue
            _size, digest = stored_digest(storage, row.name)
        except FileNotFoundError:
            yield Problem(row, "missing")
            continue
        except STORAGE_ERRORS as exc:
            yield Problem(row, "unavailable", f"{type(exc).__name__}: {exc}")
            continue
        if digest != row.sha256:
            yield Problem(row, "corrupt", f"SHA-256 {digest} where the row has {row.sha256}")


# --- Copying files from the local disk to the bucket -----------------------------------------------------------

COPY_OUTCOMES = ("copied", "would copy", "already there", "missing on disk", "corrupt on disk", "differs in bucket",
                 "failed")  # fmt: skip


@dataclass(frozen=True)
class CopyResult:
    row: StoredRow
    outcome: str  # one of COPY_OUTCOMES
    detail: str = ""


def media_copy(*, source: FileSystemStorage, target: Storage, dry_run: bool = False) -> Iterator[CopyResult]:
    """Copy every row's file from `source` (the old MEDIA_ROOT) to `target` (the bucket) under the same name.

    Safe to run again and to interrupt (a PUT is all or nothing): a file already in the bucket with the same size
    and SHA-256 is skipped, one that differs is reported and never overwritten. Each copy is read back and checked
    (size, and SHA-256 against the row's where it has one). `dry_run` reads and compares but writes nothing.
    """
    for row in stored_rows():
        yield _copy_one(row, source, target, dry_run=dry_run)


def _copy_one(row: StoredRow, source: Storage, target: Storage, *, dry_run: bool) -> CopyResult:
    try:
        local = stored_digest(source, row.name)
    except FileNotFoundError:
        return CopyResult(row, "missing on disk")
    if row.sha256 and local[1] != row.sha256:
        return CopyResult(row, "corrupt on disk", f"SHA-256 {local[1]} where the row has {row.sha256}")
    try:
        there = stored_digest(target, row.name)
    except FileNotFoundError:
        there = None
    except STORAGE_ERRORS as exc:
        return CopyResult(row, "failed", f"{type(exc).__name__}: {exc}")
    if there == local:
        return CopyResult(row, "already there")
    if there is not None:
        return CopyResult(row, "differs in bucket", f"{there[0]} bytes, SHA-256 {there[1]}")
    if dry_run:
        return CopyResult(row, "would copy")
    return _upload(row, source, target, local)


def _upload(row: StoredRow, source: Storage, target: Storage, local: tuple[int, str]) -> CopyResult:
    try:
        with source.open(row.name, "rb") as handle:
            written = target.save(row.name, handle)
        if written != row.name:  # written meanwhile by someone else: never two names for one row
            target.delete(written)
            return CopyResult(row, "differs in bucket", "appeared in the bucket during the copy")
        copied = stored_digest(target, row.name)
    except STORAGE_ERRORS as exc:
        return CopyResult(row, "failed", f"{type(exc).__name__}: {exc}")
    if copied != local:
        return CopyResult(row, "failed", f"read back {copied[0]} bytes, SHA-256 {copied[1]}")
    return CopyResult(row, "copied")
