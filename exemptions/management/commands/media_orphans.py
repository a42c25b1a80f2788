"""List (dry run, the default) or remove with --delete the files under MEDIA_ROOT that no row references."""

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ...services.media import ORPHAN_GRACE, media_orphans, media_orphans_remove

HOURS = ORPHAN_GRACE.total_seconds() / 3600
GRACE_WORDS = f"{HOURS:g} hour{'' if HOURS == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "List the files under MEDIA_ROOT that no row references (documents, letters, print batches, any file field), "
        f"with their sizes; --delete removes them. Files younger than {GRACE_WORDS} are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove the files listed (default: only list)")

    def handle(self, *args, delete=False, **options):
        at = timezone.now()
        orphans = list(media_orphans(at=at))
        for orphan in orphans:
            modified = timezone.localtime(orphan.modified)
            self.stdout.write(f"{orphan.size:>12,}  {modified:%Y-%m-%d %H:%M}  {orphan.name}")
        total = sum(orphan.size for orphan in orphans)
        summary = (
            f"{len(orphans)} orphaned file(s), {filesizeformat(total)} ({total:,} bytes); files younger than "
            f"{GRACE_WORDS} are left alone"
        )
        if not delete:
            self.stdout.write(self.style.SUCCESS(f"{summary}. Dry run: nothing deleted (use --delete to remove)."))
            return
        removed = media_orphans_remove(at=at)
        self.stdout.write(
            self.style.SUCCESS(f"Removed {removed['removed']} orphaned file(s), {removed['bytes']:,} bytes.")
        )
