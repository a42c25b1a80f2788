"""Run one service for a page and tell the person how it went: the web layer's try-a-service-then-message.

A service refuses by raising (nothing was changed, and the message says why). A page names the refusals it
expects; this module turns one into an error the person reads - on the form when the page has one, else as a
message - and a success into a success message. The page then decides where to go from the returned outcome
(truthy when the service succeeded; `.result` is what the service returned).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .models import Channel
from .services.requests import WindowClosed
from .windows import WindowState

NOTHING_CHANGED = "Nothing was changed. "
CHANNEL_WORDS = {Channel.ONLINE: "online", Channel.LETTER: "letter"}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    result: Any = None

    def __bool__(self) -> bool:
        return self.ok


def window_closed_words(state: WindowState) -> str:
    """The one wording of "the window is not open": 'The letter window is not open. Closed at 11:59 p.m. ET on …'."""
    channel = CHANNEL_WORDS.get(state.window.channel, "") if state.window else ""
    return f"The {channel + ' ' if channel else ''}window is not open. {state.describe()}."


def describe_refusal(exc: Exception) -> str:
    """A refusal in words: the window sentence, a validation error's messages, else the exception's own text."""
    if isinstance(exc, WindowClosed):
        return window_closed_words(exc.state)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def service_outcome(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    refusals: type[Exception] | tuple[type[Exception], ...],
    success: str | Callable[[Any], str] | None,
    form: forms.Form | None = None,
    field: str | None = None,
    refused_prefix: str = "",
    describe: Callable[[Exception], str] = describe_refusal,
) -> Outcome:
    """Call `action`; the outcome is truthy if it succeeded and carries the service's result.

    `success` is the message, or makes it from the service's result (None: the page words it itself).
    `describe` words a refusal for a message (default: `describe_refusal`).
    """
    try:
        result = action()
    except refusals as exc:
        if form is not None:
            form.add_error(field, exc if isinstance(exc, ValidationError) else describe(exc))
        else:
            messages.error(request, f"{refused_prefix}{describe(exc)}")
        return Outcome(ok=False)
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return Outcome(ok=True, result=result)
