"""A service's own company store: SQLite by default, PostgreSQL when configured.

Two tables per service (prefixed with the service name):
- `<svc>_companies`: one row per company key with the full record as JSON and `fetched_at`;
- `<svc>_keyword_searches`: the keys a keyword search returned, when, and for what limit.
Freshness is decided by the caller from `fetched_at` / `searched_at` (the request's
`days_threshold` / `freshness_days`). Calls are synchronous and short; async code runs them in
a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from scraper_services.common.keyword_index import normalise_link, normalise_name
from scraper_services.common.records import CompanyRecord, utc_now

_CHUNK = 500
_PARSED_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class CachedSearch:
    keyword: str
    result_limit: int
    keys: list[str]
    searched_at: datetime

    def age_days(self, now: datetime | None = None) -> float:
        searched = self.searched_at
        if searched.tzinfo is None:
            searched = searched.replace(tzinfo=UTC)
        return ((now or utc_now()) - searched).total_seconds() / 86400.0


def store_url_for(configured: str, var_dir: Path, service: str) -> str:
    """The SQLAlchemy URL: the configured one (PostgreSQL) or a SQLite file under var/."""
    if not configured:
        return f"sqlite:///{var_dir / f'{service}-store.db'}"
    for legacy in ("postgres://", "postgresql://"):
        if configured.startswith(legacy):
            return "postgresql+psycopg://" + configured[len(legacy) :]
    return configured


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class CompanyStore:
    """Company cache of one service."""

    def __init__(self, url: str, service: str, table_prefix: str | None = None):
        self.url = url
        self.service = service
        prefix = table_prefix if table_prefix is not None else f"{service}_"
        self.metadata = MetaData()
        self.companies = Table(
            f"{prefix}companies",
            self.metadata,
            Column("key", String(512), primary_key=True),
            Column("name", String(512), nullable=False),
            Column("name_norm", String(512), nullable=False, index=True),
            Column("host", String(512), nullable=False, index=True),
            Column("origin", String(64), nullable=False),
            Column("payload", Text, nullable=False),
            Column("fetched_at", DateTime(timezone=True), nullable=False),
            Column("owner", Integer, nullable=True, index=True),
        )
        # Embeddings by text digest (model name included): computed once, shared by replicas.
        self.vectors = Table(
            f"{prefix}vectors",
            self.metadata,
            Column("digest", String(32), primary_key=True),
            Column("vector", LargeBinary, nullable=False),
        )
        self.searches = Table(
            f"{prefix}keyword_searches",
            self.metadata,
            Column("keyword", String(512), primary_key=True),
            Column("result_limit", Integer, nullable=False),
            Column("keys", Text, nullable=False),
            Column("searched_at", DateTime(timezone=True), nullable=False),
        )
        self.engine = self._create_engine(url)
        self._parsed: dict[str, tuple[datetime, CompanyRecord]] = {}

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @staticmethod
    def _create_engine(url: str) -> Engine:
        if url.startswith("sqlite"):
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

            return engine
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)

    def create(self) -> None:
        self.metadata.create_all(self.engine)
        # Stores made before imports existed lack the owner column.
        columns = {c["name"] for c in inspect(self.engine).get_columns(self.companies.name)}
        if "owner" not in columns:
            with self.engine.begin() as connection:
                connection.execute(
                    text(f"ALTER TABLE {self.companies.name} ADD COLUMN owner INTEGER")
                )

    def drop(self) -> None:
        self.metadata.drop_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(self.companies)).scalar()
            )

    def _insert(self, table: Table):
        return (postgresql if self.backend == "postgresql" else sqlite).insert(table)

    def upsert(self, records: Iterable[CompanyRecord]) -> int:
        with self.engine.begin() as connection:
            return self._upsert(connection, records)

    def _upsert(self, connection: Connection, records: Iterable[CompanyRecord]) -> int:
        rows = [
            {
                "key": record.key,
                "name": record.name,
                "name_norm": normalise_name(record.name),
                "host": normalise_link(record.website or record.url or ""),
                "origin": record.origin,
                "payload": record.model_dump_json(),
                "fetched_at": _aware(record.fetched_at),
                "owner": record.owner,
            }
            for record in records
        ]
        if not rows:
            return 0
        for start in range(0, len(rows), _CHUNK):
            statement = self._insert(self.companies)
            statement = statement.on_conflict_do_update(
                index_elements=["key"],
                set_={c: statement.excluded[c] for c in rows[0] if c != "key"},
            )
            connection.execute(statement, rows[start : start + _CHUNK])
        return len(rows)

    def _parse(self, key: str, fetched_at: datetime, payload: str) -> CompanyRecord:
        """Parsed records are kept per process while their `fetched_at` is unchanged."""
        cached = self._parsed.get(key)
        if cached is not None and cached[0] == fetched_at:
            return cached[1]
        record = CompanyRecord.model_validate_json(payload)
        if len(self._parsed) >= _PARSED_CACHE_SIZE:
            self._parsed.clear()
        self._parsed[key] = (fetched_at, record)
        return record

    def get_many(self, keys: Sequence[str]) -> dict[str, CompanyRecord]:
        found: dict[str, CompanyRecord] = {}
        unique = list(dict.fromkeys(keys))
        columns = (self.companies.c.key, self.companies.c.fetched_at, self.companies.c.payload)
        with self.engine.connect() as connection:
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                query = select(*columns).where(self.companies.c.key.in_(chunk))
                for key, fetched_at, payload in connection.execute(query):
                    found[key] = self._parse(key, fetched_at, payload)
        return found

    def find(self, name: str | None = None, url: str | None = None) -> CompanyRecord | None:
        conditions = []
        if url:
            conditions.append(self.companies.c.key == url.strip())
            conditions.append(self.companies.c.host == normalise_link(url))
        if name:
            conditions.append(self.companies.c.name_norm == normalise_name(name))
        with self.engine.connect() as connection:
            for condition in conditions:
                # Lookups by name serve the shared data only, never an organisation's import.
                shared = self.companies.c.owner.is_(None)
                query = select(self.companies.c.payload).where(condition, shared).limit(1)
                payload = connection.execute(query).scalar()
                if payload is not None:
                    return CompanyRecord.model_validate_json(payload)
        return None

    def iter_records(
        self, origin: str | None = None, owner: int | None = None
    ) -> Iterator[CompanyRecord]:
        query = select(self.companies.c.payload).order_by(self.companies.c.key)
        if origin is not None:
            query = query.where(self.companies.c.origin == origin)
        if owner is not None:
            query = query.where(self.companies.c.owner == owner)
        with self.engine.connect() as connection:
            for (payload,) in connection.execute(query):
                yield CompanyRecord.model_validate_json(payload)

    def owned_keys(self, owner: int) -> tuple[dict[str, str], dict[str, str]]:
        """An organisation's companies by website host and by normalised name -> key."""
        columns = (self.companies.c.key, self.companies.c.host, self.companies.c.name_norm)
        by_host: dict[str, str] = {}
        by_name: dict[str, str] = {}
        with self.engine.connect() as connection:
            rows = connection.execute(select(*columns).where(self.companies.c.owner == owner))
            for key, host, name_norm in rows:
                if host:
                    by_host.setdefault(host, key)
                by_name.setdefault(name_norm, key)
        return by_host, by_name

    def owned_identities(self, owner: int) -> list[tuple[str, str, str | None]]:
        """(key, name, website) of an organisation's companies: what import merges compare
        (`company_identity`; the `host` column also holds profile URLs, so it cannot say)."""
        columns = (self.companies.c.key, self.companies.c.name, self.companies.c.payload)
        query = select(*columns).where(self.companies.c.owner == owner)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(self.companies.c.key)).all()
        return [(key, name, json.loads(payload).get("website")) for key, name, payload in rows]

    def count_owner(self, owner: int) -> int:
        query = select(func.count()).select_from(self.companies)
        with self.engine.connect() as connection:
            return int(connection.execute(query.where(self.companies.c.owner == owner)).scalar())

    def delete_owner(self, owner: int) -> int:
        """Deletes an organisation's imported companies (the organisation was deleted)."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(self.companies).where(self.companies.c.owner == owner)
            )
        return int(result.rowcount or 0)

    def get_vectors(self, digests: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(digests))
        with self.engine.connect() as connection:
            for start in range(0, len(unique), _CHUNK):
                query = select(self.vectors).where(
                    self.vectors.c.digest.in_(unique[start : start + _CHUNK])
                )
                for digest, blob in connection.execute(query):
                    found[digest] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def put_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [
            {"digest": d, "vector": np.asarray(v, dtype=np.float16).tobytes()}
            for d, v in vectors.items()
        ]
        with self.engine.begin() as connection:
            for start in range(0, len(rows), _CHUNK):
                statement = self._insert(self.vectors).on_conflict_do_nothing(
                    index_elements=["digest"]
                )
                connection.execute(statement, rows[start : start + _CHUNK])

    def remember_search(
        self, keyword: str, result_limit: int, records: Sequence[CompanyRecord]
    ) -> None:
        """Stores a keyword search's companies and the search itself in one transaction."""
        with self.engine.begin() as connection:
            self._upsert(connection, records)
            self._save_search(connection, keyword, result_limit, [r.key for r in records])

    def save_search(self, keyword: str, result_limit: int, keys: Sequence[str]) -> None:
        with self.engine.begin() as connection:
            self._save_search(connection, keyword, result_limit, keys)

    def _save_search(
        self, connection: Connection, keyword: str, result_limit: int, keys: Sequence[str]
    ) -> None:
        row = {
            "keyword": keyword.strip().lower(),
            "result_limit": result_limit,
            "keys": json.dumps(list(keys)),
            "searched_at": utc_now(),
        }
        statement = self._insert(self.searches)
        statement = statement.on_conflict_do_update(
            index_elements=["keyword"],
            set_={c: statement.excluded[c] for c in row if c != "keyword"},
        )
        connection.execute(statement, [row])

    def get_searches(self, keywords: Sequence[str]) -> dict[str, CachedSearch]:
        """Cached searches of several keywords at once, keyed by normalised keyword."""
        wanted = list(dict.fromkeys(k.strip().lower() for k in keywords))
        query = select(self.searches).where(self.searches.c.keyword.in_(wanted))
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return {
            row["keyword"]: CachedSearch(
                row["keyword"], row["result_limit"], json.loads(row["keys"]),
                _aware(row["searched_at"]),
            )
            for row in rows
        }  # fmt: skip

    def get_search(self, keyword: str) -> CachedSearch | None:
        query = select(self.searches).where(self.searches.c.keyword == keyword.strip().lower())
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return CachedSearch(
            row["keyword"], row["result_limit"], json.loads(row["keys"]), _aware(row["searched_at"])
        )
