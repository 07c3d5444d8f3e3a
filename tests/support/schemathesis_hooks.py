"""schemathesis hooks (SCHEMATHESIS_HOOKS): hostile text in query parameters and JSON bodies.

Hypothesis draws strings from the whole of Unicode, so a text made only of control and
invisible characters is rare: `?hashtag=%1E` (500 while the spec said `pattern: \\S`) took about
1000 examples of that one operation to turn up. These hooks make every operation's strategy a
mix of what schemathesis generates and the same case with one of its strings replaced by such
text (C0/C1 controls, NUL, DEL, the information separators, zero-width and exotic spaces) or
with such characters slipped inside it, so a few dozen examples per operation reach it.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st

INVISIBLE = [chr(c) for c in range(0x20)] + [
    "\x7f", "\x85", "\x9f", "\xa0", "\u200b", "\u200d", "\u2028", "\u3000", "\ufeff", " ",
]  # fmt: skip
# What Python's str.split() treats as whitespace, though Unicode (and so pydantic's regex `\s`)
# does not for the information separators U+001C-U+001F: where "blank" checks disagreed.
SPACES = ["\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x85", "\xa0",
          "\u2028", "\u3000"]  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(SPACES), min_size=1, max_size=4),
    st.text(alphabet=st.sampled_from(INVISIBLE), min_size=1, max_size=6),
)

Path = tuple[Any, ...]


def _string_paths(value: Any, path: Path = ()) -> list[Path]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _string_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _string_paths(item, (*path, index))]
    return []


def _replaced(value: Any, path: Path, new: str) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    items = list(value)
    items[head] = _replaced(items[head], rest, new)
    return items


def _get(value: Any, path: Path) -> str:
    for part in path:
        value = value[part]
    return value


def _with_hostile_text(value: Any) -> st.SearchStrategy:
    paths = _string_paths(value)
    if not paths:
        return st.just(value)

    def hostile(path: Path) -> st.SearchStrategy:
        original = _get(value, path)
        inside = st.tuples(HOSTILE_TEXT, st.integers(0, len(original))).map(
            lambda pair: original[: pair[1]] + pair[0] + original[pair[1] :]
        )
        return st.one_of(HOSTILE_TEXT, inside).map(lambda text: _replaced(value, path, text))

    return st.sampled_from(paths).flatmap(hostile)


def _mixed(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(strategy, strategy.flatmap(_with_hostile_text))


@schemathesis.hook
def before_generate_query(_context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
    return _mixed(strategy)


@schemathesis.hook
def before_generate_body(_context: Any, strategy: st.SearchStrategy) -> st.SearchStrategy:
    return _mixed(strategy)
