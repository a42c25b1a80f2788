"""Add a clearly-labeled practice year whose online and letter windows are open now (idempotent).

The historical windows closed long ago; this lets a newcomer try the portal today. With --registry-sample (as
`make run` does) and no NPI registry loaded, a generated sample (200 made-up NPIs in the published layout, see
exemptions/registry_sample.py) is loaded through the same import as the real file, so typed NPIs get checked; a
loaded registry is never replaced.
With --staff, also create a demo staff account and print its password once (dev only).
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ...forms_groups import GROUP_ATTESTATION
from ...models import (
    AdjustmentYear,
    HardshipCategory,
    InformalReviewWindow,
    ReminderPolicy,
    SubmissionWindow,
    User,
    YearCategory,
)
from ...registry_sample import SAMPLE_DATE, SAMPLE_NAME, sample_file
from ...selectors.registry import registry_file
from ...services.registry import registry_load
from ...windows import ET, is_inside

PRACTICE_YEAR = 2099
PRACTICE_NOTE = "Practice year for trying the portal. It is not a CMS adjustment year; nothing filed here is real."
DEMO_STAFF_EMAIL = "staff@example.org"


class Command(BaseCommand):
    help = "Create or refresh the practice year (windows open now); optionally a demo staff account."

    def add_arguments(self, parser):
        parser.add_argument("--staff", action="store_true", help="Also create the demo staff account (DEBUG only).")
        parser.add_argument("--days", type=int, default=30, help="How many days the practice windows stay open.")
        parser.add_argument(
            "--registry-sample",
            action="store_true",
            help="Also load the generated NPI registry sample when no registry is loaded (make run does).",
        )

    @transaction.atomic
    def handle(self, *args, staff: bool = False, days: int = 30, **options):
        now = timezone.now()
        year, _ = AdjustmentYear.objects.update_or_create(
            year=PRACTICE_YEAR,
            defaults={
                "adjustment_percent": "1.00",
                "reporting_period": "Practice: any period",
                "notes": PRACTICE_NOTE,
                "is_practice": True,
                # Both channels, so either journey can be tried; the attestation is the delegate wording.
                "group_channel": "letter",
                "group_channel_note": "Practice year: groups try the mailed letter here.",
                "gpro_program_years": "2011",
                "filer": "delegate",
                "filer_source": "practice year (not a CMS rule)",
                "group_attestation_text": GROUP_ATTESTATION,
            },
        )
        for position, category in enumerate(HardshipCategory.objects.order_by("pk")):
            YearCategory.objects.get_or_create(
                year=year,
                category=category,
                defaults={"position": position, "detail": "Practice year: choose any category to try the form."},
            )
        for channel in ("online", "letter"):
            self._open_window(year, channel, now, days)
        self._open_informal_review_window(year, now, days)
        self.stdout.write(
            self.style.SUCCESS(f"Practice year {PRACTICE_YEAR}: online, letter and informal review windows open.")
        )
        if options.get("registry_sample"):
            self._registry_sample()
        if staff:
            self._demo_staff()

    def _open_window(self, year, channel, now, days):
        window = SubmissionWindow.objects.filter(year=year, channel=channel).first()
        if window and is_inside(window, now):
            return
        today = now.astimezone(ET).date()
        opens = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(0, 0), tzinfo=ET)
        closes = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(23, 59, 59), tzinfo=ET)
        if window is None:
            window = SubmissionWindow(year=year, channel=channel)
        window.label = "practice"
        window.opens_at, window.closes_at = opens, closes
        window.staff_note = "Moved by seed_demo so the practice window is open now."
        window.save()
        ReminderPolicy.objects.get_or_create(window=window)

    def _open_informal_review_window(self, year, now, days):
        window = InformalReviewWindow.objects.filter(year=year).first()
        if window and is_inside(window, now):
            return
        today = now.astimezone(ET).date()
        window = window or InformalReviewWindow(year=year)
        window.opens_at = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(0, 0), tzinfo=ET)
        window.closes_at = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(23, 59, 59), tzinfo=ET)
        window.staff_note = "Moved by seed_demo so the practice informal review window is open now."
        window.save()

    def _registry_sample(self):
        if registry_file() is not None:
            return
        loaded = registry_load(stream=sample_file(), name=SAMPLE_NAME, file_date=SAMPLE_DATE)
        self.stdout.write(
            f"NPI registry: a generated sample of {loaded.rows} made-up NPIs (e.g. 1234567893, EXAMPLE, ANA) "
            "so typed NPIs are checked; load the real file with manage.py nppes_import."
        )

    def _demo_staff(self):
        if not settings.DEBUG:
            raise CommandError("The demo staff account is for development only (DEBUG=True).")
        from allauth.account.models import EmailAddress

        if User.objects.filter(email=DEMO_STAFF_EMAIL).exists():
            self.stdout.write(
                f"Demo staff account {DEMO_STAFF_EMAIL} exists (password was printed when created; "
                f"reset it with: manage.py changepassword {DEMO_STAFF_EMAIL})."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(DEMO_STAFF_EMAIL, password, full_name="Demo Staff")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        self.stdout.write(
            self.style.WARNING(f"Demo staff account (dev only, shown once): {DEMO_STAFF_EMAIL} / {password}")
        )
        secret = _activate_totp(user)
        self.stdout.write(
            self.style.WARNING(
                f"Staff sign-in also needs a two-factor code: add secret {secret} to an authenticator app, "
                "or run `.venv/bin/python manage.py demo_totp` for the current code."
            )
        )


def _activate_totp(user) -> str:
    """Staff must use two-factor sign-in; give the demo account an authenticator so a newcomer can sign in."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
