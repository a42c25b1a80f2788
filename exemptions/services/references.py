from django.db import transaction
from django.db.models import F

from ..models import ReferenceCounter


@transaction.atomic
def reference_issue(*, year: int, prefix: str = "HX") -> str:
    """Next reference for `year` in the series `prefix`, e.g. HX-2013-000042 or IR-2014-000001. Numbers are never
    reused; each prefix counts on its own.

    The counter row is locked for the caller's transaction, so concurrent submissions get distinct numbers.
    """
    ReferenceCounter.objects.get_or_create(series=prefix, year=year)
    ReferenceCounter.objects.filter(series=prefix, year=year).update(last_number=F("last_number") + 1)
    number = ReferenceCounter.objects.select_for_update().get(series=prefix, year=year).last_number
    return f"{prefix}-{year}-{number:06d}"
