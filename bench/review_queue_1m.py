"""Benchmark: the reviewer's queue pages over 1,000,000 requests in PostgreSQL (the database of bench/admin_1m.py).

    .venv/bin/python bench/admin_1m.py --rows 1000000   # load once (drops and recreates `bench_admin`)
    .venv/bin/python bench/review_queue_1m.py           # then measure the queue pages on it

Measures, as a member of the Reviewer group through Django's test client (server time, no network; the first run
warms caches and is not counted): the staff home (six capped queue counts in one query), each queue list (oldest
submission first), "All requests", and the review screen with its decision panel. Prints a table and writes
bench/results/review_queue_1m.json. Targets (2 cores): <= 300 ms median server time and <= 10 queries a list page.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import admin_1m  # noqa: E402  (sets DATABASE_URL and the settings module before Django starts)

LIST = "/admin/exemptions/exemptionrequest/"


def cases() -> list[tuple[str, str, dict]]:
    from exemptions.models import ExemptionRequest

    submitted = ExemptionRequest.objects.filter(status="submitted").order_by("pk").only("pk")[1000]
    return [
        ("staff home (queue counts)", "/admin/", {}),
        ("open work queue (default list)", LIST, {}),
        ("unassigned", LIST, {"queue": "unassigned"}),
        ("mine in review", LIST, {"queue": "mine"}),
        ("waiting for the EP", LIST, {"queue": "waiting"}),
        ("replies overdue", LIST, {"queue": "overdue"}),
        ("ready to decide", LIST, {"queue": "ready"}),
        ("letters not yet received", LIST, {"queue": "letters"}),
        ("all requests", LIST, {"queue": "all"}),
        ("review screen with the decision panel", f"{LIST}{submitted.pk}/change/", {}),
    ]


def main() -> int:
    import django

    django.setup()
    from django.test import Client

    from exemptions.models import User

    admin_1m.vacuum_analyze()
    client = Client()
    client.force_login(User.objects.get(email="reviewer0@cms.example.gov"))
    results = []
    for name, url, params in cases():
        figures = admin_1m.measure(client, url, params)
        if url.endswith("/change/") or url == "/admin/":
            figures["ok"] = figures["median_ms"] <= admin_1m.TARGET_MS  # not a list: its query budget differs
        results.append({"case": name, "url": url, **figures})
    print(f"{'case':42} {'median':>8} {'sql':>7} {'queries':>7}  shown")
    for r in results:
        print(f"{r['case']:42} {r['median_ms']:>6} ms {r['sql_ms']:>5} ms {r['queries']:>7}  {r['result_count'] or ''}")
    out = ROOT / "bench" / "results" / "review_queue_1m.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"machine": platform.platform(), "load": os.getloadavg(), "cases": results}, indent=2) + "\n"
    )
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
