"""Run every benchmark under bench/ in turn, with the load average at start and end, and collect their figures.

Usage: make bench                        (all)
       make bench ONLY=load,growth       (some: letters, admin_1m, review_queue_1m, reminders, load, submit_profile, growth, nppes)
       make bench SKIP=admin_1m          (all but some)
Benchmarks need PostgreSQL and Redis (DATABASE_URL / REDIS_URL default to the local servers) and take minutes.
Each writes bench/results/<name>.json; this run adds bench/results/run_all.json (what ran, exit codes, the load
average before and after each) so a figure taken on a busy machine says so. README.md's performance section
quotes them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = {
    "letters": ["bench/letters.py"],
    "admin_1m": ["bench/admin_1m.py"],
    "review_queue_1m": ["bench/review_queue_1m.py"],  # on the database admin_1m loaded
    "reminders": ["bench/reminders.py"],
    "submit_profile": ["bench/submit_profile.py"],
    "load": ["bench/load/run.py"],
    "growth": ["bench/growth.py"],
    "nppes": ["bench/nppes.py"],
}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> int:
    only = [n for n in os.environ.get("ONLY", "").split(",") if n]
    skip = {n for n in os.environ.get("SKIP", "").split(",") if n}
    names = [n for n in (only or list(BENCHES)) if n not in skip]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_average_start": load_average()}
    print(f"== load average at start: {run['load_average_start']} (1, 5, 15 min; {os.cpu_count()} cores)")
    benches, failed = {}, []
    for name in names:
        script = ROOT / BENCHES[name][0]
        if not script.exists():
            print(f"== {name}: {script.relative_to(ROOT)} is missing, skipped")
            continue
        before = load_average()
        print(f"== {name}: {script.relative_to(ROOT)} (load average {before})", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script), *BENCHES[name][1:]], cwd=ROOT, env=env)
        benches[name] = {
            "exit": result.returncode,
            "seconds": round(time.monotonic() - started),
            "load_average": {"start": before, "end": load_average()},
        }
        print(f"== {name}: exit {result.returncode} after {benches[name]['seconds']} s", flush=True)
        if result.returncode:
            failed.append(name)
    run.update({"benches": benches, "load_average_end": load_average()})
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "run_all.json").write_text(json.dumps(run, indent=2) + "\n")
    for path in sorted(results.glob("*.json")):
        figures = json.loads(path.read_text())
        summary = figures.get("summary") if isinstance(figures, dict) else None
        print(f"\n{path.relative_to(ROOT)}:\n{summary or json.dumps(figures, indent=2)[:3000]}")
    print(f"\n== load average at end: {run['load_average_end']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
