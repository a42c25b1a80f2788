"""Profile of one complete submit (2 EPs) through the real view, on PostgreSQL, in one process.

    .venv/bin/python bench/submit_profile.py [--submits 30]

Drives the portal's full middleware stack with Django's test client (a signed-in EP, a verified email, complete
drafts with 2 EPs), after warm-up submits. Reports per submit: queries, CPU ms, wall ms, and the same for the
load test's minimal authenticated write (b) in the same process, so their ratio does not depend on the machine's
load. One submit is profiled with cProfile; the top of the profile goes to bench/results/submit_profile.txt (the
README quotes it) and the figures to bench/results/submit_profile.json.

Uses the database `bench_submit` (BENCH_SUBMIT_DATABASE_URL overrides; dropped and recreated) and Redis
BENCH_REDIS_URL (default db 6) for the confirmation emails' tasks, which wait in a queue no worker reads.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg import empty_queue, setup_django  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_SUBMIT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_submit")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
QUEUE = "bench-submit"
RESULTS = ROOT / "bench" / "results"


def ep_rows(n: int) -> list[dict]:
    from exemptions.identifiers import npi_check_digit

    rows = []
    for i in range(n):
        base = f"1{i:08d}"
        rows.append(
            {
                "npi": base + str(npi_check_digit(base)),
                "name": f"Pat Example {i}",
                "address_line1": "1 Main St",
                "address_line2": "",
                "city": "Towson",
                "state": "MD",
                "zip_code": "21204",
                "email": f"ep{i}@example.org",
            }
        )
    return rows


def make_user(email: str = "bench-ep@example.org"):
    from allauth.account.models import EmailAddress

    from exemptions.models import User

    user = User.objects.create_user(email=email, password="bench-passphrase-42", full_name="Bench EP")  # noqa: S106
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_drafts(user, count: int, n_eps: int) -> list:
    """Complete drafts holding the same EPs the form will send (a resubmitted form changes nothing)."""
    from exemptions.models import AdjustmentYear, AffectedEP, ExemptionRequest, HardshipCategory
    from exemptions.services.requests import refresh_summary

    year = AdjustmentYear.objects.get(is_practice=True)
    law = HardshipCategory.objects.get(code="law-regulation")
    drafts = ExemptionRequest.objects.bulk_create(
        [
            ExemptionRequest(
                owner=user,
                year=year,
                tin="123456789",
                contact_phone="410-555-0100",
                justification="State law prevented e-prescribing.",
                attested=True,
                contact_email=user.email,
            )
            for _ in range(count)
        ]
    )
    through = ExemptionRequest.categories.through
    through.objects.bulk_create([through(exemptionrequest_id=d.pk, hardshipcategory_id=law.pk) for d in drafts])
    rows = ep_rows(n_eps)
    AffectedEP.objects.bulk_create(
        [AffectedEP(request=d, position=i, **row) for d in drafts for i, row in enumerate(rows)], batch_size=5000
    )
    for draft in drafts:
        refresh_summary(draft)
    return drafts


def form_data(n_eps: int, action: str = "submit") -> dict:
    from exemptions.models import HardshipCategory

    data = {
        "ep-TOTAL_FORMS": str(n_eps),
        "ep-INITIAL_FORMS": "0",
        "ep-MIN_NUM_FORMS": "0",
        "ep-MAX_NUM_FORMS": "2500",
        "tin": "12-3456789",
        "contact_phone": "410-555-0100",
        "categories": [str(HardshipCategory.objects.get(code="law-regulation").pk)],
        "justification": "State law prevented e-prescribing.",
        "cehrt_id": "",
        "attested": "on",
        "action": action,
    }
    for i, row in enumerate(ep_rows(n_eps)):
        data.update({f"ep-{i}-{k}": v for k, v in row.items()})
    return data


def post(client, draft, data) -> tuple[float, float, int]:
    """One POST to the edit page: (CPU ms, wall ms, queries), checked to have submitted or saved."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.post(f"/requests/{draft.public_id}/edit/", data)
        cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
    expected = "/submitted/" if data["action"] == "submit" else "/edit/"
    if response.status_code != 302 or not response["Location"].endswith(expected):
        raise SystemExit(f"POST answered {response.status_code} {response.get('Location')}")
    return cpu, wall, len(queries)


def minimal_write(client) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.post("/bench/write/", {"note": "bench"})
        cpu, wall = (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
    assert response.status_code == 200, response.status_code
    return cpu, wall, len(queries)


def summary(samples: list[tuple[float, float, int]]) -> dict:
    return {
        "cpu_ms_median": round(statistics.median(s[0] for s in samples), 2),
        "wall_ms_median": round(statistics.median(s[1] for s in samples), 2),
        "queries": max(s[2] for s in samples),
        "n": len(samples),
    }


def profile_text(profiler: cProfile.Profile, limit: int = 45) -> str:
    """The profile (CPU time, several submits) by cumulative time, then the functions that spend the most."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(20)
    lines = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submits", type=int, default=30)
    parser.add_argument("--eps", type=int, default=2)
    args = parser.parse_args()
    load_start = os.getloadavg()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.load.settings"  # the portal + the minimal write (b)
    setup_django(DATABASE_URL, redis_url=REDIS_URL, queue=QUEUE)
    from django.db import connection
    from django.test import Client

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_write (id bigserial PRIMARY KEY, user_id bigint NOT NULL, note text, "
            "created_at timestamptz NOT NULL)"
        )
    user = make_user()
    warmup = 5
    drafts = make_drafts(user, warmup + args.submits, args.eps)
    client = Client()
    client.force_login(user)
    submit_data, save_data = form_data(args.eps), form_data(args.eps, action="save")
    for draft in drafts[:warmup]:
        post(client, draft, save_data)
        post(client, draft, submit_data)
        minimal_write(client)
    measured = drafts[warmup : warmup + args.submits]
    submits, saves, writes = [], [], []
    for draft in measured:  # interleaved, so a change in background load hits all three alike
        saves.append(post(client, draft, save_data))
        submits.append(post(client, draft, submit_data))
        writes.append(minimal_write(client))
    profiler = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL are the server's, not ours
    profiled = make_drafts(user, 10, args.eps)
    profiler.enable()
    for draft in profiled:
        post(client, draft, submit_data)
    profiler.disable()
    text = profile_text(profiler)
    empty_queue(REDIS_URL, QUEUE)
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "setup": f"Django test client, full middleware, DEBUG=False, PostgreSQL, {args.eps} EPs, one process",
        "submit": summary(submits),
        "save_draft": summary(saves),
        "minimal_write_b": summary(writes),
        "load_average": {"start": load_start, "end": os.getloadavg()},
    }
    result["submit_cpu_vs_minimal_write"] = round(
        result["minimal_write_b"]["cpu_ms_median"] / result["submit"]["cpu_ms_median"], 3
    )
    result["summary"] = (
        f"submit {result['submit']['cpu_ms_median']} ms CPU, {result['submit']['queries']} queries; save "
        f"{result['save_draft']['cpu_ms_median']} ms; minimal write {result['minimal_write_b']['cpu_ms_median']} ms "
        f"(ratio {result['submit_cpu_vs_minimal_write']:.0%}); load average {load_start[0]:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "submit_profile.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "submit_profile.txt").write_text(text + "\n")
    print(json.dumps(result, indent=2))
    print(text)


if __name__ == "__main__":
    main()
