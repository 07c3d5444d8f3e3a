"""Provider-neutral shapes of an AI answer: text, tool calls, token usage."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field


class ToolCall(BaseModel):
    """A function call the model asked for; `arguments` is the raw JSON text."""

    id: str = ""
    name: str
    arguments: str = "{}"

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; raises ValueError when they are not a JSON object."""
        value = json.loads(self.arguments or "{}")
        if not isinstance(value, dict):
            raise ValueError("tool arguments are not a JSON object")
        return value


class TokenUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Completion(BaseModel):
    """The answer of one successful call in the chain."""

    content: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    provider: str
    model: str
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cached: bool = False
    request_id: str = ""
    # Attempts made in the chain for this answer (1 = first try worked).
    attempts: int = 1

    @property
    def offline(self) -> bool:
        return self.provider == "offline"
