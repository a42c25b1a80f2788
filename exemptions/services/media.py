"""Files under MEDIA_ROOT that no row references: found, listed with their sizes, and removed.

Every FileField of every installed model counts as a reference (supporting documents, letter versions, print
batches, and any file field added later). Files younger than ORPHAN_GRACE are never touched: an upload or a render
writes its file a moment before the row that names it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models

log = logging.getLogger(__name__)

ORPHAN_GRACE = dt.timedelta(hours=1)
BATCH = 500  # names looked up per query


@dataclass(frozen=True)
class StoredFile:
    name: str  # relative to MEDIA_ROOT, as a FileField stores it
    size: int
    modified: dt.datetime


def media_orphans(
    *, at: dt.datetime, grace: dt.timedelta = ORPHAN_GRACE, storage: Storage = default_storage
) -> Iterator[StoredFile]:
    """Yield every file in `storage` last modified before `at - grace` that no FileField of any row names."""
    batch: list[StoredFile] = []
    for stored in _files(storage, at - grace):
        batch.append(stored)
        if len(batch) == BATCH:
            yield from _unreferenced(batch)
            batch = []
    yield from _unreferenced(batch)


def media_orphans_remove(
    *, at: dt.datetime, grace: dt.timedelta = ORPHAN_GRACE, storage: Storage = default_storage
) -> dict[str, int]:
    """Delete the files `media_orphans` finds. Safe to run twice (a file already gone is skipped).

    Returns {"removed": files, "bytes": their total size}.
    """
    removed = size = 0
    for orphan in media_orphans(at=at, grace=grace, storage=storage):
        storage.delete(orphan.name)
        removed += 1
        size += orphan.size
    if removed:
        log.info("removed %d orphaned media files (%d bytes)", removed, size)
    return {"removed": removed, "bytes": size}


def _files(storage: Storage, older_than: dt.datetime, folder: str = "") -> Iterator[StoredFile]:
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:  # no MEDIA_ROOT yet
        return
    for name in sorted(names):
        path = f"{folder}/{name}" if folder else name
        try:
            modified = storage.get_modified_time(path)
            size = storage.size(path)
        except FileNotFoundError:  # deleted meanwhile
            continue
        if modified < older_than:
            yield StoredFile(name=path, size=size, modified=modified)
    for sub in sorted(folders):
        yield from _files(storage, older_than, f"{folder}/{sub}" if folder else sub)


def _unreferenced(files: list[StoredFile]) -> list[StoredFile]:
    names = {stored.name for stored in files}
    referenced: set[str] = set()
    for model, field in file_fields():
        referenced.update(model._base_manager.filter(**{f"{field}__in": names}).values_list(field, flat=True))
    return [stored for stored in files if stored.name not in referenced]


def file_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field name) for every concrete FileField (ImageField included) of every installed model."""
    return [
        (model, field.name)
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
