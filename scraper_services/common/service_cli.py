"""Command line of a service: `python -m scraper_services.<name> [--host H] [--port P]`."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import uvicorn
from fastapi import FastAPI
from threadpoolctl import threadpool_limits


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
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level=args.log_level)
    limits.restore_original_limits()
