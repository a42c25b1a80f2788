"""The EP's reminder preferences: login-free stop links, the account's switch, "notify me when it opens"."""

from __future__ import annotations

from django.core import signing
from django.db import transaction

from ...models import AdjustmentYear, Channel, ExemptionRequest, User, WindowOpeningSubscription

STOP_SALT = "exemptions.reminders.stop"


def stop_token(
    *, exemption: ExemptionRequest | None = None, subscription: WindowOpeningSubscription | None = None
) -> str:
    """A signed, login-free token for one request's reminders or one opening notice. It never expires."""
    payload = {"r": exemption.pk} if exemption is not None else {"s": subscription.pk}
    return signing.dumps(payload, salt=STOP_SALT, compress=True)


def stop_target(token: str) -> ExemptionRequest | WindowOpeningSubscription | None:
    """What a stop token names, or None for a forged, mangled or stale (deleted) one."""
    try:
        payload = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    if "r" in payload:
        return ExemptionRequest.objects.select_related("year").filter(pk=payload["r"]).first()
    return WindowOpeningSubscription.objects.select_related("year").filter(pk=payload.get("s")).first()


@transaction.atomic
def reminders_stop(*, target: ExemptionRequest | WindowOpeningSubscription) -> None:
    """Stop reminders for one request, or drop one opening subscription. Idempotent (a second click is fine)."""
    if isinstance(target, ExemptionRequest):
        ExemptionRequest.objects.filter(pk=target.pk).update(reminders_opt_out=True)
    else:
        WindowOpeningSubscription.objects.filter(pk=target.pk).delete()


@transaction.atomic
def user_reminders_set(*, user: User, enabled: bool) -> None:
    User.objects.filter(pk=user.pk).update(email_reminders=enabled)
    user.email_reminders = enabled


@transaction.atomic
def window_subscription_create(
    *, user: User, year: AdjustmentYear, channel: str = Channel.ONLINE
) -> tuple[WindowOpeningSubscription, bool]:
    return WindowOpeningSubscription.objects.get_or_create(user=user, year=year, channel=channel)


@transaction.atomic
def window_subscription_delete(*, subscription: WindowOpeningSubscription) -> None:
    subscription.delete()
