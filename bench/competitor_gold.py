"""The competitor gold set (bench/gold/*.json) and the ranking metrics computed over it.

Each idea has founder-style inputs and the companies of the bundled data set an investor would
accept as its competitors, graded 2 (direct) or 1 (close/indirect). The metrics:
- recall@10: gold companies in the first 10 / min(gold size, 10);
- precision@10: gold companies in the first 10 / companies in the first 10 (an empty list
  counts as 0 and is reported separately);
- nDCG@10: graded gains (2 / 1), ideal order from the gold grades.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

from marketnav.services.ai import ProjectInputsData

GOLD_DIR = Path(__file__).resolve().parent / "gold"
COMPLETE_DEFAULTS = {
    "current_stage": "idea",
    "research_goal": "Know who the competitors are and how they are funded",
    "time_range": "Last 5 years",
    "geographic_focus": "Global",
    "business_model": "Subscription",
    "target_audience": "Small and mid-sized businesses",
}


@dataclass(frozen=True)
class Idea:
    id: str
    sector: str
    inputs: dict[str, str]
    competitors: dict[str, int]

    def project_inputs(self) -> ProjectInputsData:
        """The idea's answers, with neutral defaults for what a report needs but it omits."""
        answers = {k: v for k, v in self.inputs.items() if v}
        answers.setdefault("startup_name", self.id.replace("-", " ").title())
        for key, value in COMPLETE_DEFAULTS.items():
            answers.setdefault(key, value)
        return ProjectInputsData(**answers)

    @property
    def names_competitors(self) -> bool:
        return bool(self.inputs.get("inspiration_sources", "").strip())

    def without_names(self) -> Idea:
        """The same idea from a founder who names no competitor (id suffixed "~unnamed")."""
        inputs = {k: v for k, v in self.inputs.items() if k != "inspiration_sources"}
        return dataclasses.replace(self, id=f"{self.id}~unnamed", inputs=inputs)


def unnamed_variants(ideas: list[Idea]) -> list[Idea]:
    """Every idea that names competitors, asked again without them: most founders name none,
    and the search must find the market from their words alone."""
    return [idea.without_names() for idea in ideas if idea.names_competitors]


def load_ideas(directory: Path = GOLD_DIR) -> list[Idea]:
    ideas = []
    for path in sorted(directory.glob("competitors_*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["ideas"]:
            ideas.append(
                Idea(item["id"], item.get("sector", ""), item["inputs"], item["competitors"])
            )
    return ideas


@dataclass
class Scores:
    recall: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    empty: int = 0
    shown: list[int] = field(default_factory=list)

    def add(self, ranked: list[str], gold: dict[str, int], k: int = 10) -> tuple[float, float]:
        top = ranked[:k]
        hits = [name for name in top if name in gold]
        recall = len(hits) / min(len(gold), k) if gold else 0.0
        precision = len(hits) / len(top) if top else 0.0
        self.empty += not top
        gains = [gold.get(name, 0) for name in top]
        dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sorted(gold.values(), reverse=True)[:k]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        self.recall.append(recall)
        self.precision.append(precision)
        self.ndcg.append(dcg / idcg if idcg else 0.0)
        self.shown.append(len(top))
        return recall, precision

    def merged(self, other: Scores) -> Scores:
        """Both sets of lists as one."""
        return Scores(
            self.recall + other.recall,
            self.precision + other.precision,
            self.ndcg + other.ndcg,
            self.empty + other.empty,
            self.shown + other.shown,
        )

    def line(self, label: str) -> str:
        if not self.recall:
            return f"{label:48} (no ideas)"
        return (
            f"{label:48} recall@10 {mean(self.recall):.3f}  precision@10 "
            f"{mean(self.precision):.3f}  nDCG@10 {mean(self.ndcg):.3f}  "
            f"shown {mean(self.shown):.1f}  empty {self.empty}/{len(self.recall)}"
        )
