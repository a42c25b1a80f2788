"""Run one service for a page and tell the person how it went: the web layer's try-a-service-then-message.

A service refuses by raising (nothing was changed, and the message says why). A page names the refusals it
expects; this module turns one into an error the person reads - on the form when the page has one, else as a
message - and a success into a success message. The page then decides where to go from the returned flag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def service_outcome(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    refusals: type[Exception] | tuple[type[Exception], ...],
    success: str | Callable[[Any], str] | None,
    form: forms.Form | None = None,
    field: str | None = None,
    refused_prefix: str = "",
    describe: Callable[[Exception], str] = str,
) -> bool:
    """Call `action`; True if it succeeded.

    `success` is the message, or makes it from the service's result (None: the page words it itself).
    `describe` words a refusal for a message (default: the exception's own text).
    """
    try:
        result = action()
    except refusals as exc:
        if form is not None:
            form.add_error(field, exc if isinstance(exc, ValidationError) else describe(exc))
        else:
            messages.error(request, f"{refused_prefix}{describe(exc)}")
        return False
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return True
