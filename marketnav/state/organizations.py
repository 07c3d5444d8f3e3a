"""Organisations page: create, rename, members, invite, roles, remove, leave, web discovery."""

from __future__ import annotations

import reflex as rx

from marketnav.db import session_scope
from marketnav.services import organizations
from marketnav.services.company_import import deletion
from marketnav.services.errors import DomainError
from marketnav.services.permissions import Action, Role, can
from marketnav.settings import get_settings
from marketnav.state.session import PageState

ROLES = [r.value for r in Role]


class OrganizationsState(PageState):
    orgs: list[dict[str, str]] = []
    selected_id: str = ""
    selected_name: str = ""
    selected_role: str = ""
    can_manage: bool = False
    members: list[dict[str, str]] = []
    # Open invitations (e-mail, role): shown the same whether or not the e-mail has an account.
    invitations: list[dict[str, str]] = []
    invite_role: str = "member"
    can_delete: bool = False
    confirm_delete: bool = False
    # Web discovery for this organisation's reports; whether this person may switch it, and
    # whether the deployment has a search engine at all (WEB_SEARCH_ENGINE).
    web_discovery: bool = False
    can_manage_sources: bool = False
    web_engine: str = ""

    @rx.event
    def load(self):
        self._reset_messages()
        return self._refresh()

    def _refresh(self):
        try:
            with session_scope() as db:
                user = self.current_user(db)
                rows = organizations.list_for_user(db, user)
                self.orgs = [
                    {
                        "id": str(o.id),
                        "name": o.name,
                        "role": r.value,
                        "personal": "personal" if o.is_personal else "",
                        "web_discovery": "on" if o.web_discovery else "",
                    }
                    for o, r in rows
                ]
                ids = {o["id"] for o in self.orgs}
                if self.selected_id not in ids:
                    self.selected_id = self.orgs[0]["id"] if self.orgs else ""
                current = next((o for o in self.orgs if o["id"] == self.selected_id), None)
                if current is None:
                    self.members, self.invitations = [], []
                    return None
                self.selected_name, self.selected_role = current["name"], current["role"]
                role = Role(current["role"])
                self.can_manage = can(role, Action.ORG_MANAGE_MEMBERS)
                self.can_delete = not current["personal"] and can(role, Action.ORG_DELETE)
                self.can_manage_sources = can(role, Action.ORG_MANAGE_SOURCES)
                self.web_discovery = current["web_discovery"] == "on"
                self.web_engine = get_settings().web_search_engine
                self.members = [
                    {
                        "user_id": str(m.user_id),
                        "name": m.name,
                        "email": m.email,
                        "role": m.role,
                        "is_me": "1" if m.user_id == user.id else "",
                    }
                    for m in organizations.members(db, user, int(self.selected_id))
                ]
                self.invitations = (
                    [
                        {"email": i.email, "role": i.role}
                        for i in organizations.invitations(db, user, int(self.selected_id))
                    ]
                    if self.can_manage
                    else []
                )
        except DomainError as err:
            return self._fail(err)
        return None

    @rx.event
    def select(self, organization_id: str):
        self.selected_id = organization_id
        self._reset_messages()
        return self._refresh()

    def _act(self, action, notice: str):
        """Run `action(db, user)`; a string it returns replaces `notice`."""
        self._reset_messages()
        try:
            with session_scope() as db:
                answer = action(db, self.current_user(db))
        except DomainError as err:
            return self._fail(err)
        self.notice = answer if isinstance(answer, str) else notice
        return self._refresh()

    @rx.event
    def create(self, form: dict):
        name = form.get("name", "")

        def action(db, user):
            self.selected_id = str(organizations.create(db, user, name).id)

        return self._act(action, f"Created “{name.strip()}”.")

    @rx.event
    def rename(self, form: dict):
        name = form.get("name", "")
        return self._act(
            lambda db, user: organizations.rename(db, user, int(self.selected_id), name),
            "Organisation renamed.",
        )

    @rx.event
    def set_web_discovery(self, enabled: bool):
        return self._act(
            lambda db, user: organizations.set_web_discovery(
                db, user, int(self.selected_id), bool(enabled)
            ),
            "Web discovery is on: reports search the web for competitors."
            if enabled
            else "Web discovery is off: reports use the company data only.",
        )

    @rx.event
    def set_invite_role(self, role: str):
        self.invite_role = role

    @rx.event
    def invite(self, form: dict):
        email = form.get("email", "")
        return self._act(
            lambda db, user: organizations.invite(
                db, user, int(self.selected_id), email, self.invite_role
            ),
            "",  # organizations.invite answers the same whether or not the e-mail has an account
        )

    @rx.event
    def change_role(self, user_id: str, role: str):
        return self._act(
            lambda db, user: organizations.change_role(
                db, user, int(self.selected_id), int(user_id), role
            ),
            "Role changed.",
        )

    @rx.event
    def remove(self, user_id: str):
        return self._act(
            lambda db, user: organizations.remove_member(
                db, user, int(self.selected_id), int(user_id)
            ),
            "Member removed.",
        )

    @rx.event
    def leave(self):
        return self._act(
            lambda db, user: organizations.leave(db, user, int(self.selected_id)),
            "You left the organisation.",
        )

    @rx.event
    def ask_delete(self, ask: bool):
        self.confirm_delete = ask

    @rx.event
    async def delete(self):
        """Delete the organisation, then its imported companies from both services."""
        self._reset_messages()
        self.confirm_delete = False
        organization_id = int(self.selected_id or 0)
        try:
            with session_scope() as db:
                name = organizations.delete(
                    db, self.current_user(db), organization_id, client=self._client()
                )
        except DomainError as err:
            return self._fail(err)
        left = (await deletion.purge(organization_id)).get(organization_id, {})
        self.notice = f"Deleted “{name}” and everything in it."
        if left:
            self.notice += (
                f" The market-data service(s) {', '.join(sorted(left))} could not be reached: "
                "its imported companies will be deleted there automatically when they are back."
            )
        self.selected_id = ""
        return self._refresh()
