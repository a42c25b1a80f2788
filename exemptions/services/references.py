from django.db import connection

from ..models import ReferenceCounter


def reference_issue(*, year: int, prefix: str = "HX") -> str:
    """Next reference for `year` in the series `prefix`, e.g. HX-2013-000042 or IR-2014-000001. Numbers are never
    reused; each prefix counts on its own.

    One statement: it creates the year's counter or increments it, and the row stays locked until the caller's
    transaction ends, so concurrent submissions get distinct numbers (a rollback returns its number unused).
    """
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608 (the table is ours)
            f"ON CONFLICT (series, year) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [prefix, year],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{year}-{number:06d}"
