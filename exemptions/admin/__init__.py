"""The staff's tool. One module per area, registered on import."""

from . import accounts, letters, outbox, program, registry, requests  # noqa: F401
from . import dashboard  # noqa: F401
