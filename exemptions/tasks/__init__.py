"""Celery tasks: thin, named, ids only, safe to run twice. One module per area.

Services never import this package: they dispatch by task name (`services.dispatch`). The app config imports
it at start-up so every process (web and worker) knows every name.
"""

from . import dashboard, emails, files, letters, media, reminders

__all__ = ["dashboard", "emails", "files", "letters", "media", "reminders"]
