"""A PostgreSQL and a Redis server of the test's own, which it may stop, kill and start again.

The project machines' servers (127.0.0.1:5432 and :6379) are shared with other engineers
and CI: a test never stops them. A fault test starts its own instead, on a free port, from
the binaries of this machine (PostgreSQL 15 in /usr/lib/postgresql/15/bin, or
S3M_TEST_POSTGRES_BIN; `redis-server` on the PATH). Without them the test is skipped,
except in CI, where they are installed and a missing one fails the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import redis

from bot.free_ports import free_port

POSTGRES_BIN = Path(os.environ.get("S3M_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
POSTGRES_USER = "postgres"  # initdb refuses to run as root: as root, the server runs as this user
START_TIMEOUT_SECONDS = 60


def missing(what: str) -> None:
    """Skip the test for want of `what`, or fail it in CI, where every server must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: the fault tests need it in CI", pytrace=False)
    pytest.skip(f"{what} is missing: the fault tests that stop a server of their own need it")


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster in a temporary folder, trust auth, listening on 127.0.0.1:`port` only."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        """The server's `postgres` database (bot.database.create_scratch_database makes others)."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server; returns once it accepts connections (pg_ctl's `-w`)."""
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
                   " -c fsync=off -c shared_buffers=16MB")
        self._pg_ctl("start", "-l", str(self.folder / "server.log"), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: its connections are cut; `immediate`: as if it crashed)."""
        self._pg_ctl("stop", "-m", mode)

    def _pg_ctl(self, *arguments: str) -> None:
        command = [str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-w",
                   "-t", str(START_TIMEOUT_SECONDS), *arguments]
        subprocess.run(as_postgres(command), check=True, capture_output=True, timeout=START_TIMEOUT_SECONDS + 10)


def as_postgres(command: list[str]) -> list[str]:
    """`command`, run as the `postgres` user when the tests run as root."""
    return ["runuser", "-u", POSTGRES_USER, "--", *command] if os.geteuid() == 0 else command


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A new PostgreSQL server, running; stopped and removed afterwards.

    Its folder is made under the system's temporary folder (pytest's is private to root,
    out of the `postgres` user's reach) and given to that user.
    """
    if not (POSTGRES_BIN / "initdb").exists():
        missing(f"PostgreSQL's initdb ({POSTGRES_BIN}/initdb; S3M_TEST_POSTGRES_BIN points elsewhere)")
    folder = Path(tempfile.mkdtemp(prefix="s3m-postgres-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, POSTGRES_USER, POSTGRES_USER)
        subprocess.run(as_postgres([str(POSTGRES_BIN / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                                    "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        server = PrivatePostgres(folder, free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A Redis server without persistence on 127.0.0.1:`port`, killed and started at will."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (always empty: nothing is saved); returns once it answers PING."""
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        client = redis.Redis(port=self.port, socket_timeout=1)
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited:\n{self.log_path.read_text()[-2000:]}")
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        finally:
            client.close()

    def kill(self) -> None:
        """Kill the server as a crash would; its locks are gone with it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
            self.process = None


@contextmanager
def private_redis(work: Path) -> Iterator[PrivateRedis]:
    """A new Redis server, running; killed afterwards. Its log goes to `work`."""
    if shutil.which("redis-server") is None:
        missing("redis-server (apt-get install redis-server)")
    server = PrivateRedis(free_port(), work / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.kill()
