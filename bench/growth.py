"""How cost grows with size: submit, letter render, receipt, CSV import at 1, 100 and 2,500 EPs; the reminder
sweep at 1,000, 10,000 and 100,000 drafts.

    .venv/bin/python bench/growth.py [--sizes 1,100,2500] [--drafts 1000,10000,100000] [--repeat 3]

Calls the portal's own code in one process on PostgreSQL (DEBUG off): the submit through the real view and its
form (Django's test client, a signed-in EP whose draft holds the EPs the form sends), `receipt_pdf` and
`letter_pdf` (documents/), `csv_import.parse_eps` + `group_eps_replace` (what the group page's import does), and
`reminders_sweep` (due set, SQL claim, publish to Redis). Each figure is the median of --repeat runs (one run at
the largest size), as CPU ms of this process and wall ms, with the load average when it was taken: PostgreSQL's
own CPU is in the wall time only. Writes bench/results/growth.json.

Uses the database `bench_growth` (BENCH_GROWTH_DATABASE_URL overrides; dropped and recreated) and Redis
BENCH_REDIS_URL (default db 6; the published reminder tasks go to a queue no worker reads, emptied after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg import empty_queue, reminder_year, seed_drafts, setup_django  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_GROWTH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_growth")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
QUEUE = "bench-growth"
RESULTS = ROOT / "bench" / "results"


def timed(run, repeat: int) -> dict:
    """Median CPU and wall ms of `run()` over `repeat` calls, with the load average at the start and end."""
    load = os.getloadavg()[0]
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        run()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return {
        "cpu_ms": round(statistics.median(cpu), 1),
        "wall_ms": round(statistics.median(wall), 1),
        "runs": repeat,
        "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


def bench_submit(user, client, n: int, repeat: int) -> tuple[dict, object]:
    from bench.submit_profile import form_data, make_drafts, post

    drafts = iter(make_drafts(user, repeat, n))
    data = form_data(n)
    last = []

    def run():
        draft = next(drafts)
        post(client, draft, data)
        last.append(draft)

    result = timed(run, repeat)
    return result, last[-1]


def submitted(draft):
    from exemptions.models import ExemptionRequest

    return ExemptionRequest.objects.select_related("year", "submitted_window").get(pk=draft.pk)


def bench_receipt(exemption, repeat: int) -> dict:
    from exemptions.documents.receipts import receipt_pdf

    return timed(lambda: receipt_pdf(exemption), repeat)


def bench_letter(exemption, repeat: int) -> dict:
    from exemptions.documents.letters import letter_pdf

    exemption.kind, exemption.group_name = "group", "Towson Family Practice"  # rendered as a group's letter
    today = dt.date.today()
    return timed(lambda: letter_pdf(exemption, letter_date=today, postmark_deadline=today, version=1), repeat)


def csv_bytes(n: int) -> bytes:
    """The group page's import file (its own template's columns) with `n` EPs."""
    from bench.submit_profile import ep_rows
    from exemptions.csv_import import COLUMNS

    lines = [",".join(COLUMNS)] + [",".join(row[k] for k in COLUMNS) for row in ep_rows(n)]
    return ("\n".join(lines) + "\n").encode()


def bench_csv(user, n: int, repeat: int) -> dict:
    from django.utils import timezone

    from exemptions.csv_import import parse_eps
    from exemptions.models import AdjustmentYear
    from exemptions.services.groups.requests import group_eps_replace, group_request_create

    group = group_request_create(owner=user, year=AdjustmentYear.objects.get(is_practice=True))
    data = csv_bytes(n)

    def run():
        parsed = parse_eps(data)
        assert not parsed.errors, parsed.errors[:3]
        group_eps_replace(exemption=group, actor=user, at=timezone.now(), rows=parsed.rows)

    return timed(run, repeat)


def bench_sweep(counts: list[int]) -> dict:
    """The sweep over 1k, 10k, 100k drafts: seeded in steps, the claimed outbox rows removed between sweeps."""
    from django.utils import timezone

    from exemptions.models import ExemptionRequest, OutboundEmail
    from exemptions.reminder_keys import REMINDER_KINDS
    from exemptions.services.reminders.publish import reminders_sweep

    year, at = reminder_year(2097, "Growth")  # at: the 3-day reminder instant
    results, seeded = {}, 0
    for count in counts:
        started = time.perf_counter()
        seed_drafts(year, range(seeded, count), domain="growth.example.org")
        ExemptionRequest.objects.filter(year=year).update(created_at=timezone.now() - dt.timedelta(days=5))
        seeded = count
        seed_seconds = round(time.perf_counter() - started, 1)
        OutboundEmail.objects.filter(kind__in=REMINDER_KINDS).delete()
        swept = {}

        def run(swept=swept):
            swept.update(reminders_sweep(at=at, per_task=100))

        results[str(count)] = {**timed(run, 1), "swept": dict(swept), "seed_seconds": seed_seconds}
        empty_queue(REDIS_URL, QUEUE)
        print(f"  sweep over {count:,} drafts: {results[str(count)]}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,100,2500")
    parser.add_argument("--drafts", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_start = os.getloadavg()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.load.settings"
    setup_django(DATABASE_URL, redis_url=REDIS_URL, queue=QUEUE)
    from django.test import Client

    from bench.submit_profile import make_user

    user = make_user("growth-ep@example.org")
    client = Client()
    client.force_login(user)
    sizes = [int(x) for x in args.sizes.split(",")]
    measures = {"submit": {}, "receipt": {}, "letter": {}, "csv_import": {}}
    bench_submit(user, client, 1, 2)  # warm-up: imports, templates, fonts
    bench_receipt(submitted(bench_submit(user, client, 1, 1)[1]), 1)
    for n in sizes:
        repeat = 1 if n == max(sizes) and n > 100 else args.repeat
        measures["submit"][str(n)], draft = bench_submit(user, client, n, repeat)
        exemption = submitted(draft)
        measures["receipt"][str(n)] = bench_receipt(exemption, repeat)
        measures["letter"][str(n)] = bench_letter(exemption, repeat)
        measures["csv_import"][str(n)] = bench_csv(user, n, repeat)
        print(f"  {n:,} EPs: " + ", ".join(f"{k} {v[str(n)]['wall_ms']} ms" for k, v in measures.items()), flush=True)
    measures["reminder_sweep"] = bench_sweep([int(x) for x in args.drafts.split(",")])
    empty_queue(REDIS_URL, QUEUE)
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in os.getloadavg()]},
        "setup": "one process, PostgreSQL, DEBUG=False; submit through the view (form with every EP); receipt and "
        "letter: WeasyPrint render; CSV import: parse + replace the group's EPs; sweep: due set, SQL claim, publish",
        "measures": measures,
    }
    result["summary"] = "; ".join(
        f"{name}: " + ", ".join(f"{size} -> {m['cpu_ms']:,.0f} ms CPU" for size, m in sizes.items())
        for name, sizes in measures.items()
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "growth.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
