"""One table says which builder writes each outbox kind: every kind has one, and the table names no other kind."""

from exemptions.emails.messages import BUILDERS
from exemptions.models import OutboundEmail


def test_every_outbox_kind_has_exactly_one_builder():
    assert set(BUILDERS) == set(OutboundEmail.Kind.values)
    assert all(callable(builder) for builder in BUILDERS.values())
