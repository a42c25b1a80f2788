"""The staff's tool. One module per area, registered on import."""

from . import accounts, program  # noqa: F401
