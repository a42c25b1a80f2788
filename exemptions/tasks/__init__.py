"""Celery tasks: thin, named, ids only, safe to run twice. One module per area.

Services never import this package: they dispatch by task name (`services.dispatch`). The app config imports
it at start-up so every process (web and worker) knows every name.
"""

from . import emails, files, letters, media, reminders
from . import dashboard  # noqa: F401

__all__ = ["emails", "files", "letters", "media", "reminders"]
