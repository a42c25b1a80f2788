"""Every extension names its request (0006 converted the TIN-wide ones); the TIN scope is gone for good."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exemptions", "0006_extension_per_request"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="extension",
            name="extension_names_request_or_tin",
        ),
        migrations.RemoveField(
            model_name="extension",
            name="tin",
        ),
        migrations.RemoveField(
            model_name="historicalextension",
            name="tin",
        ),
        migrations.AlterField(
            model_name="extension",
            name="grant_id",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="extension",
            name="request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="extensions", to="exemptions.exemptionrequest"
            ),
        ),
        migrations.AlterField(
            model_name="historicalextension",
            name="grant_id",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AddConstraint(
            model_name="extension",
            constraint=models.UniqueConstraint(
                fields=("grant_id", "request"), name="extension_one_row_per_request_per_grant"
            ),
        ),
    ]
