"""The Reflex app: pages and their routes, nothing else."""

import reflex as rx

from marketnav.pages.admin import account_page, audit_page, status_page
from marketnav.pages.auth import landing_page, login_page, register_page
from marketnav.pages.changes import changes_page
from marketnav.pages.dashboard import dashboard_page
from marketnav.pages.imports import imports_page
from marketnav.pages.organizations import organizations_page
from marketnav.pages.project import project_page
from marketnav.pages.queues import queues_page
from marketnav.pages.report import report_page
from marketnav.pages.share import SHARE_DESCRIPTION, share_page
from marketnav.pages.webhooks import webhooks_page
from marketnav.state.admin import AccountState, AuditState, StatusState
from marketnav.state.assistant import AssistantState
from marketnav.state.dashboard import DashboardState
from marketnav.state.imports import ImportState
from marketnav.state.notifications import NotificationsState
from marketnav.state.organizations import OrganizationsState
from marketnav.state.project import ProjectState
from marketnav.state.queues import QueueState
from marketnav.state.report_viewer import ReportViewerState
from marketnav.state.reports import ReportsState
from marketnav.state.session import SessionState
from marketnav.state.share import ShareState
from marketnav.state.share_links import ShareLinksState
from marketnav.state.watch import WatchState
from marketnav.state.webhooks import WebhooksState
from marketnav.web.headers import with_security_headers
from marketnav.web.routes import auth_routes
from marketnav.web.session_digest import with_session_digest

TITLE = "MarketNavigator"

# The session-cookie routes (/_auth/*) sit in front of Reflex's own app; the security headers
# wrap both, and in the one-port `make run` the compiled frontend too; outermost, the session
# cookie is replaced by its digest, so no raw token reaches a state stored in Redis.
app = rx.App(
    stylesheets=["/styles.css"],
    api_transformer=[auth_routes(), with_security_headers, with_session_digest],
)
app.add_page(
    landing_page,
    route="/",
    title=f"{TITLE} - Market research platform",
    on_load=SessionState.redirect_if_logged_in,
)
app.add_page(login_page, route="/login", title=f"Log in · {TITLE}")
app.add_page(register_page, route="/register", title=f"Sign up · {TITLE}")
# Public: people without an account open shared reports here (no login, no workspace).
app.add_page(
    share_page,
    route="/share/[token]",
    title=f"Shared report · {TITLE}",
    description=SHARE_DESCRIPTION,
    meta=[
        {"name": "robots", "content": "noindex, nofollow"},
        {"property": "og:title", "content": f"Shared market-research report · {TITLE}"},
        {"property": "og:description", "content": SHARE_DESCRIPTION},
        {"name": "referrer", "content": "no-referrer"},
    ],
    on_load=ShareState.load,
)

_protected = [
    (dashboard_page, "/dashboard", "My projects", [DashboardState.load]),
    (
        project_page,
        "/projects/[project_id]",
        "Project",
        [ProjectState.load, ReportsState.load, WatchState.load, AssistantState.load],
    ),
    (
        report_page,
        "/projects/[project_id]/reports/[report_type]",
        "Report",
        [ReportViewerState.load, AssistantState.load, ShareLinksState.reset_dialog],
    ),
    (organizations_page, "/organizations", "Organisations", [OrganizationsState.load]),
    (audit_page, "/audit", "Audit log", [AuditState.load]),
    (status_page, "/status", "System status", [StatusState.load]),
    (queues_page, "/queues", "Queues", [QueueState.load]),
    (imports_page, "/imports", "Import companies", [ImportState.load]),
    (account_page, "/account", "Account", [AccountState.reset_page]),
    (changes_page, "/changes", "Changes", [NotificationsState.load_changes]),
    (webhooks_page, "/webhooks", "Webhooks", [WebhooksState.load]),
]
for component, route, title, loaders in _protected:
    app.add_page(
        component,
        route=route,
        title=f"{title} · {TITLE}",
        on_load=[SessionState.require_login, NotificationsState.load_bell, *loaders],
    )
