"""Run every benchmark under bench/ in turn and print where each wrote its figures.

Usage: make bench            (all)
       make bench ONLY=letters   (one: letters, admin_1m, reminders, load, nppes)
Benchmarks need PostgreSQL and Redis (DATABASE_URL / REDIS_URL default to the local servers) and take minutes.
Each writes bench/results/<name>.json; README.md's performance section quotes them.
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
    "reminders": ["bench/reminders.py"],
    "load": ["bench/load/run.py"],
    "nppes": ["bench/nppes.py"],
}


def main() -> int:
    only = os.environ.get("ONLY")
    names = [only] if only else list(BENCHES)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    failed = []
    for name in names:
        script = ROOT / BENCHES[name][0]
        if not script.exists():
            print(f"== {name}: {script.relative_to(ROOT)} is missing, skipped")
            continue
        print(f"== {name}: {script.relative_to(ROOT)}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env)
        print(f"== {name}: exit {result.returncode} after {time.monotonic() - started:.0f} s", flush=True)
        if result.returncode:
            failed.append(name)
    results = ROOT / "bench" / "results"
    for path in sorted(results.glob("*.json")) if results.exists() else []:
        print(f"\n{path.relative_to(ROOT)}:\n{json.dumps(json.loads(path.read_text()), indent=2)[:3000]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
