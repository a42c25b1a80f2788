"""NPI and TIN (and the digits of ZIP codes and phone numbers): validation, normalization and masking.

Everything typed is NFKC-normalized first, so fullwidth digits and dashes from an East Asian keyboard
("１２－3456789") become ASCII and the TIN is stored as "123456789", the form every search and extension
compares. After that only ASCII 0-9 count as digits: Python's `\\d` and `str.isdigit` also accept Arabic-Indic
and other digits, which NFKC leaves as they are; those are refused with the usual message.

NPI: 10 digits, first digit 1 or 2, Luhn check digit computed over "80840" + NPI.
TIN: 9 digits. Read as an EIN (12-3456789 or 123456789) whose prefix the IRS has issued;
a solo practitioner's SSN is entered in SSN form (123-45-6789). Stored as digits only.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import ein, ssn

NPI_PREFIX = "80840"  # ISO issuer prefix for US health identifiers; part of the NPI check digit.
_EIN_FORM = re.compile(r"^[0-9]{2}[- ]?[0-9]{7}$")
_SSN_FORM = re.compile(r"^[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}$")
NOT_DIGIT = re.compile(r"[^0-9]")


def normalized(value: str | None) -> str:
    """What was typed, NFKC-normalized (fullwidth "１２－" is "12-") and stripped."""
    return unicodedata.normalize("NFKC", value or "").strip()


def ascii_digits(value: str) -> bool:
    """True for a non-empty run of 0-9 only (str.isdigit would also take "١٢٣" or "²")."""
    return value.isascii() and value.isdigit()


def npi_check_digit(first_nine: str) -> str:
    return luhn.calc_check_digit(NPI_PREFIX + first_nine)


def npi_is_valid(value: str) -> bool:
    """True for a well-formed NPI (10 ASCII digits, starting 1 or 2, check digit right)."""
    try:
        validate_npi(value)
    except ValidationError:
        return False
    return True


def validate_npi(value: str) -> str:
    """Return the NPI as 10 digits, or raise ValidationError naming the rule that failed."""
    npi = normalized(value)
    if not ascii_digits(npi):
        raise ValidationError("NPI must contain digits only (10 digits, e.g. 1234567893).", code="npi_digits")
    if len(npi) != 10:
        raise ValidationError(f"NPI must be exactly 10 digits; this one has {len(npi)}.", code="npi_length")
    if npi[0] not in "12":
        raise ValidationError("NPI must start with 1 or 2.", code="npi_prefix")
    if not luhn.is_valid(NPI_PREFIX + npi):
        raise ValidationError(
            "This is not a valid NPI: its last digit (the check digit) does not match the other nine. "
            "Check it for a typo.",
            code="npi_check_digit",
        )
    return npi


def normalize_tin(value: str) -> str:
    """Return the TIN as 9 digits, or raise ValidationError naming the rule that failed."""
    raw = normalized(value)
    digits = NOT_DIGIT.sub("", raw)
    if re.search(r"[^0-9\- ]", raw):
        raise ValidationError("TIN may contain only digits and a dash (e.g. 12-3456789).", code="tin_characters")
    if len(digits) != 9:
        raise ValidationError(f"TIN must be exactly 9 digits; this one has {len(digits)}.", code="tin_length")
    if _SSN_FORM.match(raw):
        try:
            ssn.validate(digits)
        except StdnumError:
            raise ValidationError(
                "This TIN, entered as a Social Security number, is not one the SSA issues.", code="tin_ssn"
            ) from None
        return digits
    if not _EIN_FORM.match(raw):
        raise ValidationError(
            "TIN must be written as 12-3456789 or 123456789 (EIN), or 123-45-6789 (Social Security number).",
            code="tin_format",
        )
    try:
        ein.validate(digits)
    except StdnumError:
        raise ValidationError(
            f"TIN prefix {digits[:2]} is never issued for an EIN. Check the number; if it is a Social "
            "Security number, enter it as 123-45-6789.",
            code="tin_ein_prefix",
        ) from None
    return digits


def mask_tin(tin: str) -> str:
    """XX-XXX1234: the last four digits only."""
    digits = NOT_DIGIT.sub("", tin or "")
    if not digits:
        return ""
    return "XX-XXX" + digits[-4:]


def format_tin(tin: str) -> str:
    """12-3456789, for the places that need the full TIN (the form, the GPRO letter)."""
    digits = NOT_DIGIT.sub("", tin or "")
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 9 else digits
