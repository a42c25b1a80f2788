from django.db import transaction
from django.db.models import F

from ..models import ReferenceCounter


@transaction.atomic
def reference_issue(*, year: int, prefix: str = "HX") -> str:
    """Next reference for `year`, e.g. HX-2013-000042. Numbers are never reused.

    The counter row is locked for the caller's transaction, so concurrent submissions get distinct numbers.
    """
    ReferenceCounter.objects.get_or_create(year=year)
    ReferenceCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
    number = ReferenceCounter.objects.select_for_update().get(year=year).last_number
    return f"{prefix}-{year}-{number:06d}"
