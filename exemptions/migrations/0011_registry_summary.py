"""Each request's EPs checked against the NPI registry, summarized on the request for the staff list.

The list shows and filters this column: no join to the EPs or the registry per row. On PostgreSQL the filter gets
an index in the list's own order, like migration 0003's list indexes: each value is a range of it, so the first
page of any choice stops after 100 rows. Without it, a rare value walks the whole list order to find 100 rows:
"some EP does not match" (a few percent), and "not checked", which is mostly drafts, sorted last (NULLS LAST).
"""

from django.db import migrations, models

ORDER = "submitted_at DESC NULLS LAST, id DESC"
CREATE = f"CREATE INDEX IF NOT EXISTS req_list_registry ON exemptions_exemptionrequest (registry_summary, {ORDER})"


def create_pg_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_pg_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS req_list_registry")


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
