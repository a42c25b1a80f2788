"""One CSV writer for every CSV the portal produces, and the importer's way back.

Names, messages and addresses are typed by the public and by staff. A cell that starts with = + - @, a tab
or a carriage return is run as a formula by spreadsheet programs (OWASP "CSV injection"), so such a cell is
written with a leading apostrophe, which spreadsheets read as "this is text" and do not show. The importer
removes exactly that apostrophe, so exporting a list and importing it back keeps "-Dash Name" as it was. A
value that itself starts with an apostrophe before such a character gets one more, so the round trip is
exact for every text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def defuse(value: Any) -> str:
    """The cell as text, marked as text if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return TEXT_MARK + text if _formula_like(text) else text


def undefuse(text: str) -> str:
    """A cell as `defuse` wrote it, back to the value (other cells are returned as they are)."""
    return text[1:] if text.startswith(TEXT_MARK) and _formula_like(text) else text


def _formula_like(text: str) -> bool:
    """A formula start, behind any apostrophes (so "'=x", a value of its own, is marked again)."""
    return text.lstrip(TEXT_MARK)[:1] in FORMULA_STARTS


class SafeWriter:
    """csv.writer with CRLF line ends (RFC 4180, what Excel writes) whose every cell goes through `defuse`."""

    def __init__(self, out) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([defuse(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
