# auditloop for councils that deploy containers: one image for the web server, the background
# worker and one-off commands (migrate, create-administrator, backup). compose.yaml runs it
# with PostgreSQL; README, "Running it for real", says what each variable does.

# The front end: GOV.UK Frontend and htmx from npm, the council's Sass built to app.css
# (what `make install` does on a laptop).
FROM node:22-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY frontend ./frontend
RUN mkdir -p out/vendor \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js out/vendor/ \
 && cp -r node_modules/govuk-frontend/dist/govuk/assets out/vendor/ \
 && cp node_modules/htmx.org/dist/htmx.min.js out/vendor/ \
 && npx --no-install sass --no-source-map --quiet-deps --load-path=node_modules \
      --style=compressed frontend/app.scss out/app.css

FROM python:3.12-slim-bookworm
# Pango lays out the PDF briefings and reviews (WeasyPrint); Liberation is their Arial.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt
COPY pyproject.toml manage.py ./
COPY config ./config
COPY auditloop ./auditloop
COPY --from=frontend /build/out/ ./auditloop/core/static/auditloop/
# Editable: the code runs from /app, templates and static files beside it. Compiled once here:
# with PYTHONDONTWRITEBYTECODE every process (each `auditloop import`, worker and web server)
# would otherwise compile the whole app from source as it starts.
RUN pip install --no-deps --editable . \
 && python -m compileall -q config auditloop

# Listen on every interface of the container; static files hashed and collected once, here,
# so `serve` starts at once. The spool (access-log reads the database refused for a moment)
# is the only thing written under /app: give it a volume.
ENV AUDITLOOP_BIND=0.0.0.0 \
    PORT=8000 \
    AUDITLOOP_STATIC_HASHED=1 \
    AUDITLOOP_ACCESS_LOG_SPOOL=/app/var/access-log-spool
RUN auditloop collectstatic --no-input --verbosity 0 \
 && useradd --system --uid 10001 --home-dir /app --no-create-home auditloop \
 && mkdir -p /app/var/access-log-spool \
 && chown -R auditloop /app/var/access-log-spool
USER auditloop
EXPOSE 8000
# The container is healthy while it answers /health/ and reaches its database. Add 127.0.0.1
# to AUDITLOOP_ALLOWED_HOSTS (compose.yaml does) for this check to be let in.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4).status != 200)"]
CMD ["auditloop", "serve", "--no-collectstatic"]
