from django.conf import settings

from .views import session_remaining


def session_timeout(request) -> dict:
    """Seconds left in the signed-in session, for the timeout warning in base.html (static/js/session.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}
    return {"session_timeout": {**session_remaining(request), "warn_before": settings.PORTAL_SESSION_WARN_SECONDS}}
