"""One address in front of several servers, for the scale-out tests.

Production puts nginx there (deploy/nginx.conf); the tests need only what matters to
Rasa: each new TCP connection goes to the next server in turn, so a client that opens a
connection per request talks to every server by turns. The proxy runs its own event
loop in a thread and remembers which server took each connection.
"""

from __future__ import annotations

import asyncio
import threading
from itertools import cycle


class RoundRobinProxy:
    """TCP proxy on 127.0.0.1:`port` handing connections to `backends` (ports) by turns."""

    def __init__(self, port: int, backends: list[int]) -> None:
        self.port = port
        self.backends = backends
        self.chosen: list[int] = []  # backend port of each connection, in order of arrival
        self._next = cycle(backends)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", self.port), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        server = self._server

        async def close() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        backend = next(self._next)
        self.chosen.append(backend)
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer))
        for writer in (server_writer, client_writer):
            writer.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.write_eof()  # pass the half-close on: HTTP clients may still read the answer
            except (OSError, RuntimeError):
                pass
