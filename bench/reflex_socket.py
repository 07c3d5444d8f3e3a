"""A minimal asyncio Reflex client: Engine.IO 4 / Socket.IO 5 over one websocket (wsproto).

What the compiled frontend does (`.web/utils/state.js` `connect`), without a browser: open
`/_event/?EIO=4&transport=websocket&token=<client token>` with the page's cookie, join the
`/_event` namespace with the boot event (`hydrate_and_load` with the page's router data) in
the CONNECT packet, answer pings, send `42/_event,["event", {...}]` and receive
`42/_event,["event", {delta, events, final}]` updates. Each update is handed to `on_update`
with the time it was read off the socket (`time.time()`, the clock of `published_at`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

NS = "/_event"
ROOT_STATE = "reflex___state____state"


def router_data(path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    return {"pathname": path, "asPath": path, "query": query or {}}


class ReflexSocket:
    """One tab: its own client token, one websocket, updates to `on_update(at, update)`."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        *,
        query: dict[str, str] | None = None,
        cookie: str = "",
        token: str = "",
        on_update: Callable[[float, dict], None] | None = None,
    ):
        self.host, self.port, self.path, self.query = host, port, path, query or {}
        self.cookie, self.token = cookie, token or str(uuid.uuid4())
        self.on_update = on_update or (lambda at, update: None)
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        self.error = ""
        self.updates = 0
        self.new_tokens = 0  # the server saw this token in use and handed out a fresh one
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task | None = None
        self._parts: list[str] = []

    # -- sending ----------------------------------------------------------------------------
    def _send_text(self, text: str) -> None:
        if self._writer is None or self._writer.is_closing():
            return
        self._writer.write(self._ws.send(Message(data=text)))

    def send(self, name: str, payload: dict | None = None) -> None:
        """Send one event of this page (router data of the page it was opened on)."""
        event = {
            "name": name,
            "payload": payload or {},
            "router_data": router_data(self.path, self.query),
        }
        self._send_text(f"42{NS}," + json.dumps(["event", event]))

    # -- connecting -------------------------------------------------------------------------
    async def open(self, timeout: float = 60.0) -> None:
        """Connect and hydrate the page (its on_load events run on the server)."""
        reader, self._writer = await asyncio.open_connection(self.host, self.port)
        headers = [(b"origin", f"http://{self.host}:{self.port}".encode())]
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        target = f"{NS}/?EIO=4&transport=websocket&token={self.token}"
        self._writer.write(
            self._ws.send(
                Request(host=f"{self.host}:{self.port}", target=target, extra_headers=headers)
            )
        )
        self._reader_task = asyncio.create_task(self._read(reader))
        await asyncio.wait_for(self.connected.wait(), timeout)

    async def close(self) -> None:
        if self._writer is not None and not self._writer.is_closing():
            with contextlib.suppress(Exception):
                self._send_text(f"41{NS},")  # what socket.io's disconnect() sends first
                self._writer.write(self._ws.send(CloseConnection(code=1000)))
                await self._writer.drain()
            self._writer.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(BaseException):
                await self._reader_task

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                data = await reader.read(65536)
                at = time.time()
                if not data:
                    break
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, TextMessage):
                        self._parts.append(event.data)
                        if event.message_finished:
                            text, self._parts = "".join(self._parts), []
                            self._on_packet(at, text)
                    elif isinstance(event, Ping):
                        self._writer.write(self._ws.send(event.response()))
                    elif isinstance(event, RejectConnection):
                        self.error = f"rejected {event.status_code}"
                        return
                    elif isinstance(event, CloseConnection):
                        self.error = self.error or f"closed {event.code}"
                        return
                    elif isinstance(event, AcceptConnection):
                        pass
        except (ConnectionError, OSError) as err:
            self.error = self.error or f"{type(err).__name__}: {err}"
        finally:
            if not self.error:
                self.error = "connection ended"
            self.closed.set()
            self.connected.set()  # never leave an opener waiting

    def _on_packet(self, at: float, text: str) -> None:
        if text.startswith("0"):  # Engine.IO open: join the namespace with the boot event
            boot = {
                "name": f"{ROOT_STATE}.hydrate_and_load",
                "payload": {},
                "router_data": router_data(self.path, self.query),
            }
            self._send_text(f"40{NS}," + json.dumps({"event": boot}))
        elif text == "2":
            self._send_text("3")
        elif text.startswith(f"40{NS},"):
            self.connected.set()
        elif text.startswith(f"44{NS},"):
            self.error = f"connect refused: {text[:200]}"
            self.connected.set()
        elif text.startswith(f"41{NS}"):
            self.error = "disconnected by the server"
            self.closed.set()
        elif text.startswith(f"42{NS},"):
            name, *rest = json.loads(text[3 + len(NS) :])
            if name == "new_token" and rest:
                # Duplicate-tab detection: the frontend takes the new token (a fresh state).
                self.new_tokens += 1
                self.token = str(rest[0])
            elif name == "event" and rest:
                self.updates += 1
                self.on_update(at, rest[0])
                # Backend events the server hands back to be queued (the frontend sends them
                # on); frontend-only ones (`_call_script`, `_redirect`, ...) are not run here.
                for event in rest[0].get("events") or []:
                    if isinstance(event, dict) and not str(event.get("name", "_")).startswith("_"):
                        event["router_data"] = event.get("router_data") or router_data(
                            self.path, self.query
                        )
                        event["payload"] = event.get("payload") or {}
                        self._send_text(f"42{NS}," + json.dumps(["event", event]))
