"""Benchmark: the staff request list, its work queues and the program dashboard over 1,000,000 requests (PostgreSQL).

    .venv/bin/python bench/admin_1m.py                 # load 1,000,000 requests (about 2-3 min), then measure
    .venv/bin/python bench/admin_1m.py --keep          # reuse the loaded database, measure only
    .venv/bin/python bench/admin_1m.py --rows 100000   # a smaller run

Drops and recreates the database `bench_admin` (override with BENCH_DATABASE_URL), migrates it, loads users,
requests, one affected EP and one category per request with COPY (indexes dropped during the load and rebuilt
after), VACUUM ANALYZEs, then measures the changelist as a member of the Reviewer group through Django's test
client (server time: middleware, view, SQL and template; no network) for: the first page, a status filter, a
year + status filter, a search by NPI, by name, by TIN and by reference, and page 50. Each is measured fresh
and again after a third of the rows were updated without VACUUM (the churn that makes COUNT(*) slow), and the
query count is checked at page sizes 20, 100 and 500. The work queues are the list filtered by status, oldest
submission first. The program dashboard (/admin/dashboard/) reads a summary table: the bench also loads the status
history of every decision, GPRO mailing dates and a few extensions, times one full recount of the summary (the beat
task's work) and then measures the dashboard per year and window, and one CSV download. Prints a table, writes
bench/results/admin_1m.json with the load average (the machine may be shared).
Targets (2 cores): every list case <= 300 ms median server time and <= 10 queries whatever the page size; the
dashboard <= 300 ms and <= 15 queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import re
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_admin")
TARGET_MS, TARGET_QUERIES, DASHBOARD_QUERIES = 300, 10, 15
RUNS = 7

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("PORTAL_REQUIRE_STAFF_MFA", "False")  # the bench logs in with force_login, no TOTP
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Priya Wei Mohammed Fatima Olga Kenji Aisha Carlos Lucia Nikolai".split()
)
LAST = [
    f"{a}{b}"
    for a in "Smith Johnson Okafor Nguyen Garcia Kowalski Brown Patel Rossi Haddad Chen Murphy Schmidt Silva".split()
    for b in ("", "son", "ley", "ford", "er", "ini", "berg", "ova", "well", "ton")
]
STATUSES = [  # (status, weight): a portal some weeks after a deadline
    ("draft", 8),
    ("submitted", 25),
    ("under_review", 15),
    ("info_requested", 4),
    ("resubmitted", 2),
    ("approved", 30),
    ("denied", 12),
    ("withdrawn", 4),
]
YEAR_SHARE = {2012: 0.30, 2013: 0.45, 2014: 0.25}
REGISTRY_WARNINGS = 0.02  # submitted requests with an EP that does not match the NPI registry
REGISTRY_RANDOM = random.Random(18)
LETTERS_RANDOM = random.Random(19)  # GPRO mailing dates and decision times: the other columns stay as before
JUSTIFICATION = (
    "Our practice is in a rural county without broadband; the only connection is a satellite link that fails "
    "in bad weather. The e-prescribing vendor requires a stable connection and prescriptions were faxed instead. "
) * 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="reuse an already loaded bench database")
    args = parser.parse_args()
    if not args.keep:
        recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    if not args.keep:
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        load(args.rows)
        load_seconds = time.monotonic() - started
    else:
        load_seconds = None
        vacuum_analyze()  # a previous run's churn phase left dead tuples: start fresh
    load_before = os.getloadavg()
    results = measure_all()
    results["load_average"] = {
        "before": [round(x, 2) for x in load_before],
        "after": [round(x, 2) for x in os.getloadavg()],
    }
    report(args.rows, load_seconds, results)
    return 0 if all(r["ok"] for r in results["cases"]) else 1


# --- database ---------------------------------------------------------------------------------------------------


def recreate_database() -> None:
    import psycopg

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def load(rows: int) -> None:
    from django.db import connection

    from exemptions.models import AdjustmentYear, HardshipCategory, SubmissionWindow, YearCategory

    random.seed(20111101)
    years = {y.year: y for y in AdjustmentYear.objects.filter(year__in=YEAR_SHARE)}
    windows = {
        y: list(SubmissionWindow.objects.filter(year=years[y], channel="online").order_by("opens_at")) for y in years
    }
    categories = {
        y: list(
            YearCategory.objects.filter(year=years[y], information_only=False).values_list("category_id", flat=True)
        )
        or list(HardshipCategory.objects.values_list("pk", flat=True))
        for y in years
    }
    tables = [*TABLES, "exemptions_statuschange"]
    with connection.cursor() as cursor:
        saved = drop_indexes(cursor, tables)
        t = time.monotonic()
        owners, reviewers = copy_users(cursor, rows)
        print(f"users: {time.monotonic() - t:.1f} s", flush=True)
        t = time.monotonic()
        copy_requests(cursor, rows, years, windows, categories, owners, reviewers)
        print(f"requests, EPs, categories: {time.monotonic() - t:.1f} s", flush=True)
        t = time.monotonic()
        for sql in saved:
            cursor.execute(sql)
        print(f"indexes rebuilt: {time.monotonic() - t:.1f} s", flush=True)
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    extensions_add(years)
    t = time.monotonic()
    vacuum_analyze()
    print(f"vacuum analyze: {time.monotonic() - t:.1f} s", flush=True)


TABLES = [
    "exemptions_user",
    "exemptions_exemptionrequest",
    "exemptions_affectedep",
    "exemptions_exemptionrequest_categories",
]


def extensions_add(years) -> None:
    """A few staff extensions past the 2013 second window's deadline: the dashboard marks their end dates."""
    from exemptions.models import ExemptionRequest, Extension, SubmissionWindow, User

    window = SubmissionWindow.objects.filter(year=years[2013], channel="online").order_by("-closes_at").first()
    staff = User.objects.get(email="reviewer0@cms.example.gov")
    requests = ExemptionRequest.objects.filter(submitted_window=window).order_by("-submitted_at")[:60]
    Extension.objects.bulk_create(
        Extension(
            year=years[2013],
            request=request,
            until=window.closes_at + dt.timedelta(days=7 * (1 + n % 2)),
            reason="Portal unreachable on deadline day",
            granted_by=staff,
        )
        for n, request in enumerate(requests)
    )


