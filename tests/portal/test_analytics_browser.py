"""The analytics and event interest pages in Chromium: charts drawn, filters applied, CSV downloaded.

Two sets of generated conversations: a month of random traffic ending today (what the page shows
by default, and the screenshots), and the hand-counted set of test_analytics.py moved 40 days back,
which the filters then select. With S3M_UPDATE_SCREENSHOTS=1 the screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.orm import sessionmaker

from benchmarks.analytics_conversations import random_scripts, store_conversations, store_leads
from bot.database import build_engine
from bot.leads import schema
from bot.portal.accounts import create_user
from tests.browser import chromium, screenshot_folder
from tests.portal.conftest import PASSWORD
from tests.portal.test_analytics import SCRIPTS
from tests.portal_server import serve_portal

if os.environ.get("S3M_SKIP_BROWSER") == "1":
    pytest.skip("S3M_SKIP_BROWSER=1: browser tests skipped", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

KNOWN_START = (datetime.now(UTC) - timedelta(days=40)).replace(hour=8, minute=0, second=0, microsecond=0)


@dataclass
class Portal:
    url: str
    screenshots: Path


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    work = tmp_path_factory.mktemp("analytics-browser")
    url = f"sqlite:///{work / 'portal.db'}"
    schema.upgrade(url)
    engine = build_engine(url)
    recent = random_scripts(400, seed=7, start=datetime.now(UTC) - timedelta(days=29), days=28)
    first = min(script.start for script in SCRIPTS if script.sender_id != "october")
    known = [replace(script, sender_id=f"{script.sender_id}-known", start=KNOWN_START + (script.start - first))
             for script in SCRIPTS if script.sender_id != "october"]
    store_conversations(engine, recent + known)
    with sessionmaker(engine, future=True)() as session:
        store_leads(session, recent + known)
        create_user(session, email="bea@biowin.example", name="Béatrice Lambert", password=PASSWORD, cluster="biowin")
        create_user(session, email="admin@s3martmed.example", name="Admin", password=PASSWORD, cluster=None)
        session.commit()
    engine.dispose()
    env = {**os.environ, "S3M_DATABASE_URL": url, "S3M_SECRET_KEY": "browser-test-key"}
    with serve_portal(env, work / "uvicorn.log") as portal_url:
        yield Portal(portal_url, screenshot_folder(work))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB", accept_downloads=True)
    yield context.new_page()
    context.close()


def log_in(page: Page, portal: Portal, email: str, path: str) -> None:
    page.goto(f"{portal.url}{path}")  # redirected to the log-in form, and back afterwards
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def painted_pixels(page: Page, chart: str) -> int:
    """How many pixels of the chart's canvas Chart.js painted (not just a blank canvas of some size)."""
    return page.evaluate("""(name) => {
        const canvas = document.querySelector(`canvas[data-chart="${name}"]`);
        if (!window.Chart || !Chart.getChart(canvas)) return 0;
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return painted;
    }""", chart)


def bar_values(page: Page, chart: str) -> list[float]:
    return page.evaluate("""(name) => Chart.getChart(document.querySelector(`canvas[data-chart="${name}"]`))
        .data.datasets[0].data""", chart)


def stage_count(page: Page, stage: str) -> int:
    return int(page.locator(f'table.funnel tr[data-stage="{stage}"] td.count').first.inner_text())


def test_the_charts_are_drawn_and_the_filters_apply(page: Page, portal: Portal, tmp_path: Path) -> None:
    log_in(page, portal, "admin@s3martmed.example", "/analytics")
    expect(page.get_by_role("heading", name="Funnel and drop-off")).to_be_visible()
    for chart in ("funnel", "questions", "faq", "languages"):
        expect(page.locator(f'canvas[data-chart="{chart}"]')).to_have_attribute("data-drawn", "true")
        assert painted_pixels(page, chart) > 2_000, chart
    assert bar_values(page, "funnel")[0] == stage_count(page, "conversations") == 400
    page.screenshot(path=str(portal.screenshots / "portal-analytics.png"), full_page=True)

    since = KNOWN_START.date()
    filters = page.locator("form.filters")
    filters.get_by_label("From", exact=True).fill(since.isoformat())
    filters.get_by_label("To", exact=True).fill((since + timedelta(days=9)).isoformat())
    filters.get_by_role("button", name="Filter").click()
    expect(page.locator('table.funnel tr[data-stage="conversations"] td.count').first).to_have_text("9")
    assert [stage_count(page, stage) for stage in ("registered", "handed_off", "contacted")] == [4, 2, 1]
    assert bar_values(page, "funnel") == [9, 8, 6, 5, 4, 3, 2, 1]

    filters.get_by_label("Language").select_option("de")
    filters.get_by_role("button", name="Filter").click()
    expect(page.locator('table.funnel tr[data-stage="conversations"] td.count').first).to_have_text("2")
    assert painted_pixels(page, "funnel") > 2_000

    with page.expect_download() as download_info:
        page.locator("#questions").get_by_role("link", name="Export as CSV").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["question", "asked", "answered_first_try", "answered_after_reask", "left_there"]
    assert ["sector", "1", "0", "1", "0"] in rows  # the German registration needed the sector asked twice


def test_staff_see_their_cluster_and_the_monthly_report(page: Page, portal: Portal) -> None:
    log_in(page, portal, "bea@biowin.example", "/analytics")
    expect(page.get_by_role("heading", name="Analytics: BioWin")).to_be_visible()
    expect(page.locator("form.filters").get_by_label("Cluster")).to_have_count(0)
    month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    page.get_by_role("link", name="Monthly report").click()
    expect(page.get_by_role("heading", name=f"Monthly report of the S3martMed assistant: {month}")).to_be_visible()
    regions = page.locator("table.report-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.cluster)")
    assert set(regions) <= {"biowin"}
    page.screenshot(path=str(portal.screenshots / "portal-report.png"), full_page=True)


def test_event_interest_lists(page: Page, portal: Portal, tmp_path: Path) -> None:
    log_in(page, portal, "bea@biowin.example", "/events")
    expect(page.get_by_role("heading", name="Event interest lists")).to_be_visible()
    lyon = page.locator("#event-example-brokerage-lyon")
    expect(lyon.locator("table.leads tbody tr").first).to_be_visible()
    shown = lyon.locator("table.leads tbody tr").count()
    expect(lyon).to_contain_text("More interested SMEs whose leads went to other clusters")
    page.screenshot(path=str(portal.screenshots / "portal-events.png"), full_page=True)

    with page.expect_download() as download_info:
        lyon.get_by_role("link", name="Export as CSV").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert len(rows) == shown
    assert {row["cluster"] for row in rows} == {"biowin"}  # the generated leads copy only to BioPmed


def test_screenshots_are_written(portal: Portal) -> None:
    for name in ("portal-analytics.png", "portal-report.png", "portal-events.png"):
        assert (portal.screenshots / name).stat().st_size > 10_000
