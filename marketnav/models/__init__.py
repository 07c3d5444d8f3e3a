"""SQLModel tables, one module per aggregate; importing this registers them all."""

from marketnav.models.accounts import LoginAttempt, User, UserSession
from marketnav.models.ai import AICacheEntry, AICallRecord
from marketnav.models.assistant import AssistantMessage
from marketnav.models.imports import CompanyImport, OrganizationDataDeletion
from marketnav.models.operations import AuditLog, ProgressEvent, SystemCheck
from marketnav.models.organizations import Invitation, Membership, Organization
from marketnav.models.projects import Project, ProjectInputs
from marketnav.models.reports import (
    Report,
    ReportEvidence,
    ReportRun,
    ReportSection,
    ReportStep,
    StepTiming,
)
from marketnav.models.sharing import ShareAttempt, ShareLink, ShareUnlock
from marketnav.models.watching import (
    CompanyFollow,
    MarketWatch,
    Notification,
    OrganizationWebhook,
    WatchFollower,
    WebhookDelivery,
)
from marketnav.models.web import WebPageCache

__all__ = [
    "AICacheEntry",
    "AICallRecord",
    "AssistantMessage",
    "AuditLog",
    "CompanyFollow",
    "CompanyImport",
    "Invitation",
    "LoginAttempt",
    "MarketWatch",
    "Membership",
    "Notification",
    "Organization",
    "OrganizationDataDeletion",
    "OrganizationWebhook",
    "ProgressEvent",
    "Project",
    "ProjectInputs",
    "Report",
    "ReportEvidence",
    "ReportRun",
    "ReportSection",
    "ReportStep",
    "ShareAttempt",
    "ShareLink",
    "ShareUnlock",
    "StepTiming",
    "SystemCheck",
    "User",
    "UserSession",
    "WatchFollower",
    "WebPageCache",
    "WebhookDelivery",
]