def drop_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop plain indexes (not primary keys or unique constraints) before COPY; return their definitions."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.tablename = ANY(%s) AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def copy_rows(cursor, table: str, columns: list[str], lines) -> None:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.cursor.copy(sql) as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, start=1):
            buffer.write(line)
            if n % 20000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def copy_users(cursor, rows: int) -> tuple[list[int], list[int]]:
    from django.utils import timezone

    from exemptions.roles import REVIEWER, roles_setup

    count = max(rows // 20, 10)
    now = timezone.now().isoformat()
    cols = ["password", "is_superuser", "is_staff", "is_active", "date_joined", "email", "full_name", "email_reminders"]
    lines = (
        f"!\tf\tf\tt\t{now}\tep{i}@bench.example\t{random.choice(FIRST)} {random.choice(LAST)}\tt\n"
        for i in range(count)
    )
    copy_rows(cursor, "exemptions_user", cols, lines)
    cursor.execute("SELECT MIN(id), MAX(id) FROM exemptions_user")
    low, high = cursor.fetchone()
    from django.contrib.auth.models import Group

    from exemptions.models import User

    roles_setup()
    reviewers = []
    for i in range(20):
        user = User.objects.create_user(f"reviewer{i}@cms.example.gov", None, is_staff=True, full_name=f"Reviewer {i}")
        user.groups.add(Group.objects.get(name=REVIEWER))
        reviewers.append(user.pk)
    return list(range(low, high + 1)), reviewers


def npi(base: int) -> str:
    from stdnum import luhn

    digits = f"1{base:08d}"
    return digits + luhn.calc_check_digit("80840" + digits)


def copy_requests(cursor, rows, years, windows, categories, owners, reviewers) -> None:
    from exemptions.models import ExemptionRequest

    fields = [f for f in ExemptionRequest._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {f.column: _default(f) for f in fields}
    statuses = [s for s, w in STATUSES for _ in range(w)]
    counters = dict.fromkeys(years, 0)
    order = sorted(years)
    # Requests arrive in time order (ids grow with time), like the real portal: each window's share in turn.
    plan = []
    for year in order:
        share = int(rows * YEAR_SHARE[year])
        per_window = share // len(windows[year])
        plan += [(year, w, per_window) for w in windows[year]]
    plan[-1] = (plan[-1][0], plan[-1][1], rows - sum(n for _, _, n in plan[:-1]))
    request_lines, ep_lines, category_lines, change_lines = [], [], [], []
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM exemptions_exemptionrequest")
    next_id = cursor.fetchone()[0] + 1

    def flush():
        copy_rows(cursor, "exemptions_exemptionrequest", ["id", *columns], request_lines)
        copy_rows(
            cursor,
            "exemptions_affectedep",
            [
                "request_id",
                "position",
                "npi",
                "name",
                "address_line1",
                "address_line2",
                "city",
                "state",
                "zip_code",
                "email",
            ],
            ep_lines,
        )
        copy_rows(
            cursor,
            "exemptions_exemptionrequest_categories",
            ["exemptionrequest_id", "hardshipcategory_id"],
            category_lines,
        )
        copy_rows(
            cursor,
            "exemptions_statuschange",
            [
                "request_id",
                "from_status",
                "to_status",
                "actor_id",
                "at",
                "reason_code",
                "message_to_ep",
                "internal_note",
            ],
            change_lines,
        )
        request_lines.clear()
        ep_lines.clear()
        category_lines.clear()
        change_lines.clear()

    for year, window, count in plan:
        start, end = window.opens_at, window.closes_at
        step = (end - start) / max(count, 1)
        for k in range(count):
            rid = next_id
            next_id += 1
            at = start + step * k + dt.timedelta(seconds=random.randint(0, 59))
            status = random.choice(statuses)
            group = random.random() < 0.05
            first, last = random.choice(FIRST), random.choice(LAST)
            name = f"{last} Medical Group" if group else f"Dr {first} {last}"
            ep_npi = npi(rid)
            values = dict(defaults)
            values.update(
                public_id=str(uuid.uuid4()),
                kind="group" if group else "individual",
                owner_id=str(random.choice(owners)),
                year_id=str(years[year].pk),
                status=status,
                version="3",
                tin=f"{random.randint(10, 99)}{random.randint(0, 9999999):07d}",
                justification=JUSTIFICATION,
                attested="t",
                contact_name=f"{first} {last}",
                contact_email=f"{first}.{last}{rid}@clinic.example".lower(),
                contact_phone="410-555-0100",
                address_line1="1 Main St",
                city="Towson",
                state="MD",
                zip_code="21204",
                group_name=name if group else "",
                display_name=name,
                first_npi=ep_npi,
                ep_count="1",
                created_at=(at - dt.timedelta(hours=2)).isoformat(),
                updated_at=at.isoformat(),
            )
            if status != "draft":
                # Checked against the NPI registry at submission: most match, a few need a look.
                # (Its own generator: the other columns stay as in earlier runs.)
                values["registry_summary"] = "warning" if REGISTRY_RANDOM.random() < REGISTRY_WARNINGS else "match"
                counters[year] += 1
                values.update(
                    reference=f"HX-{year}-{counters[year]:06d}",
                    submitted_at=at.isoformat(),
                    submitted_window_id=str(window.pk),
                )
            if status in ("under_review", "info_requested", "resubmitted", "approved", "denied"):
                values["assigned_reviewer_id"] = str(random.choice(reviewers))
            if group and status != "draft":
                # The group mailed its letter a day or two before and CMS logged it some days later.
                mailed = (at - dt.timedelta(days=LETTERS_RANDOM.randint(0, 2))).date()
                values["mailed_on"] = mailed.isoformat()
                if status not in ("submitted", "withdrawn"):
                    values["received_on"] = (mailed + dt.timedelta(days=LETTERS_RANDOM.randint(2, 9))).isoformat()
            if status in ("approved", "denied"):
                decided = at + dt.timedelta(days=20, hours=LETTERS_RANDOM.randint(0, 200))
                change_lines.append(
                    f"{rid}\tunder_review\t{status}\t{values['assigned_reviewer_id']}\t{decided.isoformat()}"
                    "\tbench\tCMS reviewed your request.\t\n"
                )
                values.update(
                    decided_at=(at + dt.timedelta(days=20)).isoformat(),
                    decision_reason_code="bench",
                    decision_message="CMS reviewed your request. " * 4,
                    internal_notes="Checked claims.",
                )
            request_lines.append("\t".join([str(rid), *(values[c] for c in columns)]) + "\n")
            ep_lines.append(
                f"{rid}\t0\t{ep_npi}\tDr {first} {last}\t1 Main St\t\tTowson\tMD\t21204\tep{rid}@clinic.example\n"
            )
            category_lines.append(f"{rid}\t{random.choice(categories[year])}\n")
            if len(request_lines) >= 50000:
                flush()
    flush()


def _default(field) -> str:
    if field.null:
        return "\\N"
    value = field.get_default()
    if isinstance(value, bool):
        return "t" if value else "f"
    return "" if value is None else str(value)


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in [*TABLES, "exemptions_statuschange"]:
            cursor.execute(f"VACUUM ANALYZE {table}")


def churn() -> float:
    """Update a third of the requests (as reviewers do) without VACUUM: dead tuples, the slow-COUNT(*) state."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE exemptions_exemptionrequest SET (autovacuum_enabled = false)")
        cursor.execute("UPDATE exemptions_exemptionrequest SET version = version + 1 WHERE id % 3 = 0")
    return time.monotonic() - started


def restore_autovacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE exemptions_exemptionrequest RESET (autovacuum_enabled)")


# --- measurement ------------------------------------------------------------------------------------------------


def cases() -> list[tuple[str, dict]]:
    from exemptions.models import AdjustmentYear, ExemptionRequest

    year = AdjustmentYear.objects.get(year=2013)
    sample = ExemptionRequest.objects.filter(status="approved").order_by("pk")[500]
    return [
        ("first page", {}),
        ("status filter", {"status__exact": "under_review"}),
        ("year + status filter", {"year": str(year.pk), "status__exact": "approved"}),
        ("search by NPI", {"q": sample.first_npi}),
        ("search by name", {"q": "Priya Okaforley"}),
        ("search by surname (7k rows)", {"q": "Okaforley"}),
        ("search by TIN", {"q": sample.tin}),
        ("search by reference", {"q": sample.reference}),
        ("page 50", {"p": "50"}),
        ("date hierarchy: 2012", {"submitted_at__year": "2012"}),
        ("registry: some EP does not match", {"registry": "warning"}),
        ("registry: not checked", {"registry": "none"}),
        *queue_cases(),
    ]


def queue_cases() -> list[tuple[str, dict]]:
    """The reviewers' work queues: the list filtered by an open status, oldest submission first."""
    from django.contrib import admin

    from exemptions.models import ExemptionRequest

    model_admin = admin.site._registry[ExemptionRequest]
    # Django's "o" is a column's position in the list (the action checkbox first); the list may change shape.
    columns = ["action_checkbox", *model_admin.list_display]
    oldest = {"o": str(columns.index("submitted_at_et"))} if "submitted_at_et" in columns else {}
    return [
        (f"queue: {status.replace('_', ' ')}, oldest first", {"status__exact": status, **oldest})
        for status in ("submitted", "under_review", "info_requested", "resubmitted")
    ]


def dashboard_cases() -> list[tuple[str, str, dict]]:
    from exemptions.models import AdjustmentYear, SubmissionWindow

    second = SubmissionWindow.objects.filter(year__year=2013, channel="online").order_by("-opens_at").first()
    AdjustmentYear.objects.get_or_create(year=2099, defaults={"adjustment_percent": 1, "reporting_period": "none"})
    page, csv = "/admin/dashboard/", "/admin/dashboard/reviewers.csv"
    return [
        ("dashboard: default year", page, {}),
        ("dashboard: 2013, all windows", page, {"year": "2013"}),
        ("dashboard: 2013, second window", page, {"year": "2013", "window": str(second.pk)}),
        ("dashboard: 2012", page, {"year": "2012"}),
        ("dashboard: a year with no requests", page, {"year": "2099"}),
        ("dashboard CSV: reviewers, 2013", csv, {"year": "2013"}),
    ]


def dashboard_refresh_timed() -> dict:
    """One full recount of the dashboard's summary: what the beat task does every 5 minutes."""
    from django.utils import timezone

    from exemptions.models import DashboardFigure
    from exemptions.services.dashboard import dashboard_refresh

    started, started_cpu = time.perf_counter(), time.process_time()
    written = dashboard_refresh(at=timezone.now())
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "python_cpu_seconds": round(time.process_time() - started_cpu, 2),
        "rows_written": written,
        "rows_in_table": DashboardFigure.objects.count(),
    }


def measure_all() -> dict:
    from django.test import Client

    from exemptions.models import User

    client = Client()
    client.force_login(User.objects.get(email="reviewer0@cms.example.gov"))
    url = "/admin/exemptions/exemptionrequest/"
    results = {"cases": []}
    dashboard_cases()  # creates the empty year before the recount
    results["dashboard_refresh"] = dashboard_refresh_timed()
    for phase in ("fresh", "after churn"):
        if phase == "after churn":
            results["churn_seconds"] = round(churn(), 1)
        try:
            for name, params in cases():
                try:
                    figures = measure(client, url, params)
                except Exception as exc:  # one failing case must not hide the others' figures
                    figures = {"params": params, "error": f"{type(exc).__name__}: {exc}"[:300], "ok": False}
                results["cases"].append({"phase": phase, "case": name, **figures})
            # The dashboard reads its summary table, which churn on the requests does not touch: measured once.
            for name, page, params in dashboard_cases() if phase == "fresh" else []:
                try:
                    figures = measure(client, page, params, max_queries=DASHBOARD_QUERIES)
                except Exception as exc:
                    figures = {"params": params, "error": f"{type(exc).__name__}: {exc}"[:300], "ok": False}
                results["cases"].append({"phase": phase, "case": name, **figures})
        finally:
            if phase == "after churn":
                restore_autovacuum()
    results["page_sizes"] = page_size_queries(client, url)
    return results


def measure(client, url: str, params: dict, runs: int = RUNS, max_queries: int = TARGET_QUERIES) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu, queries, sql, shown = [], [], [], [], None
    for _ in range(runs + 1):  # the first run warms caches and is not counted
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - started) * 1000
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (params, response.status_code)
        times.append(elapsed)
        queries.append(len(captured))
        sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        found = re.search(
            r'class="paginator">\s*(?:.*?</a>\s*)*?([\d,]+) (?:exemption request|result)',
            response.content.decode(),
            re.S,
        )
        shown = found.group(1) if found else None
    times = times[1:]
    median = statistics.median(times)
    return {
        "params": params,
        "median_ms": round(median, 1),
        "max_ms": round(max(times), 1),
        "sql_ms": round(statistics.median(sql[1:]), 1),
        # On a shared machine wall time includes waiting for a CPU; Python CPU time + SQL time does not.
        "cpu_plus_sql_ms": round(statistics.median(c + q for c, q in zip(cpu[1:], sql[1:], strict=True)), 1),
        # A run that opens a new connection (CONN_MAX_AGE expired) adds its setup statements: report the median.
        "queries": int(statistics.median(queries[1:])),
        "max_queries": max(queries[1:]),
        "result_count": shown,
        "ok": median <= TARGET_MS and statistics.median(queries[1:]) <= max_queries,
    }


