"""Issuing and revoking API tokens from the command line, as an operator would."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.portal.models import ApiToken
from bot.portal.tokens import create_token, main, token_hash
from tests.portal.conftest import add_lead, bearer


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI, which reads its settings from the environment, at the test database."""
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    return database_url


def test_create_list_revoke_round_trip(
    cli_database: str, client: TestClient, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    lead = add_lead(session, "biowin")
    assert main(["create", "--name", "Anna Staff", "--cluster", "biowin"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert len(token) >= 40 and "\n" not in token
    assert "shown only this once" in err and "cluster biowin" in err
    assert [row["id"] for row in client.get("/api/leads", headers=bearer(token)).json()] == [lead.id]

    row = session.scalars(select(ApiToken)).one()
    assert row.token_sha256 == token_hash(token) and token not in (row.token_sha256, row.name)

    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert f"{row.id}\tAnna Staff\tcluster biowin" in listed and "active" in listed and token not in listed

    assert main(["revoke", str(row.id)]) == 0
    assert "Revoked token" in capsys.readouterr().out
    assert client.get("/api/leads", headers=bearer(token)).status_code == 401
    assert main(["list"]) == 0
    assert "revoked" in capsys.readouterr().out


def test_admin_token_from_the_cli_sees_all(
    cli_database: str, client: TestClient, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    leads = [add_lead(session, "biowin"), add_lead(session, "biopmed")]
    assert main(["create", "--name", "ops", "--admin"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(client.get("/api/leads", headers=bearer(token)).json()) == len(leads)


def test_unknown_cluster_is_refused_with_the_valid_codes(
    cli_database: str, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["create", "--name", "x", "--cluster", "atlantis"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "atlantis" in err and "bioregio_stern" in err
    with pytest.raises(ValueError, match="unknown cluster 'atlantis'"):
        create_token(session, "x", "atlantis")
    assert session.scalars(select(ApiToken)).all() == []


def test_create_needs_exactly_one_scope(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["create", "--name", "x"], ["create", "--name", "x", "--admin", "--cluster", "biowin"]):
        with pytest.raises(SystemExit):
            main(argv)
    capsys.readouterr()


def test_revoking_an_unknown_token_fails_clearly(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["revoke", "4242"]) == 1
    assert "no token with id 4242" in capsys.readouterr().err
