"""Print the current two-factor (TOTP) code of the demo staff account (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...models import User
from .seed_demo import DEMO_STAFF_EMAIL


class Command(BaseCommand):
    help = "Print the demo staff account's current TOTP code (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp is for development only (DEBUG=True).")
        # allauth keeps the code generator in an internal module; acceptable for a dev-only helper.
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
        from allauth.mfa.utils import decrypt

        user = User.objects.filter(email=DEMO_STAFF_EMAIL).first()
        authenticator = user and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if not authenticator:
            raise CommandError("No demo staff authenticator: run `manage.py seed_demo --staff` first.")
        secret = decrypt(authenticator.data["secret"])
        counters = list(yield_hotp_counters_from_time())
        current = counters[len(counters) // 2]
        self.stdout.write(format_hotp_value(hotp_value(secret, current)))
