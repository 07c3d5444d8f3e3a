"""Shared column helpers for the SQLModel tables."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC on both SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
