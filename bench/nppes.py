"""NPI registry import benchmark: a generated file in the full published NPPES layout (330 columns, most empty, as
CMS publishes it), loaded with `manage.py nppes_import` into PostgreSQL, then looked up.

    .venv/bin/python bench/nppes.py                   # 1,000,000 rows (about 1.2 GB generated, a few minutes)
    .venv/bin/python bench/nppes.py --rows 200000     # a smaller run

Drops and recreates the database `bench_nppes` (BENCH_NPPES_DATABASE_URL overrides) and migrates it. The file is
written to a temporary directory (deleted afterwards). The import runs as its own process, twice: into an empty
registry, then again as the next month's file while a thread keeps looking NPIs up (the swap-in: lookups must
keep answering, and how long the slowest one waited). Reports rows/s, the import process's peak memory
(getrusage maxrss: flat with the file size when it streams), and the lookup time through `registry_check` (and
through the JSON endpoint when the project has one). Prints a table, writes bench/results/nppes.json, and
projects the full monthly file (8 million rows) from the measured rate.
Targets: lookup median <= 5 ms through the endpoint; peak memory < 300 MB whatever the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_NPPES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_nppes")
FULL_FILE_ROWS = 8_000_000
TARGET_LOOKUP_MS = 5.0
TARGET_PEAK_MB = 300
LOOKUPS = 2000

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("PORTAL_REQUIRE_STAFF_MFA", "False")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="bench-nppes-") as directory:
        first = Path(directory) / "npidata_pfile_20050523-20250608.csv"
        started = time.monotonic()
        generate(first, args.rows)
        generated = time.monotonic() - started
        size = first.stat().st_size
        load = run_import(first)
        lookups = measure_lookups(args.rows)
        second = first.rename(Path(directory) / "npidata_pfile_20050523-20250713.csv")
        during = lookups_during(lambda: run_import(second))
    results = {
        "rows": args.rows,
        "file_bytes": size,
        "columns": 330,
        "generate_seconds": round(generated, 1),
        "import": load,
        "reimport_with_lookups": during,
        "lookup": lookups,
        "projection_8m": {
            "seconds": round(FULL_FILE_ROWS / load["rows_per_second"]),
            "file_gb": round(size / args.rows * FULL_FILE_ROWS / 1e9, 1),
            "peak_mb": load["peak_mb"],
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_1min": os.getloadavg()[0]},
    }
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "nppes.json").write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    ok = lookups["registry_check_median_ms"] <= TARGET_LOOKUP_MS and load["peak_mb"] <= TARGET_PEAK_MB
    return 0 if ok and not during["lookup_errors"] else 1


def recreate_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(path: Path, rows: int) -> None:
    from exemptions.registry_sample import generated_rows, write_published_file

    with path.open("w", newline="", encoding="utf-8") as stream:
        write_published_file(stream, generated_rows(rows, seed=1))


def run_import(path: Path) -> dict:
    """Import in a child process: its wall time and peak memory are the import's alone."""
    from exemptions.models import RegistryFile

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "nppes_import", str(path)], capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if result.returncode:
        raise SystemExit(f"nppes_import failed:\n{result.stdout}\n{result.stderr}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    loaded = RegistryFile.objects.filter(name=path.name).latest("pk")
    return {
        "seconds": round(seconds, 1),
        "rows": loaded.rows,
        "bad_rows": loaded.bad_rows,
        "rows_per_second": round(loaded.rows / seconds),
        "peak_mb": round(max(peak_kb, before) / 1024),
        "summary": result.stdout.strip().splitlines()[0],
    }


def sample_npis(rows: int, count: int) -> list[str]:
    """NPIs in the generated file (the generator's formula), and a few that are not."""
    from exemptions.identifiers import npi_check_digit

    rng = random.Random(7)
    bases = [f"{100_000_000 + (i * 48_271 + 7) % 100_000_000}" for i in rng.sample(range(rows), count)]
    return [b + npi_check_digit(b) for b in bases]


def measure_lookups(rows: int) -> dict:
    from exemptions.selectors.registry import registry_check

    npis = sample_npis(rows, LOOKUPS)
    for npi in npis[:50]:  # warm up the connection and the cache of the index pages
        registry_check(npi, "Jane Smith")
    times = []
    for npi in npis:
        started = time.perf_counter()
        registry_check(npi, "Jane Smith")
        times.append((time.perf_counter() - started) * 1000)
    figures = {
        "registry_check_median_ms": round(statistics.median(times), 2),
        "registry_check_p95_ms": round(statistics.quantiles(times, n=20)[-1], 2),
    }
    return figures | endpoint_lookups(npis[:500])


def endpoint_lookups(npis: list[str]) -> dict:
    """Through the JSON endpoint (server time, Django test client, a signed-in EP). At most 100 lookups: the
    endpoint allows 120 a minute per account (REGISTRY_LOOKUP_RATE_LIMIT)."""
    from django.test import Client
    from django.urls import reverse

    from exemptions.models import User

    client = Client()
    client.force_login(User.objects.get_or_create(email="bench-nppes@example.org")[0])
    times, statuses = [], set()
    for npi in npis[:100]:
        url = reverse("exemptions:registry_npi", args=[npi])
        started = time.perf_counter()
        statuses.add(client.get(url, {"name": "Jane Smith"}).status_code)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "endpoint": reverse("exemptions:registry_npi", args=["NPI"]),
        "endpoint_median_ms": round(statistics.median(times), 2),
        "endpoint_statuses": sorted(statuses),
    }


