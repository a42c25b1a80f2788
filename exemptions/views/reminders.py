"""Reminder pages: the login-free stop link, the account's reminder settings and "notify me when it opens"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import AdjustmentYear, Channel, ExemptionRequest, WindowOpeningSubscription
from ..selectors import online_year_choices
from ..services import reminders as services
from ..windows import State, window_state


@csrf_exempt  # mail clients POST here for RFC 8058 one-click unsubscribe; the signed token is the permission
def reminders_stop(request, token: str):
    """No login: the signed token is the permission. GET only asks (mail scanners follow links); POST stops."""
    target = services.stop_target(token)
    if target is None:
        raise Http404("This link is not valid.")
    done = request.method == "POST"
    if done:
        services.reminders_stop(target=target)
    is_request = isinstance(target, ExemptionRequest)
    return render(request, "exemptions/reminders_stop.html", {"target": target, "is_request": is_request, "done": done})


@login_required
def reminder_preferences(request):
    if request.method == "POST":
        enabled = request.POST.get("email_reminders") == "on"
        services.user_reminders_set(user=request.user, enabled=enabled)
        messages.success(request, "Deadline reminders are on." if enabled else "Deadline reminders are off.")
        return redirect("exemptions:reminder_preferences")
    now = timezone.now()
    subscriptions = WindowOpeningSubscription.objects.filter(user=request.user).select_related("year")
    subscribed = {s.year_id for s in subscriptions if s.channel == Channel.ONLINE}
    closed_years = [c.year for c in online_year_choices(at=now) if not c.state.is_open and c.year.pk not in subscribed]
    context = {"subscriptions": subscriptions, "closed_years": closed_years}
    return render(request, "exemptions/reminder_preferences.html", context)


@login_required
@require_POST
def window_notify(request, year: int):
    """'Notify me when it opens' for a year whose online window is not open now."""
    adjustment_year = get_object_or_404(AdjustmentYear, year=year)
    state = window_state(year=adjustment_year, channel=Channel.ONLINE, at=timezone.now())
    if state.state is State.OPEN:
        messages.info(request, f"The {year} window is open now: you can start a request today.")
    else:
        services.window_subscription_create(user=request.user, year=adjustment_year)
        messages.success(request, f"We will email {request.user.email} when the {year} window opens.")
    return redirect("exemptions:reminder_preferences")


@login_required
@require_POST
def window_unsubscribe(request, pk: int):
    subscription = get_object_or_404(WindowOpeningSubscription, pk=pk, user=request.user)
    services.window_subscription_delete(subscription=subscription)
    messages.success(request, f"You will not be told when {subscription.year.year} opens.")
    return redirect("exemptions:reminder_preferences")


urlpatterns = [
    path("reminders/stop/<str:token>/", reminders_stop, name="reminders_stop"),
    path("account/reminders/", reminder_preferences, name="reminder_preferences"),
    path("years/<int:year>/notify/", window_notify, name="window_notify"),
    path("account/reminders/opening/<int:pk>/stop/", window_unsubscribe, name="window_unsubscribe"),
]
