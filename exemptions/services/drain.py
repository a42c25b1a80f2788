"""Publish again the work a broker outage kept from the workers (beat runs this every minute).

Every queued job has a row that says it is waiting (an email pending; a letter, batch, receipt or bundle
preparing) and when it was last handed to the broker; a row never handed over, or handed over long ago and still
waiting, is published again. The jobs claim their rows before acting, so a second publish never does the work twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .groups import BATCH_BUILDS, LETTER_RENDERS
from .outbox import outbox_drain
from .stored_files import STORED_FILE_BUILDS


def publish_lost_work(*, at: dt.datetime | None = None) -> dict[str, int]:
    at = at or timezone.now()
    return {
        **outbox_drain(at=at),
        "letters": LETTER_RENDERS.republish(at=at),
        "print_batches": BATCH_BUILDS.republish(at=at),
        "stored_files": STORED_FILE_BUILDS.republish(at=at),
    }
