"""Each request's EPs checked against the NPI registry, summarised on the request for the staff list.

The list shows and filters this column: no join to the EPs or the registry per row. Only the "some EP does not
match" value gets an index, on PostgreSQL: a partial one in the list's own order (as migration 0003's list
indexes), holding the warning rows only. Matches and unchecked requests are the bulk of the table, so the list
order index finds a page of them after a few rows; warnings are the few staff look for, and without this index
the first page of that filter would walk the whole list order to find 100 of them.
"""

from django.db import migrations, models

ORDER = "submitted_at DESC NULLS LAST, id DESC"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS req_list_registry_warning ON exemptions_exemptionrequest ({ORDER}) "
    "WHERE registry_summary = 'warning'"
)


def create_pg_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_pg_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS req_list_registry_warning")


class Migration(migrations.Migration):
    dependencies = [
        ("exemptions", "0010_npi_registry"),
    ]

    operations = [
        migrations.AddField(
            model_name="exemptionrequest",
            name="registry_summary",
            field=models.CharField(
                blank=True,
                choices=[("", "Not checked"), ("match", "All EPs match"), ("warning", "Some EP does not match")],
                default="",
                help_text="Its EPs checked against the NPI registry at submission (or at the last re-check).",
                max_length=8,
                verbose_name="NPI registry",
            ),
        ),
        migrations.RunPython(create_pg_index, drop_pg_index),
    ]
