"""A fetched body's media type and text: the charset from the byte-order mark, the header or
the page's own <meta>, decoded as browsers do (WHATWG), never failing on a bad byte."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# WHATWG: pages labelled Latin-1 or ASCII are really decoded as windows-1252.
_CP1252_LABELS = frozenset({"latin-1", "iso8859-1", "ascii"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media.strip().lower(), charset


def _codec(label: str | bytes | None) -> str | None:
    """The codec a charset label names, or None (unknown, or not a text encoding: rot13)."""
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
        b"".decode(name)  # LookupError for bytes-to-bytes codecs (base64, zlib ...)
    except LookupError:
        return None
    return "cp1252" if name in _CP1252_LABELS else name


def decode(data: bytes, header_charset: str | None) -> str:
    """Text by the byte-order mark, else the header's charset, else <meta>, else UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    meta = _META_CHARSET.search(data[:4096])
    declared = _codec(meta.group(1) if meta else None)
    if declared and declared.startswith(("utf-16", "utf-32")):
        declared = "utf-8"  # WHATWG: a <meta> read as ASCII cannot really be UTF-16
    codec = _codec(header_charset) or declared or "utf-8"
    return data.decode(codec, errors="replace")
