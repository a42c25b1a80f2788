"""List the rows whose stored file is missing or no longer matches its SHA-256 (on the disk or in the bucket)."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from ...services.storage import media_problems


class Command(BaseCommand):
    help = (
        "Read back every stored file (documents, letters, receipts, bundles, print batches) and list the rows whose "
        "file is missing or does not match the SHA-256 kept on the row; --quick checks only that each file exists. "
        "Exits with status 1 when any is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="only check that each file exists (no hashing)")

    def handle(self, *args, quick=False, **options):
        counts: Counter[str] = Counter()
        for problem in media_problems(quick=quick):
            counts[problem.reason] += 1
            detail = f"  {problem.detail}" if problem.detail else ""
            self.stdout.write(f"{problem.reason:<11}  {problem.row.label:<32}  {problem.row.name}{detail}")
        if counts:
            listed = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items()))
            raise CommandError(f"{sum(counts.values())} stored file(s) cannot be read back: {listed}.")
        self.stdout.write(self.style.SUCCESS("Every stored file is there and matches its row."))
