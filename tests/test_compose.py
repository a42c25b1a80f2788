"""docker-compose.yml and the Dockerfile, checked without a Docker engine: services, commands, health checks,
start order, scaling, and environment consistent with portal/settings.py and .ci/run."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PORTAL_SERVICES = ("web", "worker", "beat")
SETTINGS_SOURCE = (ROOT / "portal" / "settings.py").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def command(service: str) -> str:
    value = SERVICES[service].get("command", "")
    return " ".join(value) if isinstance(value, list) else value


def test_the_stack_has_exactly_the_expected_services():
    assert set(SERVICES) == {"db", "redis", "web", "worker", "beat", "mail"}


def test_postgresql_is_15_or_newer_with_a_named_volume():
    image = SERVICES["db"]["image"]
    major = int(re.match(r"postgres:(\d+)", image).group(1))
    assert major >= 15
    volume_names = {v.split(":")[0] for v in SERVICES["db"]["volumes"]}
    assert volume_names & set(COMPOSE["volumes"]), "the database must live on a named volume"


def test_web_migrates_then_serves_with_gunicorn_and_its_config_file():
    web = command("web")
    assert "manage.py migrate --noinput" in web
    assert web.index("migrate") < web.index("gunicorn")
    assert "--config portal/gunicorn.conf.py portal.wsgi" in web
    assert (ROOT / "portal" / "gunicorn.conf.py").is_file()


def test_static_files_are_served_by_whitenoise_from_a_collected_manifest():
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in SETTINGS_SOURCE
    assert "CompressedManifestStaticFilesStorage" in SETTINGS_SOURCE
    assert "collectstatic --noinput" in DOCKERFILE


def test_worker_and_beat_run_celery_and_beat_is_exactly_one():
    assert command("worker").startswith("celery -A portal worker")
    assert command("beat").startswith("celery -A portal beat")
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    assert "beat" not in command("worker").split(), "a worker must not embed beat: scaling would multiply it"


def test_mail_catcher_is_mailpit_and_the_portal_sends_to_it():
    assert "mailpit" in SERVICES["mail"]["image"]
    assert SERVICES["web"]["environment"]["EMAIL_URL"] == "smtp://mail:1025"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_has_a_healthcheck(service):
    check = SERVICES[service]["healthcheck"]
    assert check["test"] and check["interval"] and check["retries"]


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_portal_services_wait_for_a_healthy_database_and_redis(service):
    depends = SERVICES[service]["depends_on"]
    for dependency in ("db", "redis"):
        assert depends[dependency]["condition"] == "service_healthy"


def test_worker_and_beat_wait_for_web_so_migrations_have_run():
    for service in ("worker", "beat"):
        assert SERVICES[service]["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_healthcheck_probes_readiness():
    assert "/readyz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_worker_can_be_scaled():
    worker = SERVICES["worker"]
    assert "container_name" not in worker, "--scale needs generated container names"
    assert "ports" not in worker, "fixed host ports collide between replicas"
    assert worker.get("deploy", {}).get("replicas", 1) != 0


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_every_portal_variable_is_one_settings_reads(service):
    read_by_settings = set(re.findall(r'(?:env\.\w+|_url_setting)\("([A-Z_]+)"', SETTINGS_SOURCE))
    read_by_gunicorn = set(re.findall(r'environ\.get\("([A-Z_]+)"', (ROOT / "portal/gunicorn.conf.py").read_text()))
    for name in SERVICES[service]["environment"]:
        assert name in read_by_settings | read_by_gunicorn, f"{service} sets {name}, which nothing reads"


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_production_requirements_are_set(service):
    environment = SERVICES[service]["environment"]
    assert environment["DEBUG"] == "False"
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?"), "no default secret key: compose must refuse"
    assert environment["ALLOWED_HOSTS"]
    assert environment["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")


def test_database_credentials_match_between_db_and_the_portal():
    db_env = SERVICES["db"]["environment"]
    url = SERVICES["web"]["environment"]["DATABASE_URL"]
    assert url == f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"


def test_media_is_one_volume_shared_by_web_and_worker():
    mounts = {service: set(SERVICES[service].get("volumes", [])) for service in ("web", "worker")}
    assert mounts["web"] & mounts["worker"]
    assert SERVICES["web"]["environment"]["MEDIA_ROOT"] == "/data/media"


def ci_packages() -> set[str]:
    groups = re.findall(r"need\+=\(([^)]*)\)", (ROOT / ".ci" / "run").read_text())
    return {package for group in groups for package in group.split()}


def test_dockerfile_installs_the_system_packages_ci_installs():
    installed = set(re.search(r"apt-get install[^\n]*\n\s*([^\n&]*)", DOCKERFILE).group(1).split()) - {"\\"}
    runtime = {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core", "fonts-droid-fallback"}
    assert installed == runtime
    assert runtime <= ci_packages(), "CI must install what the image runs on"


def test_dockerfile_uses_the_pinned_requirements_and_the_project_python():
    assert "pip install -r requirements.txt" in DOCKERFILE
    python = re.search(r'requires-python = ">=(\d+\.\d+)', (ROOT / "pyproject.toml").read_text()).group(1)
    assert re.search(rf"^FROM python:{re.escape(python)}-slim", DOCKERFILE, re.MULTILINE)


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv", "var", ".git"):
        assert entry in ignored
