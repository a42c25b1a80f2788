"""The outbox key of a reminder: ``reminder:<kind>:<subject>:<scope>:<offset>:<deadline epoch>``.

The key is the claim: the outbox's unique constraint lets one row exist per key, so a repeated sweep, a second beat
or two sweeps at once insert nothing new. The deadline is part of the key: when staff move a window's close the
schedule starts over for the new deadline, and a reminder queued for the old one is suppressed at delivery.

Python reads and writes keys through `ReminderKey`; the claim query has the database write the same text for
thousands of rows at once (`ReminderKey.sql`), from the same parts in the same order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat

from .models import OutboundEmail

K = OutboundEmail.Kind
PREFIX = "reminder"
SEPARATOR = ":"
NAMES = {
    K.REMINDER_DRAFT: "draft",
    K.REMINDER_LETTER: "letter",
    K.REMINDER_INFO: "info",
    K.WINDOW_OPENING: "opening",
}
KINDS = {name: kind for kind, name in NAMES.items()}
REMINDER_KINDS = list(NAMES)

Part = int | Combinable  # a number, or (for `sql`) a column the database fills in row by row


@dataclass(frozen=True)
class ReminderKey:
    kind: str  # an OutboundEmail.Kind in NAMES
    subject_id: int  # the exemption request (the user, for a window-opening notice)
    scope_id: int  # the window (the question, for an information reminder)
    offset: int  # minutes before the deadline (0 for a window-opening notice)
    deadline: int  # epoch seconds of the deadline (of the opening, for a window-opening notice)

    @classmethod
    def of(cls, *, kind: str, subject_id: int, scope_id: int, offset: int, deadline: dt.datetime) -> ReminderKey:
        return cls(kind, subject_id, scope_id, offset, epoch(deadline))

    @property
    def text(self) -> str:
        parts = _parts(self.kind, self.subject_id, self.scope_id, self.offset, self.deadline)
        return SEPARATOR.join(str(p) for p in parts)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str) -> ReminderKey:
        """The key a text names; ValueError for anything else (another kind of outbox key, a mangled one)."""
        prefix, name, *numbers = text.split(SEPARATOR)
        if prefix != PREFIX or name not in KINDS or len(numbers) != 4:
            raise ValueError(f"not a reminder key: {text!r}")
        subject_id, scope_id, offset, deadline = (int(n) for n in numbers)
        return cls(KINDS[name], subject_id, scope_id, offset, deadline)

    @staticmethod
    def sql(*, kind: str, subject: Part, scope: Part, offset: int, deadline: dt.datetime) -> Concat | Value:
        """The key as a database expression: `subject` and `scope` may be columns (F("pk"), OuterRef(...))."""
        pieces: list = []
        text = ""
        for index, part in enumerate(_parts(kind, subject, scope, offset, epoch(deadline))):
            text += SEPARATOR if index else ""
            if isinstance(part, Combinable):
                pieces += [Value(text), Cast(part, CharField())]
                text = ""
            else:
                text += str(part)
        if not pieces:
            return Value(text, output_field=CharField())
        return Concat(*pieces, Value(text), output_field=CharField())


def _parts(kind: str, subject: Part, scope: Part, offset: int, deadline: int) -> list:
    """The one order of the parts, for the Python text and the SQL expression alike."""
    return [PREFIX, NAMES[kind], subject, scope, offset, deadline]


def epoch(instant: dt.datetime) -> int:
    return int(instant.timestamp())
