"""Print which reminders a sweep would send at an instant. Reads only: nothing is claimed, queued or sent."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...services.reminders import open_windows, policy_for, reminders_due, schedule
from ...windows import ET, format_et


def parse_instant(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at must be an ISO date-time such as 2099-01-31T09:00 (got {value!r})") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ET)  # a bare time is Eastern Time


class Command(BaseCommand):
    help = "Dry run: list the reminders a sweep at --at (default now; ET unless an offset is given) would send."

    def add_arguments(self, parser):
        parser.add_argument("--at", type=parse_instant, default=None, help="ISO instant, e.g. 2099-01-31T09:00")

    def handle(self, *args, at=None, **options):
        at = at or timezone.now()
        self.stdout.write(f"Reminders due at {format_et(at)} (dry run: nothing is written or sent)")
        for window in open_windows(at=at):
            policy = policy_for(window)
            times = ", ".join(
                f"{o} min → {format_et(i)}" for o, i in schedule(policy=policy, closes_at=window.closes_at)
            )
            self.stdout.write(f"  open window {window}: closes {format_et(window.closes_at)}; schedule: {times}")
        due = reminders_due(at=at)
        for reminder in due:
            target = f"request {reminder.request_id}" if reminder.request_id else f"user {reminder.user_id}"
            recipients = ", ".join(reminder.recipients)
            self.stdout.write(f"  {reminder.kind:16} {recipients:36} {target:15} {reminder.key.text}")
        self.stdout.write(self.style.SUCCESS(f"{len(due)} reminder(s) would be sent."))
