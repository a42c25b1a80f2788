"""Create or refresh the Reviewer and Administrator groups (idempotent; migration 0003 runs it once too)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from ...roles import roles_setup


class Command(BaseCommand):
    help = "Create or refresh the Reviewer and Administrator groups and their permissions."

    @transaction.atomic
    def handle(self, *args, **options):
        for group, count in roles_setup().items():
            self.stdout.write(f"{group}: {count} permissions")
