"""Deadline reminders: the schedule, the due set, the claim (one outbox row per `ReminderKey`, written in SQL),
publishing to the batch sender, and the EP's preferences. The key rule lives in `exemptions.reminder_keys`.

    schedule.py     when each reminder of a deadline goes out (policy, offsets, instants)
    due.py          what is due at an instant and not yet claimed, as queries
    claims.py       INSERT … SELECT … ON CONFLICT DO NOTHING: the one claim path
    publish.py      the sweep (claim, then publish) and publishing by task name
    preferences.py  stop links, the account switch, window-opening subscriptions
"""

from .claims import reminders_claim, reminders_claim_due
from .due import open_windows, reminder_candidates, reminders_due
from .preferences import (
    reminders_stop,
    stop_target,
    stop_token,
    user_reminders_set,
    window_subscription_create,
    window_subscription_delete,
)
from .publish import reminders_publish_pending, reminders_sweep
from .schedule import info_deadline, latest_due_offset, policy_for, reminder_instant, schedule

__all__ = [
    "info_deadline",
    "latest_due_offset",
    "open_windows",
    "policy_for",
    "reminder_candidates",
    "reminder_instant",
    "reminders_claim",
    "reminders_claim_due",
    "reminders_due",
    "reminders_publish_pending",
    "reminders_stop",
    "reminders_sweep",
    "schedule",
    "stop_target",
    "stop_token",
    "user_reminders_set",
    "window_subscription_create",
    "window_subscription_delete",
]
