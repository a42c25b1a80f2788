"""An S3-compatible server on the loopback address for the storage tests, and the portal pointed at it.

The server is moto's (`moto[server]`, pinned in requirements-dev.txt, so CI needs nothing else): it speaks the S3
API over HTTP like MinIO or AWS, in a thread of the test process, started once per session on a free port. It
checks credentials like a real store: an IAM user with an access key is created first, then authentication is
switched on, so a wrong key is refused as AWS or MinIO would refuse it.

    bucket        the portal's STORAGES["default"] set to the bucket for one test (through STORAGE_URL's parser)
    s3_server     the server: its endpoint, the good keys, `url()` for a STORAGE_URL, `client()` to look inside
"""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import dataclass
from urllib.parse import quote

import boto3
import pytest

from portal.storage import default_storage_config

BUCKET = "portal-test"
REGION = "us-east-1"
ALLOW_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT
    access_key: str
    secret_key: str

    def url(self, *, access_key: str | None = None, secret_key: str | None = None, host: str | None = None) -> str:
        """A STORAGE_URL for the test bucket (other keys or another host:port to make it wrong)."""
        keys = f"{quote(access_key or self.access_key, safe='')}:{quote(secret_key or self.secret_key, safe='')}"
        return f"s3+http://{keys}@{host or self.endpoint.removeprefix('http://')}/{BUCKET}?region={REGION}"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def empty_bucket(self) -> None:
        client = self.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for entry in page.get("Contents", ()):
                client.delete_object(Bucket=BUCKET, Key=entry["Key"])


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    iam = boto3.client(
        "iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup", aws_secret_access_key="setup"
    )
    iam.create_user(UserName="portal")
    iam.put_user_policy(UserName="portal", PolicyName="bucket", PolicyDocument=json.dumps(ALLOW_S3))
    key = iam.create_access_key(UserName="portal")["AccessKey"]
    _require_keys(True)  # from now on every request must carry a known key, signed with its secret
    found = S3Server(endpoint=endpoint, access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    found.client().create_bucket(Bucket=BUCKET)
    yield found
    _require_keys(False)
    server.stop()


def _require_keys(required: bool) -> None:
    # The server runs in this process: switch its authentication as its /moto-api/reset-auth endpoint would.
    from moto import settings as moto_settings
    from moto.core.authorization import ActionAuthenticatorMixin

    moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0 if required else float("inf")
    ActionAuthenticatorMixin.request_count = 0


@pytest.fixture
def bucket(s3_server, settings):
    """The portal's private files go to the test bucket for this test (Django's setting_changed handler drops
    the cached storage objects, so the next file written or read uses the bucket)."""
    settings.STORAGES = {**settings.STORAGES, "default": storage_config(s3_server.url())}
    yield s3_server
    s3_server.empty_bucket()


def storage_config(url: str) -> dict:
    return default_storage_config({"STORAGE_URL": url, "STORAGE_CONNECT_TIMEOUT": "1", "STORAGE_READ_TIMEOUT": "5"})


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): a connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
