"""docker-compose.yml, deploy/ and the Dockerfile, checked without a Docker engine: services, commands, health
checks, start order, scaling (a proxy in front of web replicas, one beat), the bucket, and environment consistent
with portal/settings.py and .ci/run."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
PORTAL_SERVICES = ("web", "worker", "beat")
ONE_SHOT = ("migrate", "createbucket")  # run to completion at start; the services after them wait for that
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
SETTINGS_SOURCE = (ROOT / "portal" / "settings.py").read_text()
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def command(service: str) -> str:
    value = SERVICES[service].get("command", "")
    return " ".join(value) if isinstance(value, list) else value


def test_the_stack_has_exactly_the_expected_services():
    expected = {"db", "redis", "minio", "createbucket", "migrate", "web", "proxy", "worker", "beat", "mail"}
    assert set(SERVICES) == expected


def test_postgresql_is_15_or_newer_with_a_named_volume():
    image = SERVICES["db"]["image"]
    major = int(re.match(r"postgres:(\d+)", image).group(1))
    assert major >= 15
    volume_names = {v.split(":")[0] for v in SERVICES["db"]["volumes"]}
    assert volume_names & set(COMPOSE["volumes"]), "the database must live on a named volume"


def test_migrations_run_once_then_web_serves_with_gunicorn_and_its_config_file():
    """Two web replicas migrating at once would race: one migrate job runs first, every replica waits for it."""
    assert command("migrate") == "python manage.py migrate --noinput"
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert SERVICES["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate" not in command("web")
    assert command("web") == "gunicorn --config portal/gunicorn.conf.py portal.wsgi"
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


@pytest.mark.parametrize("service", sorted(set(SERVICES) - set(ONE_SHOT)))
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


@pytest.mark.parametrize("service", ("web", "worker"))
def test_web_and_worker_can_be_scaled(service):
    definition = SERVICES[service]
    assert "container_name" not in definition, "--scale needs generated container names"
    assert "ports" not in definition, "fixed host ports collide between replicas"
    assert definition.get("deploy", {}).get("replicas", 1) != 0


def test_web_runs_two_replicas_by_default():
    assert SERVICES["web"]["deploy"]["replicas"] == 2


def test_only_the_proxy_publishes_the_portal():
    published = {name: service["ports"] for name, service in SERVICES.items() if service.get("ports")}
    assert published.pop("proxy") == ["8000:80"]
    assert published == {"mail": ["127.0.0.1:8025:8025"]}, "only the mail catcher's page, on this machine only"
    assert SERVICES["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_proxy_balances_every_web_replica_and_sets_the_forwarded_headers():
    mounts = SERVICES["proxy"]["volumes"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in mounts
    assert re.search(r"server web:8000 resolve", NGINX), "Docker DNS, re-read: every replica, also after --scale"
    assert "resolver 127.0.0.11" in NGINX
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in NGINX
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX
    assert "proxy_set_header Host $host;" in NGINX
    body_limit_mb = int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1))
    assert body_limit_mb * 1024 * 1024 >= 2 * 10 * 1024 * 1024, "two 10 MB documents fit"


def test_web_trusts_exactly_the_one_proxy():
    assert SERVICES["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    for service in ("worker", "beat"):
        assert SERVICES[service]["environment"].get("TRUSTED_PROXY_COUNT", "0") in ("0", "1")


def test_beat_has_exactly_one_replica_however_web_and_worker_scale():
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    assert "celery -A portal beat" in command("beat")
    for service in set(SERVICES) - {"beat"}:
        assert "beat" not in command(service).split(), f"{service} must not run a second scheduler"


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


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_every_process_shares_state_through_postgresql_redis_and_the_bucket(service):
    environment = SERVICES[service]["environment"]
    assert environment["CACHE_URL"] == "redis://redis:6379/1", "rate limits counted once for every replica"
    assert environment["CACHE_URL"] != environment["REDIS_URL"], "the cache apart from the broker's queues"
    assert environment["STORAGE_URL"] == STORAGE_URL
    assert environment["PORTAL_MULTI_HOST"] == "1", "so `manage.py check` warns about any per-host state"


STORAGE_URL = "s3+http://portal:${STORAGE_SECRET:-portal-secret}@minio:9000/portal-files?region=us-east-1"


def test_minio_keeps_its_objects_on_a_named_volume_and_publishes_nothing():
    minio = SERVICES["minio"]
    assert minio["image"].startswith("minio/minio:RELEASE.")
    assert {v.split(":")[0] for v in minio["volumes"]} & set(COMPOSE["volumes"])
    assert "ports" not in minio, "the bucket is reached only by the portal, never from outside"


def test_a_private_bucket_and_the_portals_own_account_are_created_before_the_portal_starts():
    job = SERVICES["createbucket"]
    script = command("createbucket")
    assert job["image"].startswith("minio/mc:RELEASE.")
    assert job["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "mc mb --ignore-existing --region us-east-1 store/portal-files" in script
    assert "mc anonymous set none store/portal-files" in script, "no public URL for any file"
    assert 'mc admin user add store portal "${STORAGE_SECRET:-portal-secret}"' in script
    assert "mc admin policy attach store portal-files --user portal" in script
    for service in ("web", "worker", "migrate"):
        assert SERVICES[service]["depends_on"]["createbucket"]["condition"] == "service_completed_successfully"


def test_the_portals_account_may_use_its_bucket_and_nothing_else():
    policy = json.loads((ROOT / "deploy" / "minio-portal-policy.json").read_text())
    resources = {r for statement in policy["Statement"] for r in statement["Resource"]}
    assert resources == {"arn:aws:s3:::portal-files", "arn:aws:s3:::portal-files/*"}
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    assert not any(a.endswith("*") or a.startswith("admin:") for a in actions)
    assert "./deploy/minio-portal-policy.json:/policy.json:ro" in SERVICES["createbucket"]["volumes"]


def test_one_host_files_stay_mounted_for_the_copy_into_the_bucket():
    mounts = {service: set(SERVICES[service].get("volumes", [])) for service in ("web", "worker")}
    assert "media:/data/media" in mounts["web"] & mounts["worker"]
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
