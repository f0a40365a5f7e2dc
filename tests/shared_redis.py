"""The project machines' Redis for tests (127.0.0.1:6379, shared: never flushed, keys of the tests' own).

Set S3M_TEST_REDIS_URL to another server, or to "off" to skip Redis tests where no server
exists (never in CI, where a missing Redis fails the run).
"""

from __future__ import annotations

import os

import pytest
import redis

REDIS_URL = os.environ.get("S3M_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def reachable_redis_url() -> str:
    """URL of the test Redis once it answers; else the test is skipped (failed in CI)."""
    if REDIS_URL == "off":
        if os.environ.get("CI"):
            pytest.fail("S3M_TEST_REDIS_URL=off is not allowed in CI")
        pytest.skip("Redis tests switched off (S3M_TEST_REDIS_URL=off)")
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return REDIS_URL
