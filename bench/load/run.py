"""Deadline-day load test: gunicorn + PostgreSQL + Redis on this machine; wrk for capacity, locust for the mix.

    .venv/bin/python bench/load/run.py [--seconds 15] [--rounds 3]

Recreates the PostgreSQL database `bench_load` (BENCH_LOAD_DB overrides), migrates it, opens the practice year,
makes the accounts (verified emails, ready sessions) and complete drafts, starts gunicorn (portal/gunicorn.conf.py,
production settings, plus bench/load/settings.py which mounts the baselines), then in one run:

1. Capacity, with wrk (C, one thread: it costs the server's cores little), in interleaved rounds: (a) trivial view,
   (b) minimal authenticated write, and the real submit (one complete draft per POST, session cookie and CSRF
   token from a request file, bench/load/requests.lua). For each: req/s, latency, and the server's CPU per request
   (gunicorn's processes and this database's PostgreSQL backends, from /proc), which a busy machine disturbs less.
2. The deadline-day mix with locust (people: start, open, save, open, submit, confirmation), at an arrival rate of
   50% of the submit capacity just measured, then stepped up until its p99 passes 500 ms.

Afterwards it counts rows to prove no submission was lost or duplicated, and writes bench/results/load.json.
Needs PostgreSQL at BENCH_PG (postgres://postgres@127.0.0.1:5432), Redis at BENCH_REDIS (…/5) and wrk.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.load.forms import form_data  # noqa: E402

PY = sys.executable
LOCUST = str(Path(PY).with_name("locust"))
WRK = shutil.which("wrk") or "wrk"
LUA = ROOT / "bench" / "load" / "requests.lua"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")
DB_NAME = os.environ.get("BENCH_LOAD_DB", "bench_load")
PORT = int(os.environ.get("BENCH_PORT", "18961"))
PASSWORD = "deadline-day-passphrase-42"  # noqa: S105 (bench accounts only)
TICKS = os.sysconf("SC_CLK_TCK")


def bench_env(tmp: Path, workers: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    env.update(
        {
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{PORT}",
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "REDIS_URL": REDIS,
            "CELERY_TASK_DEFAULT_QUEUE": "bench_load",
            "EMAIL_URL": "console://",
            "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback; production sits behind TLS
            "SECURE_COOKIES": "False",
            "LOGIN_RATE_LIMIT": "100000/m/ip",  # every locust user shares 127.0.0.1
            "PORTAL_VAR_DIR": str(tmp / "var"),
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "LOG_FORMAT": "json",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_BIND": f"127.0.0.1:{PORT}",
            "GUNICORN_BACKLOG": "4096",
            "DJANGO_SETTINGS_MODULE": "bench.load.settings",  # the portal + the two baseline views
        }
    )
    return env


def sh(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


PREPARE = r"""
import json, sys, uuid
import django
django.setup()
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from exemptions.models import AdjustmentYear, AffectedEP, ExemptionRequest, HardshipCategory, User
from portal.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
import time

users, drafts_per_user = int(sys.argv[1]), int(sys.argv[2])
call_command("seed_demo", verbosity=0)
year = AdjustmentYear.objects.get(is_practice=True)
category = HardshipCategory.objects.get(code="law-regulation")
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE bench_write (id bigserial PRIMARY KEY, user_id bigint NOT NULL, note text, created_at timestamptz NOT NULL)")
hashed = make_password(sys.argv[3])
people = User.objects.bulk_create(
    [User(email=f"ep{i:04d}@bench.example.org", full_name=f"EP {i}", password=hashed) for i in range(users)]
)
EmailAddress.objects.bulk_create(
    [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people]
)
accounts = []
for user in people:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_AUTH_AT] = session[SESSION_SEEN_AT] = time.time()
    session.create()
    drafts = ExemptionRequest.objects.bulk_create(
        [ExemptionRequest(owner=user, year=year, tin="123456789", contact_email=user.email) for _ in range(drafts_per_user)]
    )
    ExemptionRequest.categories.through.objects.bulk_create(
        [ExemptionRequest.categories.through(exemptionrequest_id=d.pk, hardshipcategory_id=category.pk) for d in drafts]
    )
    AffectedEP.objects.bulk_create(
        [AffectedEP(request=d, position=0, npi="1234567893", name="Pat Example", address_line1="1 Main St",
                    city="Towson", state="MD", zip_code="21204", email=user.email) for d in drafts]
    )
    accounts.append({"email": user.email, "session": session.session_key, "csrf": uuid.uuid4().hex,
                     "drafts": [str(d.public_id) for d in drafts]})
print(json.dumps({"accounts": accounts, "category_id": category.pk, "year": year.year}))
"""

COUNT = r"""
import json
import django
django.setup()
from django.db import connection
from django.db.models import Count
from exemptions.models import ExemptionRequest, OutboundEmail, StatusChange
S = ExemptionRequest.Status
submitted = ExemptionRequest.objects.exclude(status=S.DRAFT)
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM bench_write")
    (writes,) = cursor.fetchone()
