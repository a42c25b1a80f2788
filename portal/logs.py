"""Structured logging: one JSON object per line, tagged with the request id (or Celery task id) in progress.

Never log form data: TINs, passwords and tokens only ever travel in request bodies or in URL kwargs that
`redacted_path` masks.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

# The id of the web request or Celery task this thread is working on ("" outside both).
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# URL kwargs that carry secrets (allauth's password-reset and email-confirmation keys).
SECRET_URL_KWARGS = frozenset({"key", "token", "uidb36", "uidb64"})

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"ts":…, "level":…, "logger":…, "msg":…, "request_id":…, **extra}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        if request_id:
            payload["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in payload and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, separators=(",", ":"))


def redacted_path(path: str, kwargs: dict) -> str:
    """The request path cut at its first secret URL kwarg: /accounts/password/reset/key/***."""
    positions = [path.find(str(value)) for name, value in kwargs.items() if name in SECRET_URL_KWARGS and value]
    positions = [p for p in positions if p >= 0]
    return path[: min(positions)] + "***" if positions else path


def bind_celery_task_ids() -> None:
    """Tag worker log lines with the running task's id (the task's own arguments are ids, never PII)."""
    from celery.signals import task_postrun, task_prerun

    tokens: dict[str, contextvars.Token] = {}

    @task_prerun.connect(weak=False)
    def _bind(task_id=None, **_):
        tokens[task_id] = request_id_var.set(f"task:{task_id}")

    @task_postrun.connect(weak=False)
    def _unbind(task_id=None, **_):
        token = tokens.pop(task_id, None)
        if token is not None:
            request_id_var.reset(token)


# Connected at import: Django's LOGGING imports this module in every process (web and Celery worker alike).
bind_celery_task_ids()
