"""The local OpenAI-compatible server answers at once on a reused connection.

Its sockets must have TCP_NODELAY: without it, an answer on a kept-alive connection waited
~40 ms for the client's delayed ACK, and the report benchmark took that for engine time.
"""

from __future__ import annotations

import socket

import httpx

from tests import ai_fixtures

openai_server = ai_fixtures.openai_server


def test_every_connection_of_the_test_server_sends_without_nagle(openai_server):
    with httpx.Client(base_url=openai_server.base_url("analyst")) as client:
        for _ in range(3):  # kept alive: the same connection answers each time
            client.get("/models")
        connections = openai_server._server.server_state.connections
        assert connections, "the kept-alive connection is open"
        for protocol in connections:
            sock = protocol.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
