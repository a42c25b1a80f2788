"""Where private files live: the local disk (MEDIA_ROOT, the embedded default) or an S3-compatible bucket.

Set one of:

    STORAGE_URL=s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX]?region=REGION    (HTTPS endpoint)
    STORAGE_URL=s3+http://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET?region=REGION         (plain HTTP: loopback, a
                                                                                       private network)
    AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME
                                                                                       (django-storages' names)

Keys in the URL are percent-encoded (a secret key may hold "/" or "+"). Without keys, boto3's own chain is used
(an instance role, AWS_ACCESS_KEY_ID in the environment). Every object is private: no ACL is sent (the bucket's
own policy, private, applies), names are never overwritten, and the portal never hands out a bucket URL -
downloads stream through its permission-checked views.

A value that cannot work (no bucket, a key without its secret) stops start-up here, at import of the settings.
Credentials the bucket refuses are found by `storage_credentials_check`, a system check that every management
command runs first (the one-shot `migrate` job in docker-compose.yml, `check`): it stops with one line
("Configuration error: ...") through manage.py. A bucket that does not answer is only a warning there - an
outage must not block a deploy - and shows up where the bucket is used (a refused upload, an error page on
download, a render retried by the drain).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
# A web worker waits this long for the bucket before the upload is refused (it must never hang a request).
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 20.0


def default_storage_config(environ: Mapping[str, str] = os.environ) -> dict:
    """STORAGES["default"]: the filesystem unless STORAGE_URL or AWS_STORAGE_BUCKET_NAME is set."""
    url = environ.get("STORAGE_URL", "").strip()
    if url:
        options = _from_url(url)
    elif environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        options = _from_aws_variables(environ)
    else:
        return {"BACKEND": FILESYSTEM_BACKEND}
    timeouts = (
        _float(environ, "STORAGE_CONNECT_TIMEOUT", CONNECT_TIMEOUT),
        _float(environ, "STORAGE_READ_TIMEOUT", READ_TIMEOUT),
    )
    return {"BACKEND": S3_BACKEND, "OPTIONS": {**options, **_private(options, *timeouts)}}


def _from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("s3", "s3+http", "s3+https"):
        raise ImproperlyConfigured(f"STORAGE_URL must start with s3:// or s3+http://, not {parts.scheme or '?'}://.")
    bucket, _, prefix = parts.path.strip("/").partition("/")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_URL names no bucket: s3://KEY:SECRET@HOST[:PORT]/BUCKET?region=REGION.")
    try:
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"STORAGE_URL has a bad host or port: {exc}") from None
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    scheme = "http" if parts.scheme == "s3+http" else "https"
    access_key, secret_key = unquote(parts.username or ""), unquote(parts.password or "")
    return {
        "bucket_name": bucket,
        "location": prefix,
        "endpoint_url": f"{scheme}://{host}{f':{port}' if port else ''}" if host else None,
        "region_name": query.get("region") or None,
        **_keys("STORAGE_URL", access_key, secret_key),
    }


def _from_aws_variables(environ: Mapping[str, str]) -> dict:
    return {
        "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"].strip(),
        "location": environ.get("AWS_LOCATION", "").strip("/"),
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": environ.get("AWS_S3_REGION_NAME", "").strip() or None,
        **_keys("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", environ.get("AWS_ACCESS_KEY_ID", ""),
                environ.get("AWS_SECRET_ACCESS_KEY", "")),
    }  # fmt: skip


def _keys(where: str, access_key: str, secret_key: str) -> dict:
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(f"{where}: give both the access key and the secret key, or neither.")
    return {"access_key": access_key or None, "secret_key": secret_key or None}


def _private(options: dict, connect_timeout: float, read_timeout: float) -> dict:
    from botocore.config import Config  # only a process configured for a bucket loads boto

    # Path-style addressing for a custom endpoint (MinIO, the test server: one host, buckets in the path).
    addressing = "path" if options.get("endpoint_url") else "auto"
    return {
        "default_acl": None,  # no object is ever made public: the bucket's own (private) policy applies
        "querystring_auth": True,  # any URL the backend builds is signed and short-lived, never public
        "querystring_expire": 300,
        "file_overwrite": False,  # names are unique and written once; a clash gets a new name, never a replace
        "client_config": Config(
            s3={"addressing_style": addressing},
            signature_version="s3v4",
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    }


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {raw!r}.") from None


def uses_bucket() -> bool:
    return settings.STORAGES["default"]["BACKEND"] == S3_BACKEND


REFUSED_CREDENTIALS = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"}


@checks.register("storage")
def storage_credentials_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Ask the configured bucket once (HEAD bucket). Refused credentials or no such bucket: ImproperlyConfigured
    (manage.py prints it as one line and stops); no answer: a warning (an outage must not block a deploy)."""
    if not uses_bucket():
        return []
    from botocore.exceptions import BotoCoreError, ClientError
    from django.core.files.storage import storages

    storage = storages["default"]
    where = f"bucket {storage.bucket_name!r} at {storage.endpoint_url or 'AWS S3'}"
    try:
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in REFUSED_CREDENTIALS:
            raise ImproperlyConfigured(f"file storage: the {where} refused the credentials ({code}).") from None
        if code in ("404", "NoSuchBucket"):
            raise ImproperlyConfigured(f"file storage: there is no {where}.") from None
        raise ImproperlyConfigured(f"file storage: the {where} answered {code}.") from None
    except BotoCoreError as exc:
        return [checks.Warning(f"file storage: the {where} did not answer ({exc}).", id="portal.W010")]
    return []
