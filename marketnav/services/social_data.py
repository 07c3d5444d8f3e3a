"""Compatibility module: the social sources live in `marketnav.services.social`.

Existing callers import `marketnav.services.social_data`; it re-exports the package's names.
"""

from __future__ import annotations

from marketnav.services.social import *  # noqa: F403
from marketnav.services.social import __all__  # noqa: F401
