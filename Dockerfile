# The portal's image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
# System packages and the pip step are the same ones .ci/run installs on a bare machine
# (tests/test_compose.py checks that they stay in step).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint needs Pango; the PDFs embed DejaVu, with Droid as the fallback for other scripts.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
ENV STATIC_ROOT=/app/staticfiles \
    PORTAL_VAR_DIR=/app/var \
    MEDIA_ROOT=/data/media
# Hashed, compressed static files for WhiteNoise, built once into the image (no secrets needed at build time).
RUN DEBUG=False SECRET_KEY=build-only-not-secret-build-only-not-secret-0123456789 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --create-home --uid 10001 portal \
 && mkdir -p /app/var /data/media \
 && chown -R portal /app/var /data
USER portal

EXPOSE 8000
CMD ["gunicorn", "--config", "portal/gunicorn.conf.py", "portal.wsgi"]
