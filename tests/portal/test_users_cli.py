"""Portal accounts from the command line, as an operator makes the first admin."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.portal.accounts import find_user
from bot.portal.users import main
from tests.portal.conftest import log_in


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI, which reads its settings from the environment, at the test database."""
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    return database_url


def run(monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(args)


def test_create_list_reset_disable(
    cli_database: str, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(monkeypatch, ["create", "--email", "Root@S3martMed.example", "--name", "Root", "--admin",
                             "--password-stdin"], "first admin password\n") == 0
    assert run(monkeypatch, ["create", "--email", "bea@biowin.example", "--name", "Bea", "--cluster", "biowin",
                             "--language", "fr", "--password-stdin"], "bea's long password\n") == 0
    capsys.readouterr()
    assert run(monkeypatch, ["list"]) == 0
    listed = capsys.readouterr().out
    assert "root@s3martmed.example\tRoot\tadmin\ten\tactive" in listed
    assert "bea@biowin.example\tBea\tstaff biowin\tfr\tactive" in listed
    assert "password" not in listed
    assert log_in(client, "root@s3martmed.example", "first admin password").status_code == 303

    assert run(monkeypatch, ["reset-password", "--email", "bea@biowin.example", "--password-stdin"],
               "another long password\n") == 0
    assert log_in(TestClient(client.app), "bea@biowin.example", "another long password").status_code == 303
    assert run(monkeypatch, ["disable", "--email", "bea@biowin.example"]) == 0
    assert find_user(session, "bea@biowin.example").disabled
    assert log_in(TestClient(client.app), "bea@biowin.example", "another long password").status_code == 400


def test_errors_are_reported_without_a_traceback(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(monkeypatch, ["create", "--email", "x@biowin.example", "--name", "X", "--cluster", "biowin",
                             "--password-stdin"], "short\n") == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert run(monkeypatch, ["disable", "--email", "nobody@example.org"]) == 1
    assert "no account" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(monkeypatch, ["create", "--email", "x@y.example", "--name", "X", "--cluster", "atlantis"])


def test_the_password_is_asked_twice(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["typed password one", "typed password two"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert run(monkeypatch, ["create", "--email", "a@b.example", "--name", "A", "--admin"]) == 1
    assert "differ" in capsys.readouterr().err
