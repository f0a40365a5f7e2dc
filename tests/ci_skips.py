"""In CI a skipped test is a failed test, unless tests/allowed_skips.txt lists it with its reason.

A skip says "not tested here". On a developer's machine that is fine (no PostgreSQL, no
chromium); in CI (`.ci/run` sets `CI`) it would let a green run hide an untested part, e.g.
the browser tests when chromium failed to install. So when `CI` is set, every skip, whether
of a test or of a whole module, is reported as a failure naming its reason, unless its node id is
in the allow-list, one line each: `<node id> | <why this may be skipped in CI>`.

Loaded by tests/conftest.py (its hooks are imported there) or with `-p tests.ci_skips`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

import pytest

ALLOW_LIST = Path("tests") / "allowed_skips.txt"
"""The allow-list, relative to pytest's root directory."""

_allowed_by_root: Dict[Path, Dict[str, str]] = {}


def read_allow_list(path: Path) -> Dict[str, str]:
    """Node id → reason, from a file of `<node id> | <reason>` lines (`#` starts a comment line).

    Raises:
        pytest.UsageError: a line without a reason: a skip nobody can explain is not allowed.
    """
    allowed: Dict[str, str] = {}
    if not path.exists():
        return allowed
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        node_id, _, reason = (part.strip() for part in line.partition(" | "))
        if not node_id or not reason:
            raise pytest.UsageError(f"{path}:{number}: write `<node id> | <reason>`, not {line!r}")
        allowed[node_id] = reason
    return allowed


def _allowed(config: pytest.Config) -> Dict[str, str]:
    root = config.rootpath
    if root not in _allowed_by_root:
        _allowed_by_root[root] = read_allow_list(root / ALLOW_LIST)
    return _allowed_by_root[root]


def _unlisted_skip(config: pytest.Config, report: Any) -> str | None:
    """The reason of a skip that CI must not accept, else None."""
    if not os.environ.get("CI") or not report.skipped or hasattr(report, "wasxfail"):
        return None
    if report.nodeid in _allowed(config):
        return None
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _explanation(node_id: str, reason: str) -> str:
    return (f"skipped in CI: {reason}\n"
            f"A skip in CI is a failure: make it run, or add `{node_id} | <reason>` to {ALLOW_LIST}.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    reason = _unlisted_skip(item.config, report)
    if reason is not None:
        report.outcome = "failed"
        report.longrepr = _explanation(report.nodeid, reason)


_skipped_modules = pytest.StashKey[list]()


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """A module skipped as a whole (`pytest.skip(..., allow_module_level=True)`) fails the run at its
    end (failing its collection would stop the run before the other tests)."""
    outcome = yield
    report = outcome.get_result()
    reason = _unlisted_skip(collector.config, report)
    if reason is not None:
        collector.config.stash.setdefault(_skipped_modules, []).append((report.nodeid, reason))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.config.stash.get(_skipped_modules, None) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = config.stash.get(_skipped_modules, None)
    if skipped:
        terminalreporter.section("modules skipped in CI", sep="=", red=True)
        for node_id, reason in skipped:
            terminalreporter.line(f"FAILED {node_id}: {_explanation(node_id, reason)}")
