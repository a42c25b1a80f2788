"""Reminder policy per window (data staff edit) and 'tell me when it opens' subscriptions."""

import datetime

from django.conf import settings
from django.db import models

from .program import AdjustmentYear, Channel, SubmissionWindow


def default_offsets() -> list[int]:
    # Minutes before the close: 14 days, 3 days, 1 day.
    return [14 * 24 * 60, 3 * 24 * 60, 24 * 60]


class ReminderPolicy(models.Model):
    window = models.OneToOneField(SubmissionWindow, on_delete=models.CASCADE, related_name="reminder_policy")
    offsets_minutes = models.JSONField(
        default=default_offsets,
        help_text="Minutes before the close. Whole-day offsets go out at the send time (ET) on that day.",
    )
    send_time = models.TimeField(default=datetime.time(9, 0), help_text="Time of day (ET) for whole-day offsets.")
    draft_reminders = models.BooleanField("unsubmitted draft", default=True)
    letter_reminders = models.BooleanField("GPRO letter not mailed", default=True)
    info_reminders = models.BooleanField("more information not answered", default=True)
    opening_notices = models.BooleanField("window opening", default=True)

    class Meta:
        verbose_name_plural = "reminder policies"

    def __str__(self) -> str:
        return f"Reminders for {self.window}"


class WindowOpeningSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="window_subscriptions")
    year = models.ForeignKey(AdjustmentYear, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "year", "channel"], name="one_subscription_per_year_channel")
        ]

    def __str__(self) -> str:
        return f"{self.user} wants to know when {self.year.year} ({self.channel}) opens"
