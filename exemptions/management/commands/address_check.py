"""List stored addresses whose State is not a USPS code or whose ZIP code is not 5 or 9 digits. Changes nothing.

Before State became a list, a typed "Maryland" was saved as "MA": such a row looks valid and cannot be found by a
check; a row saved as "Ma" or "XX" can. Staff read the list and correct each row with its owner.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from ...addresses import state_codes, zip_code
from ...models import AffectedEP, ExemptionRequest


def _zip_invalid(value: str) -> bool:
    try:
        return zip_code(value) != value
    except ValidationError:
        return True


def address_problems() -> list[str]:
    """One line per stored address with a State that is not a code or a ZIP code that is not well formed."""
    codes = state_codes()
    lines = []
    requests = ExemptionRequest.objects.exclude(state="", zip_code="").only("pk", "reference", "state", "zip_code")
    for exemption in requests.order_by("pk").iterator():
        lines += _line(f"Request {exemption} (id {exemption.pk})", exemption.state, exemption.zip_code, codes)
    eps = AffectedEP.objects.exclude(state="", zip_code="").select_related("request")
    for ep in eps.only("pk", "npi", "state", "zip_code", "request__reference").order_by("pk").iterator():
        lines += _line(
            f"EP NPI {ep.npi or '(none)'} on request {ep.request} (EP id {ep.pk})", ep.state, ep.zip_code, codes
        )
    return lines


def _line(where: str, state: str, zip_value: str, codes: frozenset[str]) -> list[str]:
    problems = []
    if state and state not in codes:
        problems.append(f"State “{state}” is not a US state, territory or military code")
    if zip_value and _zip_invalid(zip_value):
        problems.append(f"ZIP code “{zip_value}” is not 5 digits or ZIP+4")
    return [f"{where}: {'; '.join(problems)}."] if problems else []


class Command(BaseCommand):
    help = "List stored addresses with a State that is not a USPS code or a malformed ZIP code (changes nothing)."

    def handle(self, *args, **options):
        lines = address_problems()
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"{len(lines):,} address(es) to correct. Nothing was changed.")
