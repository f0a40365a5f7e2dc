"""The staff portal in a uvicorn process of its own, as `make run` starts it, for browser tests."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bot.config import PROJECT_ROOT
from bot.free_ports import free_port
from tests.conftest import wait_until_up


@contextmanager
def serve_portal(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Start the portal with `env` (its S3M_PORTAL_PORT is chosen here) and yield its URL."""
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bot.portal.app:create_app", "--factory", "--ws", "none",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT, env={**env, "S3M_PORTAL_PORT": str(port)}, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/health", server, log_path, timeout=60)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)
