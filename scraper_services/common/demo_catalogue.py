"""The bundled demo data set: real companies, public facts, descriptions written for this project.

`demo_data/sectors/<sector>.json` list companies with name, website, categories, founding year,
headquarters, publicly reported total funding (approximate, USD) and status. The Crunchbase-like
rank and the Tracxn-like score are not stored: they are derived here, deterministically, from
those public facts (funding, age, status), so anyone can see how they come about.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"
SECTORS_DIR = DEMO_DATA_DIR / "sectors"
REFERENCE_YEAR = 2025

_STATUS_BONUS = {"public": 0.6, "acquired": 0.2, "operating": 0.0, "closed": -1.0}


class DemoCompany(BaseModel):
    """One entry of the demo data set (or of an imported file)."""

    name: str
    slug: str = ""
    website: str | None = None
    description: str
    categories: list[str] = Field(default_factory=list)
    founded_year: int | None = None
    hq_city: str | None = None
    hq_country: str | None = None
    total_funding_usd: float | None = None
    status: str = "operating"
    sector: str = ""

    def model_post_init(self, _context: object) -> None:
        if not self.slug:
            self.slug = slugify(self.name)

    @property
    def domain(self) -> str:
        if not self.website:
            return f"{self.slug}.example"
        host = re.sub(r"^https?://", "", self.website).split("/")[0]
        return host.removeprefix("www.")

    @property
    def prominence(self) -> float:
        """Public-facts score behind the derived rank and score (higher = more prominent)."""
        funding = max(self.total_funding_usd or 0.0, 1e5)
        age = min(max(REFERENCE_YEAR - (self.founded_year or REFERENCE_YEAR), 0), 25)
        return math.log10(funding) + 0.03 * age + _STATUS_BONUS.get(self.status, 0.0)

    @property
    def cb_rank(self) -> int:
        """Crunchbase-like rank (1 = most prominent): a log scale of prominence plus a
        name-derived tie-break, so equal facts still give distinct, stable ranks."""
        base = 10 ** (8.5 - 0.55 * self.prominence)
        return max(1, round(base)) + zlib.crc32(self.slug.encode()) % 97

    @property
    def tracxn_score(self) -> float:
        """Tracxn-like overall score on 0-100."""
        return round(min(max(12.0 * (self.prominence - 5.5) + 20.0, 5.0), 99.0), 1)

    @property
    def tracxn_id(self) -> str:
        return format(zlib.crc32(self.slug.encode()), "08x") + format(
            zlib.adler32(self.slug.encode()), "08x"
        )


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "company"


@lru_cache(maxsize=4)
def load_demo_companies(directory: Path = SECTORS_DIR) -> tuple[DemoCompany, ...]:
    """The bundled companies (one file per sector), parsed once per process, in file order.

    A company listed in two sector files is kept once (the first, by file name)."""
    companies: dict[str, DemoCompany] = {}
    for path in sorted(directory.glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for item in payload["companies"]:
            company = DemoCompany.model_validate({"sector": payload["slug"], **item})
            companies.setdefault(company.slug, company)
    return tuple(companies.values())
