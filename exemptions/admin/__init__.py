"""The staff's tool. One module per area, registered on import."""

from . import accounts, dashboard, informal_reviews, letters, outbox, program, registry, requests  # noqa: F401
