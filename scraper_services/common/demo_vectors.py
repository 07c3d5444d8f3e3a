"""Embeddings of the bundled data set, shipped beside it so no service start embeds them.

`demo_data/vectors.npz` holds `digests` (the `text_digest` of each company's `index_text`) and
`vectors` (float16 rows). Rebuild it after editing the data set:

    python -m scraper_services.common.demo_vectors

A unit test checks that it covers every bundled company and matches a fresh encoding.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from scraper_services.common.demo_catalogue import DEMO_DATA_DIR, load_demo_companies
from scraper_services.common.embeddings import get_embedder, text_digest
from scraper_services.common.records import CompanyRecord

VECTORS_PATH = DEMO_DATA_DIR / "vectors.npz"


def demo_texts() -> list[str]:
    """The index text of every bundled company (as both services build their records)."""
    return [
        CompanyRecord(
            key=c.slug, name=c.name, description=c.description, categories=list(c.categories)
        ).index_text
        for c in load_demo_companies()
    ]


@lru_cache(maxsize=1)
def shipped_vectors(path: Path = VECTORS_PATH) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path) as data:
        digests = [d.decode() if isinstance(d, bytes) else str(d) for d in data["digests"]]
        vectors = data["vectors"].astype(np.float32)
    return dict(zip(digests, vectors, strict=True))


def build(path: Path = VECTORS_PATH) -> int:
    texts = sorted(set(demo_texts()))
    vectors = get_embedder().encode(texts).astype(np.float16)
    digests = np.array([text_digest(t) for t in texts], dtype="S32")
    np.savez_compressed(path, digests=digests, vectors=vectors)
    shipped_vectors.cache_clear()
    return len(texts)


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    print(f"{build()} vectors written to {VECTORS_PATH}")
