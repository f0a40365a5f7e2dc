"""Ports nobody listens on, for the servers that tests and benchmarks start on this machine."""

from __future__ import annotations

import socket


def free_ports(count: int) -> list[int]:
    """Distinct free ports: all bound at once, so none is handed out twice."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_port() -> int:
    return free_ports(1)[0]
