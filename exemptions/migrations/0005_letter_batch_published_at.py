from django.db import migrations, models

OLD, NEW = "gproletter", "groupmailing"


def _rename_codenames(apps, old: str, new: str) -> None:
    """RenameModel keeps the content type but not the permission codenames: rename them so grants keep working.

    On a new database the permissions do not exist yet (post_migrate creates them, with the new names).
    """
    Permission = apps.get_model("auth", "Permission")
    for action in ("add", "change", "delete", "view"):
        Permission.objects.filter(content_type__app_label="exemptions", codename=f"{action}_{old}").update(
            codename=f"{action}_{new}"
        )


def rename_permissions(apps, schema_editor):
    _rename_codenames(apps, OLD, NEW)


def restore_permissions(apps, schema_editor):
    _rename_codenames(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("exemptions", "0004_gpro_proxy"),
    ]

    operations = [
        # A rename, not delete + create: the proxy's content type is kept, and its permissions follow by name.
        migrations.RenameModel(old_name="GproLetter", new_name="GroupMailing"),
        migrations.RunPython(rename_permissions, restore_permissions),
        migrations.AddField(
            model_name="groupletter",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="printbatch",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="groupletter",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="groupletter",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="printbatch",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="printbatch",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
