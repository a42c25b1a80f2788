"""Benchmark: one reminder sweep over 100,000 drafts, delivered by real Celery workers to a local SMTP sink.

    .venv/bin/python bench/reminders.py            # 100,000 drafts (about 5-8 minutes in all)
    .venv/bin/python bench/reminders.py --drafts 5000 --workers 2
    .venv/bin/python bench/reminders.py --sweep-only     # due set and enqueue only (no workers)

Needs PostgreSQL and Redis. It drops and recreates the database `bench_reminders` and empties Redis DB 4 (override
with BENCH_DATABASE_URL / BENCH_REDIS_URL). Reports the time to compute the due set, to enqueue (claim the outbox
rows and publish them), to deliver every email, and the duplicates counted by the SMTP sink (must be 0), and writes
bench/results/reminders.json with the load average at start and end. Targets (2 cores, issue #16): due set <= 5 s,
enqueue <= 20 s, all delivered <= 5 min, <= 4 ms worker CPU per email.

CPU time is read from /proc for the worker processes, the SMTP sink and this database's PostgreSQL backends, so
other load on a shared machine does not count. `projected_idle_deliver_seconds` is what those CPU seconds need on
the machine's cores with nothing else running: sum of their CPU / cores (Redis and the kernel not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_reminders")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
QUEUE = "bench-reminders"
TARGETS = {
    "due_set_seconds": 5,
    "enqueue_seconds": 20,
    "deliver_all_seconds": 300,
    "worker_cpu_ms_per_email": 4.0,
    "duplicates": 0,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the SMTP sink (a child process): one line per accepted message, with its recipients --------------------------


def run_sink(port: int, log_path: str) -> None:
    from aiosmtpd.controller import Controller

    out = open(log_path, "a", buffering=1)  # noqa: SIM115

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            out.write(",".join(envelope.rcpt_tos) + "\n")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


# --- the benchmark --------------------------------------------------------------------------------------------------


def environment(smtp_port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "localhost",
        "LOG_LEVEL": "WARNING",
    }


def recreate_database() -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(count: int) -> dt.datetime:
    """`count` drafts (one EP each, different owners) in a window closing 3 days from today; returns the 3-day
    reminder instant (9:00 ET today)."""
    from django.utils import timezone

    from bench.pg import reminder_year, seed_drafts
    from exemptions.models import ExemptionRequest

    year, reminder_at = reminder_year(2098, "Benchmark")
    seed_drafts(year, range(count), domain="bench.example.org")
    ExemptionRequest.objects.update(created_at=timezone.now() - dt.timedelta(days=5))
    return reminder_at


def children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc): a figure other load on the machine cannot skew."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def database_backends(name: str) -> list[int]:
    """PostgreSQL server processes serving database `name` (their title reads "postgres: <user> <db> …")."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            title = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {name} " in title:
            pids.append(int(cmdline.parent.name))
    return pids


