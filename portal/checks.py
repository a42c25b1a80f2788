"""System checks for a portal served by several hosts (PORTAL_MULTI_HOST=1 with DEBUG=False).

Every web and worker process must be interchangeable: a login counted, a code used or a file written on one
host must be seen by the next. Sessions and django-axes' lockouts are in the database; these checks catch the
two settings that would keep state on one host: the cache and the file storage. One warning line each
(`manage.py check`, also printed by `migrate` when a deployment starts).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Cache backends whose entries one process (locmem) or one host's disk (file) keeps; dummy keeps nothing.
PER_HOST_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
}
LOCAL_STORAGES = {
    "django.core.files.storage.FileSystemStorage",
    "django.core.files.storage.filesystem.FileSystemStorage",
}


def _several_hosts_in_production() -> bool:
    return not settings.DEBUG and settings.PORTAL_MULTI_HOST


@register(Tags.caches)
def cache_is_shared(app_configs=None, **kwargs) -> list[Warning]:
    backend = settings.CACHES["default"]["BACKEND"]
    if not _several_hosts_in_production() or backend not in PER_HOST_CACHES:
        return []
    kind = backend.rsplit(".", 1)[-1]
    return [
        Warning(
            f"PORTAL_MULTI_HOST=1 but the cache is per process ({kind}): login rate limits and used second-factor "
            "codes are not shared between hosts; set CACHE_URL=redis://<host>:6379/1.",
            id="portal.W001",
        )
    ]


@register(Tags.files)
def files_are_shared(app_configs=None, **kwargs) -> list[Warning]:
    backend = settings.STORAGES["default"]["BACKEND"]
    if not _several_hosts_in_production() or settings.STORAGE_URL or backend not in LOCAL_STORAGES:
        return []
    return [
        Warning(
            f"PORTAL_MULTI_HOST=1 but files are on this host's disk (MEDIA_ROOT={settings.MEDIA_ROOT}): a letter "
            "or document written on one host is missing on the others; set STORAGE_URL to an S3-compatible bucket.",
            id="portal.W002",
        )
    ]
