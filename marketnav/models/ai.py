"""AI call accounting and the database-backed AI answer cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from marketnav.models.base import utcnow


class AICallRecord(SQLModel, table=True):
    """One request to an AI provider (or a cache hit): who answered, how fast, at what cost."""

    __tablename__ = "ai_call_records"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # Route feature (chat, keywords, analysis, verdict, pitch_deck, health) and function name.
    feature: str = Field(max_length=32, index=True)
    operation: str = Field(default="", max_length=64)
    # Groups the attempts (retries, fallovers, repair) of one logical call.
    request_id: str = Field(default="", max_length=32, index=True)
    attempt: int = 1
    provider: str = Field(max_length=64, index=True)
    model: str = Field(default="", max_length=128)
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    # False when the model is missing from the price table (cost then counts as 0).
    cost_known: bool = True
    ok: bool = True
    # timeout, rate_limit, server_error, connection, malformed_response, invalid_output,
    # auth, bad_request, unexpected; empty when ok.
    error_kind: str = Field(default="", max_length=32)
    cached: bool = False
    subject_type: str | None = Field(default=None, max_length=32, index=True)
    subject_id: str | None = Field(default=None, max_length=64, index=True)
    organization_id: int | None = Field(default=None, index=True)


class AICacheEntry(SQLModel, table=True):
    """A cached AI answer keyed by the SHA-256 of its normalised request (DB cache backend)."""

    __tablename__ = "ai_cache_entries"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