changes = StatusChange.objects.filter(to_status=S.SUBMITTED).values("request").annotate(n=Count("id"))
outbox = OutboundEmail.objects.values("key").annotate(n=Count("id"))
print(json.dumps({
    "submitted_requests": submitted.count(),
    "distinct_references": submitted.values("reference").distinct().count(),
    "requests_with_more_than_one_submitted_change": changes.filter(n__gt=1).count(),
    "submitted_changes": StatusChange.objects.filter(to_status=S.SUBMITTED).count(),
    "outbox_rows": OutboundEmail.objects.count(),
    "duplicate_outbox_keys": outbox.filter(n__gt=1).count(),
    "drafts_left": ExemptionRequest.objects.filter(status=S.DRAFT).count(),
    "bench_write_rows": writes,
    "submitted_ids": [str(p) for p in submitted.values_list("public_id", flat=True)],
}))
"""


def wait_for_http(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return round(sorted_values[index], 1)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# --- the server's CPU: gunicorn's processes and this database's backends -------------------------------------------


def _proc_cpu(pid: int, children: bool = False) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks + (int(fields[13]) + int(fields[14]) if children else 0)  # + reaped children (recycled workers)


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def server_cpu_seconds(server_pid: int) -> float:
    """CPU seconds so far of gunicorn (master, workers, recycled workers) and of PostgreSQL's backends of our DB."""
    ticks = sum(_proc_cpu(pid, children=pid == server_pid) for pid in _group_pids(server_pid))
    backends = subprocess.run(
        ["psql", f"{PG}/postgres", "-Atc", f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB_NAME}'"],
        capture_output=True,
        text=True,
    ).stdout.split()
    ticks += sum(_proc_cpu(int(pid)) for pid in backends)
    return ticks / TICKS


# --- capacity with wrk --------------------------------------------------------------------------------------------


def request_file(path: Path, phase: str, config: dict, round_index: int, rounds: int) -> str:
    """The lines wrk sends (method, path, cookie, body); returns the Location suffix that means success."""
    accounts = config["accounts"]
    lines = []
    if phase == "trivial":
        lines = ["GET\t/bench/trivial/\t\t"]
    elif phase == "write":
        for a in accounts:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": a["csrf"], "note": "bench"})
            lines.append(f"POST\t/bench/write/\tsessionid={a['session']}; csrftoken={a['csrf']}\t{body}")
    else:  # submit: each round (and the warm-up, last) its own slice of every account's drafts, interleaved
        size = len(accounts[0]["drafts"]) // (rounds + 1)
        for i in range(size):
            for a in accounts:
                public_id = a["drafts"][round_index * size + i]
                body = urllib.parse.urlencode(form_data(a["csrf"], "submit", a["email"], config["category_id"]))
                cookie = f"sessionid={a['session']}; csrftoken={a['csrf']}"
                lines.append(f"POST\t/requests/{public_id}/edit/\t{cookie}\t{body}")
    path.write_text("\n".join(lines) + "\n")
    return "/submitted/" if phase == "submit" else ""


