"""A US mailing address: the state (a USPS code) and the ZIP code, read from what a person typed.

The codes are django-localflavor's: the 50 states, DC, the territories (AS, GU, MP, PR, VI) and the military
codes (AA, AE, AP). A state may be typed as its code in any case or with periods ("md ", "M.D."), or as its name
("Maryland"), or as a common abbreviation ("Calif."), when that names one code; anything else is refused with a
message, never guessed from its first two letters (that is how "Maryland" used to become "MA").

ZIP: 5 digits or ZIP+4. Nine digits typed without the dash ("212441850") are stored as "21244-1850".
"""

from __future__ import annotations

import functools
import re

from django.core.exceptions import ValidationError
from localflavor.us.us_states import STATE_CHOICES, STATES_NORMALIZED

from .identifiers import normalized

STATE_INVALID = (
    "“{value}” is not a US state, territory or military code. Choose one from the list (e.g. MD for Maryland)."
)
ZIP_INVALID = "Enter a 5-digit ZIP code (21244) or ZIP+4 (21244-1850); “{value}” is neither."
_ZIP = re.compile(r"^([0-9]{5})(?:-?([0-9]{4}))?$")  # ASCII digits only: \d would take "١٢٣٤٥"


def state_choices() -> list[tuple[str, str]]:
    """(code, name) of every accepted code, by name: the State lists of every form."""
    return [(code, str(name)) for code, name in STATE_CHOICES]


@functools.cache  # the list never changes while the process runs; a CSV import reads it once per row
def state_codes() -> frozenset[str]:
    return frozenset(code for code, _name in STATE_CHOICES)


def _key(text: str) -> str:
    """'M.D.' -> 'md', ' New   York ' -> 'new york', 'Washington, D.C.' -> 'washington dc'."""
    return " ".join(re.sub(r"[.,]", "", text.lower()).split())


@functools.cache
def _lookup() -> dict[str, str]:
    codes = state_codes()
    table = {_key(k): v for k, v in STATES_NORMALIZED.items() if v in codes}
    for code, name in state_choices():
        table[_key(code)] = code
        table[_key(name)] = code
    table["washington dc"] = "DC"
    return table


def state_code(value: str | None) -> str:
    """The USPS code for what was typed; '' for nothing. Raises ValidationError (the portal's words) otherwise."""
    text = normalized(value)
    if not text:
        return ""
    code = _lookup().get(_key(text))
    if code is None:
        raise ValidationError(STATE_INVALID.format(value=text[:40]), code="state")
    return code


def zip_code(value: str | None) -> str:
    """'21244', '21244-1850' (also typed '212441850'); '' for nothing. Raises ValidationError otherwise."""
    text = normalized(value)
    if not text:
        return ""
    match = _ZIP.match(text)
    if match is None:
        raise ValidationError(ZIP_INVALID.format(value=text[:40]), code="zip_code")
    five, four = match.groups()
    return f"{five}-{four}" if four else five
