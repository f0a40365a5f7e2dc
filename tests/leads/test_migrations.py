"""The Alembic migrations build exactly the schema of the models, and can be undone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.config import PROJECT_ROOT
from bot.database import build_engine
from bot.leads import schema
from bot.orm import all_tables
from bot.portal import users

OUR_TABLES = set(all_tables().tables)


def schema_differences(url: str) -> list:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": _only_our_tables}
            )
            return compare_metadata(context, all_tables())
    finally:
        engine.dispose()


def _only_our_tables(name: str | None, type_: str, parent_names: dict) -> bool:
    return type_ != "table" or name in OUR_TABLES


def table_names(url: str) -> set[str]:
    engine = build_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_there_is_one_line_of_revisions() -> None:
    script = ScriptDirectory.from_config(schema.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    assert table_names(database_url) == OUR_TABLES | {"alembic_version"}
    assert schema_differences(database_url) == []


def test_downgrade_to_base_and_upgrade_again(database_url: str) -> None:
    schema.downgrade(database_url, "base")
    assert table_names(database_url) == {"alembic_version"}
    schema.upgrade(database_url)
    assert table_names(database_url) == OUR_TABLES | {"alembic_version"}
    assert schema_differences(database_url) == []


def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    schema.upgrade(database_url)
    assert schema_differences(database_url) == []


def test_other_tables_in_the_database_are_left_alone(database_url: str) -> None:
    """Rasa's tracker store keeps its `events` table in the same database."""
    engine = build_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, data TEXT)"))
            connection.execute(text("INSERT INTO events (id, data) VALUES (1, 'kept')"))
        schema.downgrade(database_url, "base")
        schema.upgrade(database_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT data FROM events")).scalar_one() == "kept"
    finally:
        engine.dispose()


def test_a_differing_model_is_detected(database_url: str) -> None:
    """The comparison can fail: a table the migrations lack shows up as a difference."""
    schema.downgrade(database_url, "base")
    differences = schema_differences(database_url)
    assert {difference[1].name for difference in differences if difference[0] == "add_table"} == OUR_TABLES


def test_the_module_migrates_the_configured_sqlite_database(tmp_path: Path) -> None:
    database = tmp_path / "nested" / "folder" / "s3m.db"
    url = f"sqlite:///{database}"
    environment = {**os.environ, "S3M_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "bot.leads.schema"],
        cwd=tmp_path,  # any working directory: the migrations are found from the project root
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert table_names(url) == OUR_TABLES | {"alembic_version"}
    assert schema_differences(url) == []
    assert PROJECT_ROOT.joinpath("alembic.ini").is_file()


def test_only_the_migration_step_changes_the_schema_every_other_program_checks_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` migrates once before its processes start; the portal, the action server, the outbox
    worker and the command-line tools refuse a schema that is behind, saying what to run."""
    schema.require_current(database_url)
    head = ScriptDirectory.from_config(schema.alembic_config(database_url)).get_revision("head")
    schema.downgrade(database_url, head.down_revision)
    with pytest.raises(schema.SchemaNotCurrent,
                       match=rf"revision {head.down_revision}, this code needs {head.revision}: .*python -m bot\.leads"):
        schema.require_current(database_url)
    monkeypatch.setenv("S3M_DATABASE_URL", database_url)
    with pytest.raises(SystemExit, match=rf"^error: the database .* is at schema revision {head.down_revision}"):
        users.main(["list"])
    assert schema_differences(database_url) != []  # the tool left the schema as it was
    schema.upgrade(database_url)
    schema.require_current(database_url)
