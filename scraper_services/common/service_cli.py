"""Command line of a service: `python -m scraper_services.<name> [--host H] [--port P]`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import uvicorn
from fastapi import FastAPI
from threadpoolctl import threadpool_limits


def server_config(app: FastAPI, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """uvicorn's settings for a service app: forwarded headers only from its trusted proxies.

    uvicorn's default believes X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS), so any
    local process could pick the address the per-caller rate limit counts. Here proxy headers
    are off unless SCRAPER_TRUSTED_PROXIES names proxies, and then only those are believed
    (uvicorn takes the nearest untrusted address of the X-Forwarded-For chain)."""
    proxies = list(app.state.context.trusted_proxies)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
    )


def serve(
    name: str,
    default_port: int,
    create_app: Callable[[], FastAPI],
    argv: Sequence[str] | None = None,
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m scraper_services.{name}")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=default_port, help=f"port ({default_port})")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    # One BLAS thread: on a busy 2-core machine OpenBLAS's spinning threads made one query
    # embedding take ~0.8 s instead of ~60 ms (bench_retrieval_scale); requests run in
    # parallel threads anyway.
    limits = threadpool_limits(1, user_api="blas")
    uvicorn.Server(server_config(create_app(), args.host, args.port, args.log_level)).run()
    limits.restore_original_limits()
