"""Copy the files under MEDIA_ROOT to the configured bucket (STORAGE_URL), verified; safe to run again."""

from collections import Counter

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError

from ...services.storage import media_copy

QUIET = {"copied", "would copy", "already there"}  # counted; the others are listed one per line


class Command(BaseCommand):
    help = (
        "Copy every stored file named by a row from the local MEDIA_ROOT (or --source) to the bucket configured by "
        "STORAGE_URL, under the same name, reading each back to check its size and SHA-256. Files already in the "
        "bucket and identical are skipped, so an interrupted run is resumed by running it again; a file that "
        "differs in the bucket is listed and never overwritten. --dry-run compares and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="compare and report; write nothing")
        parser.add_argument("--source", default=str(settings.MEDIA_ROOT), help="the folder to copy from")

    def handle(self, *args, dry_run=False, source=None, **options):
        if not hasattr(default_storage, "bucket_name"):
            raise CommandError("No bucket is configured: set STORAGE_URL (or AWS_STORAGE_BUCKET_NAME) first.")
        counts: Counter[str] = Counter()
        for result in media_copy(source=FileSystemStorage(location=source), target=default_storage, dry_run=dry_run):
            counts[result.outcome] += 1
            if result.outcome not in QUIET or options["verbosity"] > 1:
                detail = f"  {result.detail}" if result.detail else ""
                self.stdout.write(f"{result.outcome:<17}  {result.row.label:<32}  {result.row.name}{detail}")
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "no stored files"
        bad = sum(n for outcome, n in counts.items() if outcome not in QUIET)
        prefix = "Dry run, nothing written: " if dry_run else ""
        if bad:
            raise CommandError(f"{prefix}{summary}. Fix the files listed, then run again (copied files are skipped).")
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary}."))