def wrk_phase(phase: str, args, config: dict, tmp: Path, round_index: int, server_pid: int) -> dict:
    requests_path = tmp / f"{phase}-{round_index}.tsv"
    expect = request_file(requests_path, phase, config, round_index, args.rounds)
    load_before, cpu_before = load_average(), server_cpu_seconds(server_pid)
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [WRK, "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "10s", "-s", str(LUA)]
    output = subprocess.run(
        [*command, config["host"], "--", str(requests_path), "1", expect], capture_output=True, text=True, check=True
    ).stdout
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = server_cpu_seconds(server_pid) - cpu_before
    line = next(x for x in output.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    wrk_cpu = (usage_after.ru_utime + usage_after.ru_stime) - (usage_before.ru_utime + usage_before.ru_stime)
    errors = raw["unexpected"] + sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    result = {
        "requests": raw["requests"],
        "ok": raw["ok"],
        "errors": errors,
        "req_per_s": round(raw["ok"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "server_cpu_ms_per_request": round(cpu * 1000 / max(raw["requests"], 1), 2),
        "wrk_cpu_ms_per_request": round(wrk_cpu * 1000 / max(raw["requests"], 1), 3),
        "load_average": [load_before, load_average()],
    }
    print(f"  {phase} round {round_index}: {json.dumps(result)}", flush=True)
    return result


def median_of(runs: list[dict]) -> dict:
    keys = ["req_per_s", "p50_ms", "p95_ms", "p99_ms", "server_cpu_ms_per_request", "wrk_cpu_ms_per_request"]
    merged = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
    merged.update({"requests": sum(r["requests"] for r in runs), "errors": sum(r["errors"] for r in runs)})
    merged["rounds"] = runs
    return merged


# --- the deadline mix with locust -----------------------------------------------------------------------------------


def stats(rows: list, seconds: float) -> dict:
    latencies = sorted(r[2] for r in rows)
    return {
        "requests": len(rows),
        "errors": sum(1 for r in rows if not r[3]),
        "req_per_s": round(len(rows) / seconds, 1) if seconds else 0.0,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
    }


def mix_step(rate: float, args, config_path: Path, tmp: Path, env: dict, server_pid: int) -> dict:
    """The mix at `rate` requests/s for args.mix_seconds (after every user started)."""
    users = max(10, math.ceil(rate))  # each user passes through the flow (6 requests) about every 6 s
    out = tmp / f"mix-{rate:.0f}.json"
    step_env = {
        **env,
        "BENCH_CONFIG": str(config_path),
        "BENCH_PHASE": "deadline",
        "BENCH_USERS": str(users),
        "BENCH_RATE": str(rate),
        "BENCH_OUT": str(out),
    }
    load_before, cpu_before = load_average(), server_cpu_seconds(server_pid)
    subprocess.run(
        [LOCUST, "-f", str(ROOT / "bench/load/locustfile.py"), "--headless", "--users", str(users)]
        + ["--spawn-rate", str(users), "--run-time", f"{args.mix_seconds}s", "--stop-timeout", "30"]
        + ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
        cwd=ROOT,
        env=step_env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / f"mix-{rate:.0f}.log", "w"),  # noqa: SIM115
    )
    cpu = server_cpu_seconds(server_pid) - cpu_before
    raw = json.loads(out.read_text())
    start = raw["measure_start"] or raw["end"]
    rows = [r for r in raw["records"] if r[1] >= start]
    seconds = max(raw["end"] - start, 1e-9)
    result = {"target_req_per_s": round(rate, 1), "users": users, "all": stats(rows, seconds)}
    for name in sorted({r[0] for r in rows}):
        result[name] = stats([r for r in rows if r[0] == name], seconds)
    result["server_cpu_share"] = round(cpu / seconds / (os.cpu_count() or 1), 2)
    result["load_average"] = [load_before, load_average()]
    result["submitted"] = raw.get("submitted", [])
    print(f"  mix at {rate:.1f} req/s: all {result['all']}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100, help="accounts (each with ready sessions and drafts)")
    parser.add_argument("--seconds", type=int, default=15, help="per capacity round")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (one thread)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--drafts-per-user", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the capacity phases")
    parser.add_argument("--mix-seconds", type=int, default=40)
    parser.add_argument("--mix-steps", default="0.5,0.75,1.0,1.25,1.5,2.0", help="shares of the submit capacity")
    args = parser.parse_args()
    load_start = os.getloadavg()

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise SystemExit(f"port {PORT} is already in use: set BENCH_PORT")
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = bench_env(tmp, args.workers)
    subprocess.run(["psql", PG + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)
    subprocess.run(["psql", PG + "/postgres", "-qc", f"CREATE DATABASE {DB_NAME}"], check=True)
    subprocess.run(["redis-cli", "-u", REDIS, "DEL", "bench_load"], check=False, stdout=subprocess.DEVNULL)
    print("migrating and preparing accounts and drafts …", flush=True)
    sh([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    sh([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    prepared = sh(
        [PY, "-c", PREPARE, str(args.users), str(args.drafts_per_user), PASSWORD], env, capture_output=True, text=True
    )
    config = json.loads(prepared.stdout.strip().splitlines()[-1])
    config.update({"host": f"http://127.0.0.1:{PORT}", "cookie_domain": "127.0.0.1", "password": PASSWORD})
    config_path = tmp / "config.json"
    config_path.write_text(json.dumps(config))

    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(Path(PY).with_name("gunicorn")), "--config", "portal/gunicorn.conf.py", "portal.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{PORT}/readyz")
        runs: dict[str, list] = {"trivial": [], "write": [], "submit": []}
        warm = argparse.Namespace(**{**vars(args), "seconds": 3})
        for phase in runs:  # every worker imports, compiles templates and connects before anything is measured
            wrk_phase(phase, warm, config, tmp, args.rounds, server.pid)
        # Interleaved rounds, so a change in background load hits all three alike.
        for round_index in range(args.rounds):
            for phase in runs:
                runs[phase].append(wrk_phase(phase, args, config, tmp, round_index, server.pid))
        capacity = {phase: median_of(phase_runs) for phase, phase_runs in runs.items()}
        submit_capacity = capacity["submit"]["req_per_s"]
        steps = []
        shares = [float(x) for x in args.mix_steps.split(",")]
        for share in shares:
            steps.append(mix_step(share * submit_capacity, args, config_path, tmp, env, server.pid))
            steps[-1]["share_of_submit_capacity"] = share
            if steps[-1]["all"]["p99_ms"] > 500:
                break
        share = shares[0]
        while all(s["all"]["p99_ms"] > 500 for s in steps) and share > shares[0] / 8:  # over already: step down
            share /= 2
            steps.insert(0, mix_step(share * submit_capacity, args, config_path, tmp, env, server.pid))
            steps[0]["share_of_submit_capacity"] = share
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    counts = json.loads(sh([PY, "-c", COUNT], env, capture_output=True, text=True).stdout)
    report(args, capacity, steps, counts, load_start)
    shutil.rmtree(tmp, ignore_errors=True)


def report(args, capacity: dict, steps: list[dict], counts: dict, load_start) -> None:
    a, b, submit = capacity["trivial"], capacity["write"], capacity["submit"]
    half = next((s for s in steps if s["share_of_submit_capacity"] == 0.5), steps[-1])
    crossed = next((s for s in steps if s["all"]["p99_ms"] > 500), None)
    below = [s for s in steps if s["all"]["p99_ms"] <= 500]
    answered = {public_id for step in steps for public_id in step.pop("submitted")}
    in_database = set(counts.pop("submitted_ids"))
    submits_ok = sum(r["ok"] for r in submit["rounds"])
    ratio = round(submit["req_per_s"] / b["req_per_s"], 3) if b["req_per_s"] else 0.0
    cpu_ratio = round(b["server_cpu_ms_per_request"] / submit["server_cpu_ms_per_request"], 3)
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average": {"start": [round(x, 2) for x in load_start], "end": [round(x, 2) for x in os.getloadavg()]},
        "setup": {
            "server": f"gunicorn, {args.workers} sync workers (portal/gunicorn.conf.py), DEBUG=False, full middleware",
            "database": "PostgreSQL (localhost), CONN_MAX_AGE=60",
            "broker": "Redis (localhost); confirmation emails and receipt builds queued on commit, no worker "
            "consuming (the receipt is a worker's job since this round: see bench/growth.py for its cost)",
            "capacity": f"wrk, 1 thread, {args.connections} connections, {args.rounds} interleaved rounds of "
            f"{args.seconds}s each of trivial, write, submit; figures are the median round",
            "mix": "locust, ready sessions, paced users (start, open, save, open, submit, confirmation; 0.3-1 s "
            f"between clicks), {args.mix_seconds}s per step, stepped up from 50% of the submit capacity",
        },
        "capacity": capacity,
        "submit_vs_minimal_write": ratio,
        "submit_vs_minimal_write_by_server_cpu": cpu_ratio,
        "deadline_mix": steps,
        "deadline_mix_at_half_capacity": {"target_req_per_s": half["target_req_per_s"], **half["all"]},
        "mix_capacity_p99_under_500ms": {
            "last_rate_below": below[-1]["target_req_per_s"] if below else None,
            "first_rate_above": crossed["target_req_per_s"] if crossed else None,
        },
        "targets": {
            "submit_at_least_25pct_of_b": ratio >= 0.25,
            "mix_p99_under_500ms_at_half_submit_capacity": half["all"]["p99_ms"] < 500,
            "zero_errors": a["errors"] + b["errors"] + submit["errors"] + sum(s["all"]["errors"] for s in steps) == 0,
        },
        "integrity": {
            **counts,
            "wrk_submits_answered_submitted": submits_ok,
            "mix_submits_answered_submitted": len(answered),
            "mix_answered_but_not_in_database": len(answered - in_database),
            "no_lost_or_duplicated_submissions": (
                answered <= in_database
                and counts["submitted_requests"] >= submits_ok + len(answered)
                and counts["distinct_references"] == counts["submitted_requests"]
                and counts["requests_with_more_than_one_submitted_change"] == 0
                and counts["submitted_changes"] == counts["submitted_requests"]
                and counts["duplicate_outbox_keys"] == 0
            ),
        },
    }
    result["summary"] = (
        f"(a) trivial {a['req_per_s']} req/s; (b) minimal write {b['req_per_s']} req/s "
        f"({b['server_cpu_ms_per_request']} ms server CPU); submit {submit['req_per_s']} req/s "
        f"({submit['server_cpu_ms_per_request']} ms server CPU), {ratio:.0%} of b ({cpu_ratio:.0%} by CPU); "
        f"mix at {half['target_req_per_s']} req/s: p50/p95/p99 {half['all']['p50_ms']}/{half['all']['p95_ms']}/"
        f"{half['all']['p99_ms']} ms; p99 passes 500 ms between {result['mix_capacity_p99_under_500ms']}"
    )
    out = ROOT / "bench" / "results" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("capacity", "deadline_mix")}, indent=2))


if __name__ == "__main__":
    main()
