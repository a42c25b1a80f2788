"""Extensions name the requests they cover; a TIN-wide extension becomes one row per request it may have meant.

Before: an extension with a TIN and no request covered every request under that TIN, year and channel, including
one whose owner typed the TIN after the grant (the "borrowed extension"). After: one row per covered request, the
rows of one grant sharing `grant_id`, and the window rule honors only the rows that name a request.

Each existing TIN-wide extension is converted to cover only the requests that existed when it was granted
(`created_at` <= `granted_at`) with that TIN, year and channel (kind "group" is the letter channel, any other
kind the online channel). Requests created after the grant lose the extension they borrowed: staff can grant it
to them explicitly. A TIN-wide extension that matches no request is removed. Every row created or removed here
gets a simple-history record (no user, with a change reason naming the old extension), so the audit trail shows
the conversion. Existing per-request extensions (and their history records) each get a grant id of their own.
Reversing keeps the per-request rows (never widening an extension again).
"""

import uuid

from django.db import migrations, models
from django.utils import timezone

FIELDS = ("id", "grant_id", "year_id", "channel", "request_id", "tin", "until", "reason", "granted_at", "granted_by_id")


def _history(History, row, *, kind: str, reason: str, at) -> None:
    History.objects.create(
        **{name: getattr(row, name) for name in FIELDS},
        history_date=at,
        history_type=kind,
        history_user=None,
        history_change_reason=reason[:100],
    )


def _covered(ExemptionRequest, wide):
    """The requests a TIN-wide extension may safely keep covering: those that existed when it was granted."""
    requests = ExemptionRequest.objects.filter(tin=wide.tin, year_id=wide.year_id, created_at__lte=wide.granted_at)
    requests = requests.filter(kind="group") if wide.channel == "letter" else requests.exclude(kind="group")
    return requests.order_by("created_at", "pk").values_list("pk", flat=True)


def name_the_requests(apps, schema_editor):
    Extension = apps.get_model("exemptions", "Extension")
    History = apps.get_model("exemptions", "HistoricalExtension")
    ExemptionRequest = apps.get_model("exemptions", "ExemptionRequest")
    now = timezone.now()
    for extension in Extension.objects.filter(request__isnull=False, grant_id__isnull=True):
        extension.grant_id = uuid.uuid4()
        extension.save(update_fields=["grant_id"])
    for wide in Extension.objects.filter(request__isnull=True).order_by("pk"):
        grant_id = uuid.uuid4()
        for request_id in _covered(ExemptionRequest, wide):
            row = Extension.objects.create(
                grant_id=grant_id,
                year_id=wide.year_id,
                channel=wide.channel,
                request_id=request_id,
                tin="",
                until=wide.until,
                reason=wide.reason,
                granted_by_id=wide.granted_by_id,
            )
            Extension.objects.filter(pk=row.pk).update(granted_at=wide.granted_at)  # auto_now_add set it to now
            row.granted_at = wide.granted_at
            _history(History, row, kind="+", reason=f"Converted from TIN-wide extension {wide.pk}", at=now)
        _history(History, wide, kind="-", reason=f"TIN-wide extension replaced by grant {grant_id}", at=now)
        wide.delete()
    _name_grants_in_history(Extension, History)


def _name_grants_in_history(Extension, History) -> None:
    """Older history records get the grant id of their extension (a removed one: an id of its own)."""
    grants = dict(Extension.objects.values_list("pk", "grant_id"))
    for extension_id in History.objects.filter(grant_id__isnull=True).values_list("id", flat=True).distinct():
        grant_id = grants.get(extension_id) or uuid.uuid4()
        History.objects.filter(id=extension_id, grant_id__isnull=True).update(grant_id=grant_id)


class Migration(migrations.Migration):
    dependencies = [
        ("exemptions", "0005_letter_batch_published_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="extension",
            name="grant_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalextension",
            name="grant_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(name_the_requests, migrations.RunPython.noop),
    ]
