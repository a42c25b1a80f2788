"""Helpers shared by the GPRO group and letter tests (no tests here): a complete group, PDF text."""

from __future__ import annotations

import io

from django.core.management import call_command

from exemptions import models
from exemptions.identifiers import npi_check_digit


def npi(number: int) -> str:
    """A valid NPI: 1 + eight digits + check digit."""
    base = f"1{number:08d}"
    return base + npi_check_digit(base)


def practice_year() -> models.AdjustmentYear:
    call_command("seed_demo", verbosity=0)
    return models.AdjustmentYear.objects.get(is_practice=True)


def complete_group(*, owner, year=None, eps: int = 2, names=None, **overrides) -> models.ExemptionRequest:
    """A GPRO draft that passes every check, in the practice year (letter window open now) unless told otherwise."""
    year = year or practice_year()
    fields = {
        "owner": owner,
        "year": year,
        "kind": models.ExemptionRequest.Kind.GROUP,
        "group_name": "Chesapeake Family Medicine Associates, P.A.",
        "tin": "123456789",
        "gpro_option": "I",
        "gpro_program_year": 2011,
        "contact_name": "Maria Gonzalez",
        "contact_title": "Practice Administrator",
        "contact_phone": "410-555-0100",
        "contact_email": "maria@example.org",
        "address_line1": "1200 Harbor View Drive, Suite 300",
        "city": "Towson",
        "state": "MD",
        "zip_code": "21204",
        "justification": "Our practice is in a rural area without sufficient high-speed internet access.",
        "attested": True,
        **overrides,
    }
    group = models.ExemptionRequest.objects.create(**fields)
    category = models.HardshipCategory.objects.get(code="rural-internet")
    models.YearCategory.objects.get_or_create(year=year, category=category)
    group.categories.add(category)
    add_eps(group, eps, names=names)
    return group


def add_eps(group, count: int, *, names=None, start: int = 0) -> None:
    models.AffectedEP.objects.bulk_create(
        [
            models.AffectedEP(
                request=group,
                position=start + i,
                npi=npi(start + i + 1),
                name=(names[i % len(names)] if names else f"Doctor Number {start + i + 1}"),
                address_line1=f"{start + i + 1} Main Street",
                city="Towson",
                state="MD",
                zip_code="21204",
                email=f"ep{start + i + 1}@example.org",
            )
            for i in range(count)
        ]
    )
    models.ExemptionRequest.objects.filter(pk=group.pk).update(
        ep_count=group.affected_eps.count(), display_name=group.group_name
    )
    group.refresh_from_db()


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def stored_pdf(letter) -> bytes:
    with letter.file.open("rb") as handle:
        return handle.read()


def generate(group, actor, at=None):
    """letter_generate, then run what it queued on commit (eager Celery renders large letters right here)."""
    from django.test import TestCase
    from django.utils import timezone

    from exemptions.services.groups import letter_generate

    with TestCase.captureOnCommitCallbacks(execute=True):
        letter = letter_generate(exemption=group, actor=actor, at=at or timezone.now())
    letter.refresh_from_db()
    group.refresh_from_db()
    return letter


def build_batch(groups, actor, **options):
    """print_batch_create, then run what it queued on commit (the build, here or by eager Celery)."""
    from django.test import TestCase

    from exemptions.services.groups import print_batch_create

    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = print_batch_create(exemptions=groups, actor=actor, **options)
    batch.refresh_from_db()
    return batch
