"""The staff's tool. One module per area, registered on import."""

from . import accounts, dashboard, letters, outbox, program, registry, requests  # noqa: F401
