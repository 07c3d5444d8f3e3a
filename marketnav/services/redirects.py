"""Where a page may send the browser after login: same-origin paths only.

`?next=` comes from the address bar, so it is attacker-controlled. Browsers treat `\\` like
`/` and ignore tabs and newlines in URLs, so `/\\evil.example`, `/\t/evil.example` and their
percent-encoded forms leave the site although they "start with one slash". A target is kept
only when it, and every decoding of it, is a plain path on this origin.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

_MAX_DECODINGS = 3


def _plain_path(value: str) -> bool:
    if not value.startswith("/") or value.startswith("//"):
        return False
    if "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def safe_next_path(target: str, default: str) -> str:
    """`target` when it is a same-origin path (in every decoding), else `default`."""
    value = target or ""
    for _ in range(_MAX_DECODINGS + 1):
        if not _plain_path(value):
            return default
        decoded = unquote(value)
        if decoded == value:
            return target
        value = decoded
    return default  # still encoded after several decodings: not a path a page links to
