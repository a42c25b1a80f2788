"""The claim: one outbox row per reminder key, written by the database in one statement per `Candidates`.

``INSERT … SELECT … ON CONFLICT (key) DO NOTHING``: the unique key makes a repeated sweep, a second beat or two
sweeps at once insert nothing new, and 100,000 drafts at a deadline never pass through Python. The same SQL runs
on PostgreSQL and SQLite (3.24+); the columns come from the due set's query (`due.COLUMNS`).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from ...models import OutboundEmail
from .due import Candidates, reminder_candidates

# The outbox columns a claim writes, in the order of the SELECT below.
CLAIMED = ["key", "kind", "request", "user", "recipients", "context", "status", "attempts", "last_error", "subject"]


@transaction.atomic
def reminders_claim(*, candidates: Candidates) -> int:
    """Claim every row of `candidates` (one outbox row per key; a key already there is skipped by the database).
    Returns the number of new claims."""
    select_sql, select_params = candidates.rows.order_by().query.sql_with_params()
    meta = OutboundEmail._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in [*CLAIMED, "created_at"])
    # Only identifiers from the model's metadata and ORM-generated SQL are interpolated; every value is a parameter.
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        "SELECT q.r_key, %s, q.r_request, q.r_user, q.r_recipients, q.r_context, %s, 0, '', '', %s "
        f"FROM ({select_sql}) AS q WHERE true ON CONFLICT ({quote('key')}) DO NOTHING"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [candidates.kind, OutboundEmail.Status.PENDING, now, *select_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def reminders_claim_due(*, at: dt.datetime) -> int:
    """Claim every reminder due at `at`, each kind and window in its own transaction (committed before publishing,
    so a broker outage later never loses a claim). Returns the number of new claims."""
    return sum(reminders_claim(candidates=candidates) for candidates in reminder_candidates(at=at))
