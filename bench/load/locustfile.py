"""Deadline-day mix: locust users driven by bench/load/run.py (the capacity phases use wrk, see requests.lua).

  deadline  start a draft, open it, save it, open it again, submit it, open the confirmation: people in the final
            hour, with 0.3-1 s between clicks, each user paced so the whole mix arrives at BENCH_RATE requests/s
            (an arrival rate, set as a share of the submit capacity wrk measured in the same run)
  login     (BENCH_LOGIN=1) each user logs in first, with the password: measured apart, before the barrier

Users start with ready sessions (made by run.py), so the mix measures the requests, not password hashing.
Every request is recorded (name, start, latency, ok) and written to BENCH_OUT at the end; run.py computes
percentiles over the window after every user has started.
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

from bench.load.forms import form_data as _form_data

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
    return _form_data(csrf, action, ep_email, CONFIG["category_id"])


RATE = float(os.environ.get("BENCH_RATE", "10"))  # requests/s of the whole mix
STEPS = 6  # requests per pass through the flow
# Each user runs the flow once per PERIOD seconds: USERS users then send USERS * STEPS / PERIOD requests/s.
PERIOD = USERS * STEPS / RATE


class PortalUser(FastHttpUser):
    host = CONFIG["host"]
    connection_timeout = 60.0
    network_timeout = 60.0

    def wait_time(self):
        # Pacing: the next pass starts PERIOD seconds after the last one started (an arrival rate, not a closed
        # loop that slows down when the server does - unless a pass takes longer than PERIOD).
        return max(0.0, self._started + PERIOD - time.time())

    def on_start(self):
        self.slot = next(_user_slots)
        account = CONFIG["accounts"][self.slot % len(CONFIG["accounts"])]
        self.email = account["email"]
        self.csrf = account["csrf"]
        if os.environ.get("BENCH_LOGIN") == "1":
            try:
                self.login(account)
            finally:
                _mark_ready()  # a user who gave up must not hold the others at the barrier
        else:
            for name, value in (("sessionid", account["session"]), ("csrftoken", self.csrf)):
                self.client.cookiejar.set_cookie(create_cookie(name, value, domain=CONFIG["cookie_domain"]))
            _mark_ready()
        READY.wait()
        gevent.sleep(random.uniform(0, PERIOD))  # spread the users' passes over the period
        self._started = time.time()

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
        self._started = time.time()
        self.phase_deadline()

    def think(self):
        gevent.sleep(random.uniform(0.3, 1.0))

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
        self.think()
        self.client.get(edit, name="edit page")
        self.think()
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
        self.think()
        self.client.get(edit, name="edit page")
        self.think()
        public_id = edit.strip("/").split("/")[1]
        if self.submit(public_id):
            self.think()
            self.client.get(f"/requests/{public_id}/submitted/", name="submitted page")
