"""Loading a published NPPES file into the registry table (`manage.py nppes_import`, the practice sample).

Monthly (full) files on PostgreSQL are COPYed into a new table, indexed like the live one, and swapped in by one
short transaction at the end: lookups answer from the previous load until then, and a failed or interrupted load
drops the new table and changes nothing. Weekly files upsert (INSERT ... ON CONFLICT (npi) DO UPDATE). On SQLite
(the embedded default) a monthly file replaces the rows inside one transaction, which readers do not see until it
commits. Either way the `RegistryFile` row says loading / loaded / failed, with its rows, bad rows and date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from itertools import islice
from typing import BinaryIO

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ..models import RegistryEntry, RegistryFile
from ..nppes import FIELDS, RegistryFileRefused, RegistryReader, dates_in_name

TABLE = RegistryEntry._meta.db_table
LOAD_TABLE = f"{TABLE}_load"
LOCK_KEY = 0x4E50504553  # one registry load at a time (a weekly file applied during a monthly load would be lost)
BATCH = 2000
PROGRESS_EVERY = 1000
FULL_FILE_MIN_DAYS = 366  # a monthly file covers 2005-05-23 to its date; a weekly one covers a week

Progress = Callable[[int, int], None]  # (rows so far, bytes read so far)

__all__ = ["RegistryFileRefused", "registry_load"]


def registry_load(
    *,
    stream: BinaryIO,
    name: str,
    weekly: bool = False,
    file_date: dt.date | None = None,
    progress: Progress | None = None,
) -> RegistryFile:
    """Load `stream` (a published file opened in binary mode) as a monthly replacement or a weekly update.

    Refuses (RegistryFileRefused, nothing changed, no RegistryFile row) a file without a date, an empty file, a
    wrong header, a weekly file before any monthly one or older than it, and a weekly-looking file as a monthly
    one. Any failure after that (no valid rows, a database error, Ctrl-C) marks the row failed, with why, and
    leaves the registry as it was.
    """
    kind = RegistryFile.Kind.WEEKLY if weekly else RegistryFile.Kind.MONTHLY
    file_date = file_date or _date_from_name(name, kind)
    with _one_load_at_a_time():
        _check_order(kind, file_date)
        reader = RegistryReader(stream)
        RegistryFile.objects.filter(status=RegistryFile.Status.LOADING).update(
            status=RegistryFile.Status.FAILED, error="Interrupted: the load stopped before it finished."
        )
        record = RegistryFile.objects.create(kind=kind, name=name[:255], file_date=file_date)
        rows = _with_progress(reader, progress)
        try:
            if weekly:
                _upsert(rows, reader, record)
            elif connection.vendor == "postgresql":
                _copy_and_swap(rows, reader, record)
            else:
                _replace(rows, reader, record)
        except BaseException as error:  # Ctrl-C too: the row must not stay "loading"
            _failed(record, reader, error)
            raise
    return record


def _date_from_name(name: str, kind: str) -> dt.date:
    dates = dates_in_name(name)
    if dates is None:
        raise RegistryFileRefused(
            f"The file's date is not in its name ({name}): give it with --file-date YYYY-MM-DD. Nothing was changed."
        )
    first, last = dates
    if kind == RegistryFile.Kind.MONTHLY and (last - first).days < FULL_FILE_MIN_DAYS:
        raise RegistryFileRefused(
            f"{name} covers only {first:%Y-%m-%d} to {last:%Y-%m-%d}: it looks like a weekly update. Load it with "
            "--weekly (a monthly load would replace the whole registry with it). Nothing was changed."
        )
    return last


def _check_order(kind: str, file_date: dt.date) -> None:
    if kind != RegistryFile.Kind.WEEKLY:
        return
    monthly = (
        RegistryFile.objects.filter(kind=RegistryFile.Kind.MONTHLY, status=RegistryFile.Status.LOADED)
        .order_by("-file_date")
        .first()
    )
    if monthly is None:
        raise RegistryFileRefused(
            "A weekly file updates a loaded registry, and no monthly file has been loaded yet: load the monthly "
            "file (npidata_pfile_20050523-<date>.csv) first. Nothing was changed."
        )
    if file_date < monthly.file_date:
        raise RegistryFileRefused(
            f"This weekly file (of {file_date:%Y-%m-%d}) is older than the monthly file of "
            f"{monthly.file_date:%Y-%m-%d} already loaded: applying it would undo newer changes. Nothing was changed."
        )


@contextmanager
def _one_load_at_a_time() -> Iterator[None]:
    """A PostgreSQL advisory lock held for the load (SQLite serializes writers by itself)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RegistryFileRefused("Another registry load is running: wait for it to finish.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _with_progress(reader: RegistryReader, progress: Progress | None) -> Iterable[tuple]:
    if progress is None:
        yield from reader
        return
    for count, values in enumerate(reader, 1):
        if count % PROGRESS_EVERY == 0:
            progress(count, reader.bytes_read)
        yield values
    progress(reader.rows, reader.bytes_read)


def _copy_and_swap(rows: Iterable[tuple], reader: RegistryReader, record: RegistryFile) -> None:
    columns = ", ".join(RegistryEntry._meta.get_field(f).column for f in FIELDS)
    # Each statement commits on its own (no transaction open for minutes); inside a caller's transaction (a test,
    # seed_demo) a savepoint stands in, so a failure leaves that transaction usable.
    step = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with step, connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {LOAD_TABLE}")  # left behind by a killed process
            cursor.execute(
                f"CREATE TABLE {LOAD_TABLE} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)"
            )
            with cursor.copy(f"COPY {LOAD_TABLE} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            _require_rows(reader)
            renames = _index_like_the_live_table(cursor)
            cursor.execute(f"ANALYZE {LOAD_TABLE}")
        with transaction.atomic(), connection.cursor() as cursor:
            # The swap: the only moment lookups wait (for the DROP's lock), a few milliseconds.
            cursor.execute("SET LOCAL lock_timeout = '30s'")
            cursor.execute(f"DROP TABLE {TABLE}")
            cursor.execute(f"ALTER TABLE {LOAD_TABLE} RENAME TO {TABLE}")
            for statement in renames:
                cursor.execute(statement)
            _loaded(record, reader)
    except BaseException:
        with suppress(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {LOAD_TABLE}")  # if this fails too, the next load drops it
        raise


def _index_like_the_live_table(cursor) -> list[str]:
    """Build the live table's indexes and keys on the new one, under temporary names; return the renames that
    give them the live names after the swap (migrations find indexes by name)."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), c.contype FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = %s::regclass",
        [TABLE],
    )
    renames = []
    for name, definition, constraint in cursor.fetchall():
        temporary = f"{name[:50]}_load"
        statement = re.sub(
            rf"INDEX {re.escape(name)} ON (\S+\.)?{TABLE} ", f"INDEX {temporary} ON {LOAD_TABLE} ", definition, count=1
        )
        cursor.execute(statement)
        if constraint in ("p", "u"):
            key = "PRIMARY KEY" if constraint == "p" else "UNIQUE"
            cursor.execute(f"ALTER TABLE {LOAD_TABLE} ADD CONSTRAINT {temporary} {key} USING INDEX {temporary}")
            renames.append(f"ALTER TABLE {TABLE} RENAME CONSTRAINT {temporary} TO {name}")
        else:
            renames.append(f"ALTER INDEX {temporary} RENAME TO {name}")
    return renames


def _replace(rows: Iterable[tuple], reader: RegistryReader, record: RegistryFile) -> None:
    """The ORM's monthly load (SQLite): readers see the previous rows until the transaction commits."""
    with transaction.atomic():
        RegistryEntry.objects.all().delete()
        for batch in _batches(rows):
            RegistryEntry.objects.bulk_create(batch)
        _require_rows(reader)
        _loaded(record, reader)


def _upsert(rows: Iterable[tuple], reader: RegistryReader, record: RegistryFile) -> None:
    """A weekly file: INSERT ... ON CONFLICT (npi) DO UPDATE, in one transaction."""
    upsert = {"update_conflicts": True, "unique_fields": ["npi"], "update_fields": [f for f in FIELDS if f != "npi"]}
    with transaction.atomic():
        for batch in _batches(rows):
            RegistryEntry.objects.bulk_create(batch, **upsert)
        _loaded(record, reader)


def _batches(rows: Iterable[tuple]) -> Iterable[list[RegistryEntry]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield [RegistryEntry(**dict(zip(FIELDS, values, strict=True))) for values in batch]


def _require_rows(reader: RegistryReader) -> None:
    if reader.rows == 0:
        raise RegistryFileRefused(
            "The file has a header but no valid rows (is it the _fileheader.csv?): the registry was left as it was."
        )


def _loaded(record: RegistryFile, reader: RegistryReader) -> None:
    record.status = RegistryFile.Status.LOADED
    record.rows, record.bad_rows, record.bad_lines = reader.rows, reader.bad, reader.bad_lines
    record.finished_at = timezone.now()
    record.save()


def _failed(record: RegistryFile, reader: RegistryReader, error: BaseException) -> None:
    why = "Interrupted (Ctrl-C)." if isinstance(error, KeyboardInterrupt) else f"{type(error).__name__}: {error}"
    RegistryFile.objects.filter(pk=record.pk).update(
        status=RegistryFile.Status.FAILED,
        rows=reader.rows,
        bad_rows=reader.bad,
        bad_lines=reader.bad_lines,
        error=why[:2000],
        finished_at=timezone.now(),
    )
    record.refresh_from_db()
