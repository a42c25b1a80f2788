"""Load CMS's NPI registry file (NPPES) so typed NPIs can be checked against it.

    manage.py nppes_import npidata_pfile_20050523-20250608.csv              # monthly: replaces the registry
    manage.py nppes_import npidata_pfile_20250602-20250608.csv --weekly     # weekly: updates it

The file is the CSV inside CMS's "NPPES Data Dissemination" download. Lookups keep answering from the previous
load while a monthly file loads; a failed or interrupted load (Ctrl-C) changes nothing.
"""

import datetime as dt
import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...services.registry import RegistryFileRefused, registry_load

BAD_LINES_SHOWN = 10


class Command(BaseCommand):
    help = "Load a published NPPES file (npidata_pfile_*.csv): monthly replaces the registry, --weekly updates it."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The npidata_pfile_*.csv file.")
        parser.add_argument("--weekly", action="store_true", help="A weekly update file (upserts).")
        parser.add_argument(
            "--file-date",
            type=dt.date.fromisoformat,
            help="The date the file describes (YYYY-MM-DD); read from the file's name when not given.",
        )

    def handle(self, *args, file: Path, weekly: bool = False, file_date: dt.date | None = None, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        size = os.path.getsize(file)
        bar = ProgressBar(self.stdout, size) if self.stdout.isatty() else None
        started = time.monotonic()
        try:
            with file.open("rb") as stream:
                loaded = registry_load(stream=stream, name=file.name, weekly=weekly, file_date=file_date, progress=bar)
        except RegistryFileRefused as refused:
            raise CommandError(str(refused)) from None
        except KeyboardInterrupt:
            raise CommandError("Interrupted: the registry was left as it was.") from None
        finally:
            if bar:
                bar.close()
        seconds = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            self.style.SUCCESS(
                f"{loaded.get_kind_display()} file of {loaded.file_date:%Y-%m-%d} loaded: {loaded.rows:,} rows, "
                f"{loaded.bad_rows:,} bad, in {seconds:.1f} s ({loaded.rows / seconds:,.0f} rows/s)."
            )
        )
        for line, why in loaded.bad_lines[:BAD_LINES_SHOWN]:
            self.stdout.write(f"  line {line:,}: {why}")
        if loaded.bad_rows > BAD_LINES_SHOWN:
            self.stdout.write(f"  ... {loaded.bad_rows - BAD_LINES_SHOWN:,} more (the first 100 are in the admin).")


class ProgressBar:
    """`[#####.....]  45%  3,600,000 rows  52,000 rows/s  ETA 1:23` on one terminal line, redrawn twice a second."""

    WIDTH = 30

    def __init__(self, out, total_bytes: int) -> None:
        self.out, self.total = out, max(total_bytes, 1)
        self.started = self.drawn = time.monotonic()

    def __call__(self, rows: int, bytes_read: int) -> None:
        now = time.monotonic()
        if now - self.drawn < 0.5:
            return
        self.drawn = now
        done = min(bytes_read / self.total, 1.0)
        elapsed = now - self.started
        eta = elapsed / done - elapsed if done else 0
        filled = int(done * self.WIDTH)
        self.out.write(
            f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:4.0%}  {rows:,} rows  "
            f"{rows / max(elapsed, 1e-6):,.0f} rows/s  ETA {int(eta) // 60}:{int(eta) % 60:02d} ",
            ending="",
        )
        self.out.flush()

    def close(self) -> None:
        self.out.write("")