def page_size_queries(client, url: str) -> dict:
    from django.contrib import admin
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exemptions.models import ExemptionRequest

    model_admin = admin.site._registry[ExemptionRequest]
    saved = model_admin.list_per_page
    sizes = {}
    try:
        for size in (20, 100, 500):
            model_admin.list_per_page = size
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                client.get(url, {"status__exact": "approved"})
                elapsed = (time.perf_counter() - started) * 1000
            sizes[str(size)] = {"queries": len(captured), "ms": round(elapsed, 1)}
    finally:
        model_admin.list_per_page = saved
    return sizes


def report(rows: int, load_seconds: float | None, results: dict) -> None:
    print(
        f"\nChangelist, queues and dashboard over {rows:,} requests, as a Reviewer (median of {RUNS} runs, server time):"
    )
    print(
        f"{'phase':<12} {'case':<36} {'median ms':>9} {'max ms':>8} {'SQL ms':>7} {'CPU+SQL':>8} {'queries':>7}"
        "  rows shown  ok"
    )
    for r in results["cases"]:
        if "error" in r:
            print(f"{r['phase']:<12} {r['case']:<36} ERROR {r['error']}")
            continue
        print(
            f"{r['phase']:<12} {r['case']:<36} {r['median_ms']:>9} {r['max_ms']:>8} {r['sql_ms']:>7} "
            f"{r['cpu_plus_sql_ms']:>8} {r['queries']:>7}  "
            f"{str(r['result_count']):>10}  {'yes' if r['ok'] else 'NO'}"
        )
    print(
        "load average (1, 5, 15 min) before/after:", results["load_average"]["before"], results["load_average"]["after"]
    )
    refresh = results["dashboard_refresh"]
    print(f"dashboard summary recount (the beat task): {refresh['seconds']} s, {refresh['rows_in_table']:,} rows")
    print(
        "queries by page size (status filter):",
        ", ".join(f"{k}: {v['queries']} ({v['ms']} ms)" for k, v in results["page_sizes"].items()),
    )
    out = ROOT / "bench" / "results" / "admin_1m.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "admin changelist, work queues and program dashboard over a million requests",
                "rows": rows,
                "load_seconds": round(load_seconds, 1) if load_seconds else None,
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "targets": {"median_ms": TARGET_MS, "queries": TARGET_QUERIES},
                **results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