def celery_worker_argv(queue: str, concurrency: int) -> list[str]:
    """A prefork worker on one queue, without the cluster chatter (the tests' live worker starts the same)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "-Q",
        queue,
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def start_workers(env: dict, workers: int, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115
    process = subprocess.Popen(
        celery_worker_argv(QUEUE, workers),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    return process


def sweep_only(at: dt.datetime, args, results_path: Path) -> None:
    """Time the due set and the enqueue alone (no workers: the published tasks are dropped with Redis DB 4)."""
    import redis
    from django.db import connection

    from exemptions.services.reminders import reminders_due, reminders_sweep

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    load = os.getloadavg()
    t0 = time.monotonic()
    due = reminders_due(at=at)
    t1 = time.monotonic()
    swept = reminders_sweep(at=at, per_task=args.per_task)
    t2 = time.monotonic()
    again = reminders_sweep(at=at, per_task=args.per_task)
    t3 = time.monotonic()
    redis.Redis.from_url(REDIS_URL).flushdb()
    run = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "drafts": args.drafts,
        "due": len(due),
        "due_set_seconds": round(t1 - t0, 2),
        "enqueue_seconds": round(t2 - t1, 2),
        "claimed": swept["due"],
        "published": swept["published"],
        "second_sweep_seconds": round(t3 - t2, 2),
        "second_sweep_claimed": again["due"],
        "load_average_at_start": [round(x, 1) for x in load],
    }
    report = json.loads(results_path.read_text()) if results_path.exists() else {"benchmark": "reminders"}
    report["sweep_only_run"] = run
    results_path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(run, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafts", type=int, default=100_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=8,
        help="worker pool processes (prefork; about 70%% of a send is waiting on the database)",
    )
    parser.add_argument("--per-task", type=int, default=100, help="emails per published task")
    parser.add_argument("--sweep-only", action="store_true", help="time the due set and the enqueue only")
    parser.add_argument("--timeout", type=int, default=900, help="give up waiting for delivery after N seconds")
    args = parser.parse_args()

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    work = ROOT / "var" / "bench-reminders"
    work.mkdir(parents=True, exist_ok=True)
    sink_log = work / "sink.log"
    sink_log.write_text("")
    smtp_port = free_port()
    env = environment(smtp_port)
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "REDIS_URL",
                "CELERY_BROKER_URL",
                "CELERY_TASK_DEFAULT_QUEUE",
                "DEBUG",
                "SECRET_KEY",
                "ALLOWED_HOSTS",
                "LOG_LEVEL",
                "EMAIL_URL",
            )
        }
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(ROOT))

    print(f"Recreating {DATABASE_URL} and migrating …", flush=True)
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()

    from exemptions.models import OutboundEmail
    from exemptions.services.reminders import reminders_due, reminders_sweep

    print(f"Seeding {args.drafts:,} drafts …", flush=True)
    started = time.monotonic()
    at = seed(args.drafts)
    seed_seconds = time.monotonic() - started
    if args.sweep_only:
        return sweep_only(at, args, results_dir / "reminders.json")

    sink = subprocess.Popen([sys.executable, __file__, "--sink", str(smtp_port), str(sink_log)], cwd=ROOT)
    workers = start_workers(env, args.workers, work / "worker.log")
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print("Sweeping …", flush=True)
        db_name = DATABASE_URL.rsplit("/", 1)[1]
        db_cpu_before = {pid: cpu_seconds([pid]) for pid in database_backends(db_name)}  # seeding is not counted
        load_before = os.getloadavg()
        t0 = time.monotonic()
        due = reminders_due(at=at)  # the due set as a list (what the dry run prints)
        t1 = time.monotonic()
        swept = reminders_sweep(at=at, per_task=args.per_task)  # claims in SQL, then publishes
        t2 = time.monotonic()
        published = swept["published"]
        print(f"  due set {t1 - t0:.2f} s ({len(due):,}), enqueue {t2 - t1:.2f} s ({swept})")
        db_cpu: dict[int, float] = {}  # backends come and go: the last reading of each
        done = 0
        while time.monotonic() - t0 < args.timeout:
            done = OutboundEmail.objects.exclude(status__in=["pending", "sending"]).count()
            db_cpu.update({pid: cpu_seconds([pid]) - db_cpu_before.get(pid, 0) for pid in database_backends(db_name)})
            if done >= len(due):
                break
            time.sleep(5)  # counting 100,000 rows costs the database a little: not every second
        t3 = time.monotonic()
        sink_cpu = cpu_seconds([sink.pid])
        by_status = dict(Counter(OutboundEmail.objects.values_list("status", flat=True)))
        print(f"  delivered in {t3 - t0:.1f} s: {by_status}")
        worker_cpu = cpu_seconds([workers.pid, *children(workers.pid)])
        again_started = time.monotonic()
        again = reminders_due(at=at)
        again_seconds = time.monotonic() - again_started
    finally:
        workers.send_signal(signal.SIGTERM)
        try:
            workers.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(workers.pid, signal.SIGKILL)
        time.sleep(0.5)  # let the sink flush its last lines
        sink.terminate()
        sink.wait(10)

    load_after = os.getloadavg()
    lines = [line for line in sink_log.read_text().splitlines() if line]
    per_recipient = Counter(lines)
    duplicates = sum(n - 1 for n in per_recipient.values() if n > 1)
    total_cpu = worker_cpu + sink_cpu + sum(db_cpu.values())
    figures = {
        "drafts": args.drafts,
        "due": len(due),
        "due_set_seconds": round(t1 - t0, 2),
        "claimed_by_sweep": swept["due"],
        "published": published,
        "enqueue_seconds": round(t2 - t1, 2),
        "deliver_all_seconds": round(t3 - t0, 1),
        "emails_per_second": round(len(lines) / (t3 - t0), 1),
        "delivered_before_timeout": by_status.get("sent", 0),
        "projected_deliver_all_seconds": round((t3 - t0) * len(due) / max(1, by_status.get("sent", 0)), 1),
        "smtp_messages": len(lines),
        "distinct_recipients": len(per_recipient),
        "duplicates": duplicates,
        "outbox_by_status": by_status,
        "second_sweep_due": len(again),
        "second_sweep_due_set_seconds": round(again_seconds, 2),
        "seed_seconds": round(seed_seconds, 1),
        "worker_processes": args.workers,
        "worker_cpu_seconds": round(worker_cpu, 1),
        "worker_cpu_ms_per_email": round(1000 * worker_cpu / max(1, len(lines)), 2),
        "database_cpu_seconds": round(sum(db_cpu.values()), 1),
        "smtp_sink_cpu_seconds": round(sink_cpu, 1),
        "cpu_ms_per_email_all_processes": round(1000 * total_cpu / max(1, len(lines)), 2),
        "projected_idle_deliver_seconds": round(total_cpu / os.cpu_count() * len(due) / max(1, len(lines)), 1),
        "projected_idle_100k_seconds": round(total_cpu / os.cpu_count() * 100_000 / max(1, len(lines)), 1),
        "load_average_at_start": [round(x, 1) for x in load_before],
        "load_average_at_end": [round(x, 1) for x in load_after],
        "emails_per_task": args.per_task,
    }
    met = {
        "due_set_seconds": figures["due_set_seconds"] <= TARGETS["due_set_seconds"],
        "enqueue_seconds": figures["enqueue_seconds"] <= TARGETS["enqueue_seconds"],
        "deliver_all_seconds": by_status.get("sent", 0) == len(due)
        and figures["deliver_all_seconds"] <= TARGETS["deliver_all_seconds"],
        "worker_cpu_ms_per_email": figures["worker_cpu_ms_per_email"] <= TARGETS["worker_cpu_ms_per_email"],
        "duplicates": duplicates == 0 and len(lines) == len(due),
    }
    report = {
        "benchmark": "reminders",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "setup": "PostgreSQL + Redis broker + Celery prefork workers + aiosmtpd sink, all on this machine",
        "figures": figures,
        "targets": TARGETS,
        "targets_met": met,
    }
    (results_dir / "reminders.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if not all(met.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--sink":
        run_sink(int(sys.argv[2]), sys.argv[3])
    else:
        main()
