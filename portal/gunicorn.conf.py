"""gunicorn settings for the portal (docker-compose's web service, bench/load). Every value from the environment.

Sync workers: with PostgreSQL each request holds one connection and CPU-bound Django code gains nothing from
threads (measured: threads made SQLite slower). Sync workers do no keep-alive and must sit behind a buffering
proxy (nginx, a cloud load balancer) that also terminates TLS and sets X-Forwarded-Proto.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then (WeasyPrint and long-lived processes grow slowly); jitter avoids all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))

# Request-head limits: a request line, header count and header size beyond these is refused with 400 before
# Django sees it. The body is capped by Django (portal.middleware.BodySizeLimitMiddleware, from
# Content-Length, before reading) and should also be capped by the proxy (nginx client_max_body_size 21m).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Only the proxy may tell us the scheme and client address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Django writes the access log (JSON, with request and user ids); gunicorn only logs errors.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
preload_app = False
