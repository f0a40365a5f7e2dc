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


def rasa_arguments(monkeypatch, **env: str):
    """The Rasa command line `make run` would start, read by Rasa's own argument parser,
    with the environment the launcher gives it (the shell expands $S3M_RASA_TOKEN)."""
    import argparse
    import shlex

    from rasa.cli.arguments.run import set_run_arguments

    from bot.launcher import process_commands, process_environment

    monkeypatch.delenv("S3M_RASA_TOKEN", raising=False)
    monkeypatch.delenv("S3M_WIDGET_ORIGINS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    environment = process_environment(settings)
    command = process_commands(settings, "models/some.tar.gz")["rasa"]
    words = shlex.split(command.replace('"$S3M_RASA_TOKEN"', shlex.quote(environment["S3M_RASA_TOKEN"])))
    assert words[1:4] == ["-m", "rasa", "run"]
    parser = argparse.ArgumentParser()
    set_run_arguments(parser)
    return parser.parse_args(words[4:]), environment


def test_only_the_widget_pages_may_call_rasa_from_a_browser(monkeypatch):
    arguments, _ = rasa_arguments(monkeypatch)
    assert arguments.cors == ["http://127.0.0.1:8000", "http://localhost:8000"]
    arguments, _ = rasa_arguments(monkeypatch, S3M_WIDGET_ORIGINS="https://www.biowin.be, https://s3martmed.eu/")
    assert arguments.cors == ["https://www.biowin.be", "https://s3martmed.eu"]
    with pytest.raises(ValueError, match="S3M_WIDGET_ORIGINS"):
        rasa_arguments(monkeypatch, S3M_WIDGET_ORIGINS="*")


def test_make_run_protects_the_rasa_api_with_a_token_of_its_own(monkeypatch):
    """Without S3M_RASA_TOKEN: a random token for this start, given to Rasa and to the portal
    (whose retraining replaces the model), while Rasa stays on localhost."""
    arguments, environment = rasa_arguments(monkeypatch)
    assert arguments.auth_token and len(arguments.auth_token) >= 32
    assert arguments.auth_token == environment["S3M_RASA_TOKEN"]
    assert arguments.interface == "127.0.0.1"
    monkeypatch.setenv("S3M_RASA_TOKEN", environment["S3M_RASA_TOKEN"])  # what the portal process reads
    assert load_settings().rasa_token == arguments.auth_token
    again, _ = rasa_arguments(monkeypatch)
    assert again.auth_token != arguments.auth_token
    arguments, environment = rasa_arguments(monkeypatch, S3M_RASA_TOKEN="the-operators-token")
    assert arguments.auth_token == "the-operators-token" == environment["S3M_RASA_TOKEN"]
    assert arguments.interface == "0.0.0.0"


def test_a_token_starting_with_a_dash_reaches_rasa_whole(monkeypatch):
    """One random token in 64 starts with "-": Rasa's parser took it for an option and `make run` stopped."""
    arguments, _ = rasa_arguments(monkeypatch, S3M_RASA_TOKEN="-Dy4euHoOuCPoryVX11ZmcSslPkawUzFH8jQTQyTQE")
    assert arguments.auth_token == "-Dy4euHoOuCPoryVX11ZmcSslPkawUzFH8jQTQyTQE"
