"""What a year's eRx adjustment or incentive means in dollars, from the rates in the facts table.

The estimate is the rate times the Part B Physician Fee Schedule allowed charges the person types, rounded to the
cent. Sequestration (2%) reduces incentive payments for reporting periods ending on or after April 1, 2013; the
sources say nothing of it for the adjustment, so it is not applied there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .facts import (
    ADJUSTMENT_PERCENT,
    INCENTIVE_PERCENT,
    INCENTIVE_PERIOD_ENDS,
    SEQUESTRATION_FROM,
    SEQUESTRATION_PERCENT,
)

YEARS = sorted(set(ADJUSTMENT_PERCENT) | set(INCENTIVE_PERCENT))
# Far above any one TIN's yearly Part B PFS allowed charges: a larger number is a typing slip, not a practice.
MAX_CHARGES = Decimal("10000000000")
CENT = Decimal("0.01")
# Digits with optional thousands commas (1,000,000) and cents; an optional leading "$".
AMOUNT = re.compile(r"^\$?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{1,2}))?$", re.ASCII)  # "٥٠٠" is no amount


class AmountError(ValueError):
    """The typed amount is not a dollar amount this estimator takes; the message says what to type."""


def parse_amount(text: str | None) -> Decimal:
    """ "1,000,000.50" or "$2500" -> Decimal. Refuses, with a plain message, empty, negative, out-of-range amounts and
    shorthand such as "5k": a misread shorthand gives an estimate off by a factor of 1,000, worse than a retry."""
    value = (text or "").strip().replace(" ", "")
    if not value:
        raise AmountError("Type your Part B Physician Fee Schedule allowed charges in dollars, for example 100,000.")
    if value.lstrip("$").startswith("-"):
        raise AmountError("Allowed charges cannot be negative: type the amount without a minus sign.")
    match = AMOUNT.match(value)
    if not match:
        if re.search(r"\d[kKmMbB]$", value):
            raise AmountError(
                "Type the amount in full digits, for example 5000 or 5,000.00: shorthand such as “5k” is not accepted."
            )
        if re.match(r"^\$?[0-9,]+(\.[0-9]+)?$", value):
            if "." in value and len(value.rsplit(".", 1)[1]) > 2:
                raise AmountError("Use at most two digits after the decimal point (cents).")
            raise AmountError("Use commas only between groups of three digits, for example 1,000,000.50.")
        raise AmountError("Type the amount with digits only, for example 100000 or 100,000.00.")
    amount = Decimal(match["whole"].replace(",", "") + "." + (match["cents"] or "0"))
    if amount > MAX_CHARGES:
        raise AmountError(f"Out of range: this estimator takes amounts up to {dollars(MAX_CHARGES)}. Check the amount.")
    return amount


def dollars(value: Decimal) -> str:
    return f"${value:,.2f}"


def share(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Estimate:
    year: int
    charges: Decimal
    adjustment_percent: Decimal | None = None
    adjustment: Decimal | None = None
    incentive_percent: Decimal | None = None
    incentive: Decimal | None = None
    sequestration: Decimal | None = None  # taken from the incentive when its reporting period ends late enough

    @property
    def incentive_paid(self) -> Decimal | None:
        if self.incentive is None:
            return None
        return self.incentive - (self.sequestration or Decimal(0))


def estimate(*, year: int, charges: Decimal) -> Estimate:
    """The cut and/or the incentive for `year` on `charges`. ValueError for a year without either."""
    if year not in YEARS:
        raise ValueError(f"No eRx adjustment or incentive in {year}")
    fields: dict = {"year": year, "charges": charges}
    if year in ADJUSTMENT_PERCENT:
        percent = ADJUSTMENT_PERCENT[year].value
        fields.update(adjustment_percent=percent, adjustment=share(charges, percent))
    if year in INCENTIVE_PERCENT:
        percent = INCENTIVE_PERCENT[year].value
        incentive = share(charges, percent)
        fields.update(incentive_percent=percent, incentive=incentive)
        if INCENTIVE_PERIOD_ENDS[year] >= SEQUESTRATION_FROM.value:
            fields["sequestration"] = share(incentive, SEQUESTRATION_PERCENT.value)
    return Estimate(**fields)
