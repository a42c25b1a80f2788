"""Re-check submitted requests against the NPI registry, e.g. after a new monthly file is loaded.

    manage.py registry_recheck                 # every submitted request
    manage.py registry_recheck --year 2013     # one adjustment year's

Rewrites each request's registry summary (the staff list's "NPI registry" column and filter). Safe to stop and run
again: each batch commits on its own.
"""

from django.core.management.base import BaseCommand

from ...models import ExemptionRequest
from ...services.registry_checks import RecheckResult, request_bulk_check_registry

BATCH = 10_000


class Command(BaseCommand):
    help = "Re-check submitted requests' EPs against the NPI registry and update the staff list's summary."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only requests of this adjustment year (e.g. 2013)")

    def handle(self, *args, year=None, **options):
        requests = ExemptionRequest.objects.filter(submitted_at__isnull=False)
        if year:
            requests = requests.filter(year__year=year)
        total = RecheckResult()
        last = 0
        while ids := list(requests.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]):
            done = request_bulk_check_registry(exemption_ids=ids)
            total = RecheckResult(
                checked=total.checked + done.checked,
                warnings=total.warnings + done.warnings,
                not_checked=total.not_checked + done.not_checked,
            )
            last = ids[-1]
            self.stderr.write(f"{total.checked + total.not_checked:,} requests re-checked…")
        self.stdout.write(total.summary())
