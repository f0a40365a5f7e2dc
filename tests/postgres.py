"""Throw-away PostgreSQL databases for tests, on the project machines' server.

PostgreSQL runs at 127.0.0.1:5432 (trust auth). Set S3M_TEST_POSTGRES_URL to another
server, or to "off" to skip PostgreSQL tests where no server exists (never in CI).
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from bot.database import create_scratch_database, drop_scratch_database

POSTGRES_URL = os.environ.get("S3M_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def throwaway_postgres_database() -> Iterator[str]:
    """Yield the URL of a new, empty database on the test server; it is dropped afterwards."""
    if POSTGRES_URL == "off":
        if os.environ.get("CI"):
            pytest.fail("S3M_TEST_POSTGRES_URL=off is not allowed in CI")
        pytest.skip("PostgreSQL tests switched off (S3M_TEST_POSTGRES_URL=off)")
    try:
        url = create_scratch_database(POSTGRES_URL, "s3m_test")
    except Exception as error:  # noqa: BLE001 - say why, then fail or skip
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}: {error}")
    try:
        yield url
    finally:
        drop_scratch_database(url)
