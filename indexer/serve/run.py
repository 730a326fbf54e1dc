"""Running the application under uvicorn (`indexer serve`)."""

from __future__ import annotations

import os
import socket
from typing import Any

from ..errors import QueryError


def check_address(host: str, port: int) -> None:
    """QueryError naming the address when it cannot be listened on (in use, not ours)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise QueryError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run(index_path: str | None, host: str, port: int, workers: int | None,
        cors: str | None, query_seconds: float, access_log: bool = False,
        scheduler: str | None = None) -> None:
    """Serve until interrupted: one process, or `workers` processes sharing the port
    (each a uvicorn worker that builds the application from the environment; default
    one per core, at most 4)."""
    import uvicorn

    from ..index import default_index_path
    from ..output import say
    from .app import Settings, create_app

    check_address(host, port)
    path = os.path.abspath(index_path or default_index_path())
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    say(f"indexer: serving {path} on {where} with {workers} "
        f"process{'es' if workers > 1 else ''} (Ctrl-C stops)", err=True)
    if workers > 1:
        os.environ["INDEXER_INDEX"] = path
        os.environ["INDEXER_SERVE_SECONDS"] = str(query_seconds)
        if cors:
            os.environ["INDEXER_SERVE_CORS"] = cors
        if scheduler:
            os.environ["INDEXER_SERVE_SCHEDULER"] = scheduler
        app: Any = "indexer.serve.app:app_from_environment"
    else:
        app = create_app(Settings(path, cors, query_seconds, scheduler))
    uvicorn.run(app, factory=workers > 1, host=host, port=port,
                workers=workers if workers > 1 else None, log_level="warning",
                access_log=access_log, server_header=False, timeout_graceful_shutdown=5,
                timeout_keep_alive=75)  # a reader pauses between pages longer than 5 s