def lookups_during(work) -> dict:
    """Run `work` while another thread (its own connection) looks NPIs up every 20 ms."""
    from django.db import connection

    from exemptions.selectors.registry import registry_check

    stop, times, errors = threading.Event(), [], []

    def look_up() -> None:
        try:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    registry_check("1000000004", "Jane Smith")
                except Exception as error:  # noqa: BLE001 - counted and reported
                    errors.append(repr(error))
                times.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)
        finally:
            connection.close()

    thread = threading.Thread(target=look_up)
    thread.start()
    try:
        figures = work()
    finally:
        stop.set()
        thread.join()
    return figures | {
        "lookups_during": len(times),
        "lookup_median_ms": round(statistics.median(times), 2) if times else None,
        "lookup_max_ms": round(max(times), 1) if times else None,
        "lookup_errors": errors[:5],
    }


def report(results: dict) -> None:
    load, again, lookup, projection = (
        results["import"],
        results["reimport_with_lookups"],
        results["lookup"],
        results["projection_8m"],
    )
    print(f"\nNPPES import: {results['rows']:,} rows x 330 columns, {results['file_bytes'] / 1e9:.2f} GB")
    print(f"  generated in            {results['generate_seconds']} s")
    print(
        f"  first import            {load['seconds']} s  {load['rows_per_second']:,} rows/s  peak {load['peak_mb']} MB"
    )
    print(
        f"  next month (swap-in)    {again['seconds']} s  {again['rows_per_second']:,} rows/s  "
        f"lookups meanwhile: {again['lookups_during']} (median {again['lookup_median_ms']} ms, "
        f"max {again['lookup_max_ms']} ms, errors {len(again['lookup_errors'])})"
    )
    print(
        f"  registry_check          median {lookup['registry_check_median_ms']} ms  p95 {lookup['registry_check_p95_ms']} ms"
    )
    print(f"  endpoint                {lookup.get('endpoint_median_ms', lookup['endpoint'])}")
    print(
        f"  8,000,000 rows (projected): {projection['seconds'] // 60} min {projection['seconds'] % 60} s, "
        f"{projection['file_gb']} GB, peak memory about {projection['peak_mb']} MB (streaming: flat)"
    )


if __name__ == "__main__":
    sys.exit(main())
