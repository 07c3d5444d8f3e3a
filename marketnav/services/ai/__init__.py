"""AI service layer: provider chain, structured functions, streaming chat, offline analyser.

Public API (no Reflex or Celery imports anywhere in this package):

- chat: `stream_chat(ChatRequest, tool_handler=None)` (sync generator) and `astream_chat`
  (async generator) of `ChatEvent`; `list_modes()` for the mode toggle bar.
- structured functions: `generate_crunchbase_keywords`, `generate_tracxn_keywords`,
  `generate_social_keywords`, `generate_target_description`, `extract_project_inputs`,
  `answer_from_reports` ->
  `AIResult` (value + per-item `Confidence` with its basis); generic `complete_structured`.
- accounting: `calls_for_subject`, `recent_calls`, `usage_summary` (records are written by
  a thread of their own: `flush_call_records`); health: `check_providers`.
"""

from marketnav.services.ai.chat import (
    ChatEvent,
    ChatMessage,
    ChatRequest,
    astream_chat,
    stream_chat,
)
from marketnav.services.ai.confidence import Confidence
from marketnav.services.ai.editing import FieldFill, InputFill, review_fill
from marketnav.services.ai.failures import AIStepFailed
from marketnav.services.ai.functions import (
    AIResult,
    answer_from_reports,
    extract_project_inputs,
    generate_crunchbase_keywords,
    generate_social_keywords,
    generate_target_description,
    generate_tracxn_keywords,
)
from marketnav.services.ai.health import ProviderStatus, check_providers
from marketnav.services.ai.modes import ModeInfo, citations_in, list_modes, research_context
from marketnav.services.ai.providers import OFFLINE_LABEL, offline_only, route_for
from marketnav.services.ai.records import (
    AICallView,
    CallContext,
    SubjectUsage,
    UsageSummary,
    calls_for_subject,
    flush_call_records,
    recent_calls,
    usage_summary,
)
from marketnav.services.ai.schemas import (
    CrunchbaseKeywords,
    ProjectInputExtraction,
    ProjectInputsData,
    ReportSection,
    ResearchAnswer,
    SocialKeywords,
    TargetDescription,
    TracxnKeywords,
)
from marketnav.services.ai.structured import (
    StructuredOutcome,
    acomplete_structured,
    complete_structured,
)

__all__ = [
    "OFFLINE_LABEL",
    "AICallView",
    "AIResult",
    "AIStepFailed",
    "CallContext",
    "ChatEvent",
    "ChatMessage",
    "ChatRequest",
    "Confidence",
    "CrunchbaseKeywords",
    "FieldFill",
    "InputFill",
    "ModeInfo",
    "ProjectInputExtraction",
    "ProjectInputsData",
    "ProviderStatus",
    "ReportSection",
    "ResearchAnswer",
    "SocialKeywords",
    "StructuredOutcome",
    "SubjectUsage",
    "TargetDescription",
    "TracxnKeywords",
    "UsageSummary",
    "acomplete_structured",
    "answer_from_reports",
    "astream_chat",
    "calls_for_subject",
    "check_providers",
    "citations_in",
    "complete_structured",
    "extract_project_inputs",
    "flush_call_records",
    "generate_crunchbase_keywords",
    "generate_social_keywords",
    "generate_target_description",
    "generate_tracxn_keywords",
    "list_modes",
    "offline_only",
    "recent_calls",
    "research_context",
    "review_fill",
    "route_for",
    "stream_chat",
    "usage_summary",
]
