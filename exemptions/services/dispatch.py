"""Services hand work to Celery tasks by the task's registered name, after the transaction commits.

Tasks sit above services (a task loads a row by id and calls a service), so a service never imports a task: it
names it. `exemptions.apps` imports the task modules at start-up, so every process knows every name.

A publish never fails the user's request: if the broker is down or hung, the caller's row keeps the work (an
outbox email stays pending, a letter stays "preparing" with no `published_at`) and the periodic drain
(`exemptions.drain`) publishes it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)


def task_publish(task_name: str, *args, countdown: float | None = None) -> bool:
    """Hand one task to the broker now. False (and a log line) when the broker refused or hung.

    A name no task is registered under raises KeyError: that is a bug to see at once, not an outage to retry.
    """
    task = current_app.tasks[task_name]
    try:
        task.apply_async(args, countdown=countdown)
    except Exception as exc:  # broker down, hung (socket timeout), misconfigured: the caller's row keeps the work
        log.warning("could not publish %s%s: %s", task_name, args, exc)
        return False
    return True


def task_run_here(task_name: str, *args) -> None:
    """Run a task's body in this process (small jobs a person waits for, e.g. a one-page letter)."""
    current_app.tasks[task_name].apply(args, throw=False)


def task_dispatch_on_commit(
    task_name: str, *args, run_here: bool = False, on_published: Callable[[], object] | None = None
) -> None:
    """After the caller's transaction commits: publish `task_name(*args)` (or run it here when `run_here`).

    `on_published` runs only after a successful publish: callers record it (e.g. `published_at`) so the drain
    can tell a lost publish from one still waiting for a worker.
    """

    def dispatch() -> None:
        if run_here:
            task_run_here(task_name, *args)
        elif task_publish(task_name, *args) and on_published is not None:
            on_published()

    transaction.on_commit(dispatch)
