"""Without S3M_RASA_TOKEN, Rasa's HTTP API and the action server answer on localhost only."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest

from bot.config import load_settings
from bot.launcher import rasa_interface


def outside_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def test_rasa_and_actions_are_not_reachable_from_the_network(assistant):
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no network address besides localhost")
    rasa_port = urlparse(assistant.rasa_url).port
    action_port = assistant.action_port
    assert reachable("127.0.0.1", rasa_port) and reachable("127.0.0.1", action_port)
    assert not reachable(address, rasa_port)
    assert not reachable(address, action_port)


def test_a_public_rasa_api_needs_a_token(monkeypatch):
    monkeypatch.delenv("S3M_RASA_TOKEN", raising=False)
    monkeypatch.setenv("S3M_RASA_BIND", "0.0.0.0")
    with pytest.raises(SystemExit, match="S3M_RASA_TOKEN"):
        rasa_interface(load_settings())
    monkeypatch.setenv("S3M_RASA_TOKEN", "a-secret")
    assert rasa_interface(load_settings()) == "0.0.0.0"
    monkeypatch.delenv("S3M_RASA_BIND")
    assert rasa_interface(load_settings()) == "0.0.0.0"
    monkeypatch.delenv("S3M_RASA_TOKEN")
    assert rasa_interface(load_settings()) == "127.0.0.1"
