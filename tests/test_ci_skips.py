"""A skip in CI fails the run unless tests/allowed_skips.txt lists it with its reason: run pytest on
a small project of skipping tests, with and without `CI`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.ci_skips import read_allow_list

SKIPPING_TESTS = '''
import pytest

def test_runs():
    pass

def test_skips_listed():
    pytest.skip("needs a server CI does not have")

def test_skips_unlisted():
    pytest.skip("chromium is not installed")

@pytest.mark.skipif(True, reason="marked")
def test_marked_unlisted():
    pass

@pytest.mark.xfail(reason="a known bug")
def test_expected_failure():
    assert False
'''


def run_pytest(project: Path, ci: bool) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    if ci:
        env["CI"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.ci_skips", "-p", "no:cacheprovider", "-rA", "-q",
         "--rootdir", str(project), "-c", str(project / "pytest.ini"), str(project / "tests")],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_some.py").write_text(SKIPPING_TESTS)
    (tmp_path / "tests" / "test_module_skipped.py").write_text(
        "import pytest\npytest.skip('no PostgreSQL', allow_module_level=True)\n")
    (tmp_path / "tests" / "allowed_skips.txt").write_text(
        "# reasons\ntests/test_some.py::test_skips_listed | CI has no such server\n")
    return tmp_path


def test_outside_ci_a_skip_is_a_skip(project: Path) -> None:
    code, output = run_pytest(project, ci=False)
    assert code == 0, output
    assert "1 passed, 4 skipped, 1 xfailed" in output


def test_in_ci_only_listed_skips_pass(project: Path) -> None:
    code, output = run_pytest(project, ci=True)
    assert code == 1, output
    assert "SKIPPED [1] tests/test_some.py:8: needs a server CI does not have" in output
    assert "FAILED tests/test_some.py::test_skips_unlisted" in output
    assert "ERROR tests/test_some.py::test_marked_unlisted" in output  # skipped at set-up: an error
    assert "FAILED tests/test_module_skipped.py: skipped in CI: no PostgreSQL" in output
    assert "skipped in CI: chromium is not installed" in output
    assert "1 xfailed" in output  # an expected failure is no skip


def test_a_listed_skip_needs_a_reason(project: Path) -> None:
    (project / "tests" / "allowed_skips.txt").write_text("tests/test_some.py::test_skips_listed\n")
    code, output = run_pytest(project, ci=True)
    assert code != 0
    assert "write `<node id> | <reason>`" in output


def test_the_projects_allow_list_gives_a_reason_for_each_skip_and_names_existing_tests() -> None:
    allowed = read_allow_list(PROJECT_ROOT / "tests" / "allowed_skips.txt")
    assert allowed
    for node_id, reason in allowed.items():
        path, _, name = node_id.partition("::")
        assert (PROJECT_ROOT / path).is_file(), node_id
        assert f"def {name.split('[')[0]}(" in (PROJECT_ROOT / path).read_text(encoding="utf-8"), node_id
        assert len(reason) > 20, node_id
