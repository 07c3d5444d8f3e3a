"""The project as the market-data services' retrieval sees it (one query for every report).

`project_query(inputs)` is the `ProjectQuery` both services take: the description, audience,
business model, geography and the competitors the founder named (parsed from the free-text
"Competitors" answer). Every report that searches for competitors sends the same query with
the project's organisation, so the Crunchbase and Tracxn reports, the Quick Report and the
deck all rank one way and see the organisation's own imports.
"""

from __future__ import annotations

import re

from marketnav.services.ai import ProjectInputsData
from scraper_services.common.contracts import ProjectQuery

_SPLIT = re.compile(r"[,;\n|]+|\s+(?:and|or|vs\.?|versus)\s+", re.IGNORECASE)
_LEAD = re.compile(r"^(?:e\.g\.|eg|like|such as|competitors?:?|maybe|also)\s+", re.IGNORECASE)
_TAIL = re.compile(r"\s*(?:etc\.?|and others|\.\.\.|…)$", re.IGNORECASE)


def named_competitors(text: str, limit: int = 20) -> list[str]:
    """'Flexport, project44 and Shippeo, etc.' -> ['Flexport', 'project44', 'Shippeo']."""
    names: list[str] = []
    for part in _SPLIT.split(text or ""):
        name = _TAIL.sub("", _LEAD.sub("", part.strip().strip(".").strip())).strip(" .'\"()")
        if name and len(name) <= 200 and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names[:limit]


def project_query(inputs: ProjectInputsData, description: str = "") -> ProjectQuery:
    """`description` overrides the raw answer (e.g. the generated target description)."""
    return ProjectQuery(
        description=(description or inputs.startup_description)[:5000],
        audience=inputs.target_audience[:1000],
        business_model=inputs.business_model[:1000],
        geography=inputs.geographic_focus[:1000],
        named_competitors=named_competitors(inputs.inspiration_sources),
    )
