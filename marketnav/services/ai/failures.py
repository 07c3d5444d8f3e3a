"""How provider failures are classified, and the error a failed AI step raises."""

from __future__ import annotations

import json

from marketnav.services.errors import DomainError

RETRYABLE_KINDS = frozenset(
    {"timeout", "connection", "rate_limit", "server_error", "malformed_response"}
)


class ProviderCallError(Exception):
    """One failed attempt against one provider; `detail` is for logs and records only."""

    def __init__(self, kind: str, detail: str = "", status: int | None = None):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail[:300]
        self.status = status

    @property
    def retryable(self) -> bool:
        """Timeouts, 429, 5xx, dropped connections and unparseable bodies are worth a retry."""
        return self.kind in RETRYABLE_KINDS


class InvalidOutput(ProviderCallError):
    """The provider answered, but the answer failed the output schema or validation."""

    def __init__(self, detail: str, raw_output: str = ""):
        super().__init__("invalid_output", detail)
        self.raw_output = raw_output


class AIStepFailed(DomainError):
    """An AI step could not produce a valid answer; `str(err)` is safe to show to the user.

    Callers fail the report step with this message; it must never be written into a report.
    """

    def __init__(self, operation: str, kind: str, message: str, attempts: int = 0):
        super().__init__(message)
        self.operation = operation
        self.kind = kind
        self.attempts = attempts


def classify_exception(error: BaseException) -> ProviderCallError:
    """Map an SDK / transport exception to a ProviderCallError kind."""
    if isinstance(error, ProviderCallError):
        return error
    import openai  # loaded already by the client that raised (imported lazily: start-up)

    if isinstance(error, openai.APITimeoutError):
        return ProviderCallError("timeout", "request timed out")
    if isinstance(error, openai.APIConnectionError):
        return ProviderCallError("connection", type(error).__name__)
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        if status == 429:
            kind = "rate_limit"
        elif status >= 500:
            kind = "server_error"
        elif status == 408:
            kind = "timeout"
        elif status in (401, 403):
            kind = "auth"
        else:
            kind = "bad_request"
        return ProviderCallError(kind, f"HTTP {status}", status=status)
    if isinstance(error, openai.APIResponseValidationError | json.JSONDecodeError | ValueError):
        return ProviderCallError("malformed_response", type(error).__name__)
    return ProviderCallError("unexpected", type(error).__name__)


def failure_message(operation: str, kinds: list[str]) -> str:
    """A clear, key-free explanation for the user of why the AI step failed."""
    readable = operation.replace("_", " ")
    if kinds and all(kind == "invalid_output" for kind in kinds):
        return (
            f"The AI answer for '{readable}' did not match the expected format, even after a "
            "repair attempt. Try again, or choose another AI provider."
        )
    if "auth" in kinds and len(set(kinds)) == 1:
        return f"The AI provider rejected the API key while running '{readable}'. Check the key."
    summary = ", ".join(dict.fromkeys(kind.replace("_", " ") for kind in kinds)) or "no answer"
    return (
        f"No AI provider could complete '{readable}' (problems: {summary}). "
        "Try again in a few minutes."
    )
