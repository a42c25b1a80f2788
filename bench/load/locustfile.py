"""Deadline-day load: locust users for one phase (BENCH_PHASE), driven by bench/load/run.py.

Phases (each at the same concurrency against the same gunicorn):
  trivial   GET /bench/trivial/                                  baseline (a)
  write     logged-in POST /bench/write/ (one INSERT)             baseline (b)
  submit    logged-in POST /requests/<uuid>/edit/ action=submit   the real submit, one complete draft per POST
  deadline  log in, start a draft, open it, save it, submit it, open the confirmation: the final hour,
            with 1-3 s between clicks (the others run flat out to measure capacity)

Every request is recorded (name, start, latency, ok) and written to BENCH_OUT at the end; run.py computes
req/s and percentiles over the window after every user is ready (logged in), so log-ins and start-up do not
blur the steady state.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time

import gevent
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.exception import StopUser
from requests.cookies import create_cookie

CONFIG = json.loads(open(os.environ["BENCH_CONFIG"]).read())
PHASE = os.environ["BENCH_PHASE"]
USERS = int(os.environ["BENCH_USERS"])
RECORDS: list[tuple[str, float, float, bool]] = []
SUBMITTED: list[str] = []  # public ids whose submit answered "submitted": checked against the database after
READY = Event()
_ready_count = itertools.count(1)
_user_slots = itertools.count()
MEASURE = {"start": None}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, start_time=None, **kwargs):
    RECORDS.append((name, start_time or time.time(), response_time, exception is None))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump(
            {"measure_start": MEASURE["start"], "end": time.time(), "records": RECORDS, "submitted": SUBMITTED}, out
        )


def _mark_ready():
    if next(_ready_count) >= USERS and not READY.is_set():
        MEASURE["start"] = time.time()
        READY.set()


def form_data(csrf: str, action: str, ep_email: str) -> dict:
    return {
        "csrfmiddlewaretoken": csrf,
        "ep-TOTAL_FORMS": "1",
        "ep-INITIAL_FORMS": "0",
        "ep-MIN_NUM_FORMS": "0",
        "ep-MAX_NUM_FORMS": "2500",
        "ep-0-npi": "1234567893",
        "ep-0-name": "Pat Example",
        "ep-0-address_line1": "1 Main St",
        "ep-0-address_line2": "",
        "ep-0-city": "Towson",
        "ep-0-state": "MD",
        "ep-0-zip_code": "21204",
        "ep-0-email": ep_email,
        "tin": "12-3456789",
        "contact_phone": "410-555-0100",
        "categories": str(CONFIG["category_id"]),
        "justification": "State law prevented e-prescribing at our practice during the reporting period.",
        "cehrt_id": "",
        "attested": "on",
        "action": action,
    }


class PortalUser(FastHttpUser):
    host = CONFIG["host"]
    connection_timeout = 60.0
    network_timeout = 60.0

    def wait_time(self):
        # Capacity phases run flat out (closed loop). The deadline mix is people: 1-3 s between their clicks,
        # so its latencies are what a user feels at 100 concurrent users, not queueing at saturation.
        return random.uniform(1.0, 3.0) if PHASE == "deadline" else 0

    def on_start(self):
        self.slot = next(_user_slots)
        account = CONFIG["accounts"][self.slot % len(CONFIG["accounts"])]
        self.email = account["email"]
        self.csrf = account["csrf"]
        # Each round of the submit phase gets its own slice of this account's drafts.
        drafts = account.get("drafts", [])
        size = len(drafts) // CONFIG.get("rounds", 1)
        round_index = int(os.environ.get("BENCH_ROUND", "0"))
        self.drafts = iter(drafts[round_index * size : (round_index + 1) * size])
        if PHASE == "deadline":
            try:
                self.login(account)
            finally:
                _mark_ready()  # a user who gave up must not hold the others at the barrier
            READY.wait()
            return
        else:
            # Pre-made sessions: the baselines and the submit phase measure requests, not password hashing.
            for name, value in (("sessionid", account["session"]), ("csrftoken", self.csrf)):
                self.client.cookiejar.set_cookie(create_cookie(name, value, domain=CONFIG["cookie_domain"]))
        _mark_ready()
        READY.wait()

    def login(self, account):
        """Like a person on deadline day: if the log-in times out or fails, try again (up to 5 times)."""
        for _ in range(5):
            self.client.get("/accounts/login/", name="login page")
            token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
            self.csrf = token
            with self.client.post(
                "/accounts/login/",
                data={"login": account["email"], "password": CONFIG["password"], "csrfmiddlewaretoken": token},
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    # Django rotates the CSRF token at log-in: use the new one from here on.
                    self.csrf = next(c.value for c in self.client.cookiejar if c.name == "csrftoken")
                    return
                text = response.text or ""
                errors = re.findall(r"(?s)(?:invalid-feedback|alert-danger|errorlist)[^>]*>(.{0,200}?)</", text)
                response.failure(f"login answered {response.status_code}: {errors[:2]}")
        raise StopUser()

    @task
    def run_phase(self):
        getattr(self, f"phase_{PHASE}")()

    def phase_trivial(self):
        self.client.get("/bench/trivial/", name="trivial (a)")

    def phase_write(self):
        self.client.post(
            "/bench/write/",
            data={"csrfmiddlewaretoken": self.csrf, "note": "bench"},
            name="minimal write (b)",
        )

    def phase_submit(self):
        public_id = next(self.drafts, None)
        if public_id is None:
            gevent.sleep(1)
            raise StopUser()
        self.submit(public_id)

    def submit(self, public_id: str) -> bool:
        with self.client.post(
            f"/requests/{public_id}/edit/",
            data=form_data(self.csrf, "submit", self.email),
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.status_code == 302 else ""
            if not location.endswith("/submitted/"):
                response.failure(f"submit answered {response.status_code} {location}")
                return False
        SUBMITTED.append(public_id)
        return True

    def phase_deadline(self):
        with self.client.post(
            "/requests/new/",
            data={"csrfmiddlewaretoken": self.csrf, "year": str(CONFIG["year"])},
            name="start draft",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.endswith("/edit/"):
                response.failure(f"start answered {response.status_code} {location}")
                return
        edit = location.split("://", 1)[-1]
        edit = edit[edit.index("/") :] if "://" in location else location
        self.client.get(edit, name="edit page")
        with self.client.post(
            edit,
            data=form_data(self.csrf, "save", self.email),
            name="save draft",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"save answered {response.status_code}")
                return
        self.client.get(edit, name="edit page")
        public_id = edit.strip("/").split("/")[1]
        if self.submit(public_id):
            self.client.get(f"/requests/{public_id}/submitted/", name="submitted page")
