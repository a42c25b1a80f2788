"""How a review service refuses. Nothing was changed when one of these is raised; the message is fit to show."""

from __future__ import annotations

from ...workflow import TransitionNotAllowed
from ..transitions import StaleRequest


class ReviewError(Exception):
    """The reviewer's input cannot be accepted; nothing was changed. The message says what to fix."""


class AlreadyDecided(ReviewError):
    """Someone decided this request first; nothing was changed."""


class NoReviewerAssigned(ReviewError):
    """An approval needs an assigned reviewer; nothing was changed."""


class Reassigned(ReviewError):
    """The request was given to another reviewer since this one opened it; nothing was changed."""


# Everything a review page shows the reviewer as "nothing was changed, because …".
REFUSALS = (ReviewError, StaleRequest, TransitionNotAllowed)
