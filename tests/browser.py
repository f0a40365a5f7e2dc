"""Debian's Chromium, driven by Playwright, for the browser tests (portal, widget, retraining)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from bot.config import PROJECT_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
# As root on a closed network Chromium needs these, or it stalls (see README, "Tests").
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


def require_chromium() -> Path:
    """Chromium's path; without it the tests fail in CI (which installs it) and are skipped elsewhere."""
    if os.environ.get("S3M_SKIP_BROWSER") == "1":
        pytest.skip("S3M_SKIP_BROWSER=1: browser tests skipped")
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found (`apt-get install -y chromium`, as .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@contextmanager
def chromium() -> Iterator[Browser]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # CI shares two cores with training and the assistant
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(require_chromium()), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot_folder(fallback: Path) -> Path:
    """docs/screenshots with S3M_UPDATE_SCREENSHOTS=1 (to refresh the docs), else `fallback`."""
    return SCREENSHOTS if os.environ.get("S3M_UPDATE_SCREENSHOTS") == "1" else fallback
