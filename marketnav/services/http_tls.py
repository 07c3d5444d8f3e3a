"""One verifying TLS context per process for the app's outgoing HTTP clients.

httpx builds a context, reading the CA bundle (~25 ms of CPU), for every client it creates,
and a report run creates its clients anew; the context itself is safe to share.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def verified_tls_context() -> ssl.SSLContext:
    """httpx's default (certificate-verifying) context, built once."""
    return httpx.create_ssl_context()
