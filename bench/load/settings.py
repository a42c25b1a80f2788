"""The portal's settings with the load test's baseline views mounted (bench/load/run.py uses this module)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
