"""`id__in=[...]` on an integer column that leaves out values no integer column can match.

Forms and admin widgets filter `pk__in` the values exactly as posted: a ModelMultipleChoiceField (categories,
an admin's groups or permissions) and the admin's autocomplete widget, which re-renders a refused form with
`filter(pk__in=["2099.0"])`. Django turns an out-of-range `exact` into "no match" (IntegerFieldOverflow) but
not `in`: "99999999999999999999" makes SQLite raise OverflowError and "2099.0" raises ValueError, each a 500.
Such a value matches no row anywhere, so it is dropped, and the form reports an invalid choice as for any
unknown id.
"""

from __future__ import annotations

import re

from django.db.models import IntegerField
from django.db.models.lookups import In

INTEGER = re.compile(r"\s*[-+]?[0-9]+\s*")


@IntegerField.register_lookup
class IntegerIn(In):
    def get_prep_lookup(self):
        if self.rhs_is_direct_value():
            self.rhs = [value for value in self.rhs if not (isinstance(value, str) and not _is_integer(value))]
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_ranges.get(internal_type, (None, None))
            self.rhs = [value for value in self.rhs if not _outside(value, low, high)]
        return super().process_rhs(compiler, connection)


def _is_integer(text: str) -> bool:
    """What int() accepts from a form: optional sign and spaces around ASCII digits (no "2099.0", no "١٢")."""
    return INTEGER.fullmatch(text) is not None


def _outside(value, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int):
        return False
    return (low is not None and value < low) or (high is not None and value > high)
