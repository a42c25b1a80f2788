# Two commands matter: `make run` (the whole portal) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-bucket lint bench deps dev-deps clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps: requirements.txt | $(VENV)/bin/python
	$(PIP) -r requirements.txt
	@touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) -r requirements-dev.txt
	@touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

## run: web server + Celery worker + beat on the embedded defaults (Ctrl-C stops all)
run: deps
	@mkdir -p var/mail
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --staff --registry-sample
	@echo "Portal: http://$(HOST):$(PORT)/   staff admin: http://$(HOST):$(PORT)/admin/   emails: var/mail/"
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A portal worker --beat --loglevel=INFO --concurrency=1 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: lint, migration check and the whole pytest suite
test: dev-deps
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run > /dev/null || \
		(echo "Model changes without a migration: run manage.py makemigrations"; exit 1)
	$(VENV)/bin/pytest

## test-bucket: the file tests again, every file in the loopback S3-compatible bucket (CI runs it after `make test`)
BUCKET_TESTS := tests/test_security_uploads.py tests/test_stored_files.py tests/test_letters_pdf.py \
	tests/test_letters_admin.py tests/test_letters_drain.py tests/test_groups_views.py tests/test_groups_services.py \
	tests/test_requests_pages.py tests/test_requests_submit.py tests/test_review_admin.py
test-bucket: dev-deps
	PORTAL_TEST_STORAGE=s3 $(VENV)/bin/pytest -q $(BUCKET_TESTS)

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## bench: every benchmark under bench/ (needs PostgreSQL and Redis, see README)
bench: dev-deps
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var/broker var/mail
