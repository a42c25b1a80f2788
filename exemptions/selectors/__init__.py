"""Non-trivial reads, by area. The names below are the ones pages import."""

from .requests import (
    RequestRow,
    WindowRow,
    YearChoice,
    YearOverview,
    online_year_choices,
    published_announcements,
    request_rows,
    year_overviews,
)
from .review import already_decided_message, ep_recipients, last_editor, review_screen, stale_message

__all__ = [
    "RequestRow",
    "WindowRow",
    "YearChoice",
    "YearOverview",
    "already_decided_message",
    "ep_recipients",
    "last_editor",
    "online_year_choices",
    "published_announcements",
    "request_rows",
    "review_screen",
    "stale_message",
    "year_overviews",
]
