"""Non-trivial reads, by area. The names below are the ones pages import."""

from .requests import (
    online_year_choices,
    published_announcements,
    request_rows,
    year_overviews,
)
from .review import already_decided_message, ep_recipients, review_screen, stale_message

__all__ = [
    "already_decided_message",
    "ep_recipients",
    "online_year_choices",
    "published_announcements",
    "request_rows",
    "review_screen",
    "stale_message",
    "year_overviews",
]
