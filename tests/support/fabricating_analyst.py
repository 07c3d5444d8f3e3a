"""A scripted analyst for the local OpenAI test server that fabricates, on purpose.

Installed as a provider's responder (`server.set_responder("analyst", FabricatingAnalyst())`),
it answers every structured request of a report run. A section it writes states facts taken
from the data it was given (a company's funding and founding year, as a model would round
them) and then injects fabrications: invented companies, money amounts and growth figures that
are nowhere in the data, and a quote nobody wrote. It remembers each token it injected and each
figure it took from the data, so a test or benchmark can check that the fact check marks every
fabrication and no supported figure.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from scraper_services.common.money import format_usd
from tests.support.report_stack import MODEL_KEYWORDS

INVENTED_COMPANIES = (
    "Zentrix Labs",
    "Quorvane",
    "Brimblewick Analytics",
    "Nuvaro Systems",
    "Trellisque",
    "Vantorra Health",
    "Kepplar Mobility",
    "Osmirra",
    "Pellucine",
    "Draxwell Partners",
)
INVENTED_QUOTES = (
    "honestly this is the only tool my whole team opens every single morning",
    "we switched last quarter and cut our costs nearly in half overnight",
    "nobody else in the market even tries to solve the onboarding mess",
    "I would pay double for this if it also handled the invoicing side",
)
DATA_MARK = "Data (JSON):\n"


@dataclass
class FabricatingAnalyst:
    """The responder; `injected` and `supported` list the tokens written so far."""

    seed: int = 7
    per_answer: int = 3
    injected: list[str] = field(default_factory=list)
    supported: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def __call__(self, body: dict[str, Any]) -> str:
        user = str(body["messages"][-1].get("content") or "")
        answer: dict[str, Any] = {
            "keywords": MODEL_KEYWORDS,
            "description": "Online marketplaces where pet owners book dog walkers and sitters.",
            "confidence": 0.7,
        }
        if DATA_MARK in user:
            answer["markdown"] = self.section(user)
        else:
            answer["markdown"] = (
                "### Notes\n\nNo data was given for this section, so none is cited."
            )
        return json.dumps(answer)

    def section(self, prompt: str) -> str:
        data = _data(prompt)
        lines = ["### Analysis", ""]
        for name, funding, founded in _facts(data)[:4]:
            parts = [f"{name} is one of the companies in the data"]
            if funding:
                money = format_usd(funding)
                parts.append(f"it has raised {money}")
                self.supported.append(money)
            if founded:
                parts.append(f"it was founded in {founded}")
                self.supported.append(str(founded))
            lines.append("- " + "; ".join(parts) + ".")
        lines.append("")
        numbers = _numbers(prompt)
        for _ in range(self.per_answer):
            lines.append(self._fabrication(numbers))
        return "\n".join(lines)

    def _fabrication(self, numbers: set[float]) -> str:
        kind = self._random.choice(("company", "money", "growth", "quote"))
        if kind == "company":
            name = self._random.choice(INVENTED_COMPANIES)
            self.injected.append(name)
            return f"{name} is the fastest-moving rival in this space."
        if kind == "money":
            amount = self._fresh(numbers, lambda: round(self._random.uniform(11, 99), 1) * 1e6)
            money = format_usd(amount)
            self.injected.append(money)
            return f"A new entrant closed a {money} round last month."
        if kind == "growth":
            share = self._fresh(numbers, lambda: float(self._random.randint(120, 480)))
            self.injected.append(f"{share:g}%")
            return f"The category grew {share:g}% in a single year."
        quote = self._random.choice(INVENTED_QUOTES)
        self.injected.append(f"“{quote}”")
        return f"One buyer put it plainly: “{quote}”."

    @staticmethod
    def _fresh(numbers: set[float], draw) -> float:
        """A value no number in the prompt is within 10% of (so it is a real fabrication)."""
        while True:
            value = draw()
            if not any(abs(value - n) <= 0.1 * max(value, n) for n in numbers):
                return value


def _data(prompt: str) -> Any:
    try:
        return json.loads(prompt.split(DATA_MARK, 1)[1])
    except (IndexError, ValueError):
        return {}


def _facts(data: Any) -> list[tuple[str, float | None, int | None]]:
    """(name, funding, founded) of every company-like object in the data."""
    found: list[tuple[str, float | None, int | None]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            name = value.get("name")
            funding = value.get("funding_usd")
            founded = value.get("founded_year")
            if isinstance(name, str) and ("funding_usd" in value or "founded_year" in value):
                found.append(
                    (
                        name,
                        float(funding) if isinstance(funding, int | float) else None,
                        int(founded) if isinstance(founded, int) else None,
                    )
                )
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    unique = {name: (name, funding, founded) for name, funding, founded in found}
    return list(unique.values())


def _numbers(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)} | {
        float(n) * 1e6 for n in re.findall(r"\$(\d+(?:\.\d+)?)M", text)
    }
