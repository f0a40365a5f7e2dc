"""The portal in a real browser: Debian's Chromium driven by Playwright, the portal served by uvicorn.

The screenshots in docs/ come from here: run with S3M_UPDATE_SCREENSHOTS=1 to refresh
docs/screenshots/portal-inbox.png and portal-lead.png (otherwise they go to a temporary folder).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from bot.config import PROJECT_ROOT
from bot.database import build_engine
from bot.leads import schema
from bot.leads.models import LeadStatusChange, OutboxMessage, RoutingDecision
from bot.portal.accounts import create_user
from tests.portal.conftest import PASSWORD, add_events, add_lead
from tests.portal_server import serve_portal

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)", pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@dataclass
class Portal:
    url: str
    lead_ids: dict[str, int]
    screenshots: Path


def _seed(session: Session) -> dict[str, int]:
    """Two clusters' staff and realistic leads, one of them with a conversation and a failed e-mail."""
    create_user(session, email="bea@biowin.example", name="Béatrice Lambert", password=PASSWORD, cluster="biowin")
    create_user(session, email="admin@s3martmed.example", name="Admin", password=PASSWORD, cluster=None)
    now = datetime.now(UTC).replace(microsecond=0)
    samples = [
        ("Lumière Diagnostics SA", "Claire Dubois", "fr", "FR", ["partnering", "events"], True, "new"),
        ("MedNova GmbH", "Jonas Weber", "de", "DE", ["financing"], True, "contacted"),
        ("Silesia Implants Sp. z o.o.", "Anna Nowak", "pl", "PL", ["technology_centre"], True, "in_progress"),
        ("Torino BioSense S.r.l.", "Marco Rossi", "it", "IT", ["partnering"], False, "new"),
        ("Namur Digital Health SPRL", "Julie Lambert", "fr", "BE", ["events"], True, "converted"),
        ("Oxford Wearables Ltd", "Emma Clarke", "en", "GB", ["partnering", "financing"], True, "new"),
    ]
    ids: dict[str, int] = {}
    for number, (company, contact, language, country, interests, qualified, status) in enumerate(samples):
        lead = add_lead(
            session, "biowin", copies=["lyonbiopole"] if country == "FR" else [],
            created_at=now - timedelta(days=3 * number, hours=number), company_name=company,
            contact_name=contact, email=f"{contact.split()[0].lower()}@{company.split()[0].lower()}.example",
            language=language, country=country, interests=interests, qualified=qualified, status=status,
            conversation_id=f"conv-{number}",
        )
        ids.setdefault("first", lead.id)
    ids["foreign"] = add_lead(session, "medsilesia", company_name="Katowice Secret Sp. z o.o.").id
    featured = add_lead(
        session, "biowin", company_name="Acme Santé SRL", contact_name="Sophie Martin", email="sophie@acme.example",
        language="fr", country="BE", employees=42.0, sector="diagnostics", interests=["partnering", "events"],
        target_regions=["biopmed"], copies=["biopmed"], conversation_id="conv-featured",
        created_at=now - timedelta(hours=2),
        qualification_reasons=["42 employees: fewer than 250 (EU SME)", "sector diagnostics", "valid e-mail",
                               "consent given", "interests: partnering, events"],
        routing_reason="SME located in BE: owned by biowin; target region biopmed gets a copy",
    )
    session.add_all([
        RoutingDecision(lead_id=featured.id, cluster="biowin", cc_clusters=["biopmed"],
                        reason=featured.routing_reason, decided_at=now - timedelta(hours=2)),
        LeadStatusChange(lead_id=featured.id, status="new", changed_at=now - timedelta(hours=2)),
        OutboxMessage(lead_id=featured.id, channel="email", recipient="leads@biowin.example", cluster="biowin",
                      body="...", status="sent", attempts=1, created_at=now - timedelta(hours=2)),
        OutboxMessage(lead_id=featured.id, channel="email", recipient="leads@biopmed.example", cluster="biopmed",
                      body="...", status="failed", attempts=8, created_at=now - timedelta(hours=2),
                      last_error="SMTPRecipientsRefused: 550 mailbox unavailable"),
    ])
    session.commit()
    ids["featured"] = featured.id
    return ids


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    work = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{work / 'portal.db'}"
    schema.upgrade(url)
    engine = build_engine(url)
    with sessionmaker(engine, future=True)() as session:
        lead_ids = _seed(session)
    add_events(engine, "conv-featured", [
        ("user", "Bonjour, nous cherchons un partenaire en Italie"),
        ("bot", "Avec plaisir ! Pour vous mettre en relation, j'ai besoin de quelques informations. "
                "Acceptez-vous que nous enregistrions vos coordonnées ?"),
        ("user", "oui"),
        ("bot", "Merci ! Quel est le nom de votre entreprise ?"),
        ("user", "Acme Santé SRL"),
    ], start=datetime.now(UTC) - timedelta(hours=2, minutes=5))
    engine.dispose()

    env = {**os.environ, "S3M_DATABASE_URL": url}
    with serve_portal(env, work / "uvicorn.log") as portal_url:
        screenshots = SCREENSHOTS if os.environ.get("S3M_UPDATE_SCREENSHOTS") else work
        yield Portal(portal_url, lead_ids, screenshots)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", accept_downloads=True)
    yield context.new_page()
    context.close()


def log_in(page: Page, portal: Portal, email: str = "bea@biowin.example", password: str = PASSWORD) -> None:
    page.goto(f"{portal.url}/leads")  # redirected to the log-in form, and back afterwards
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def save_screenshot(page: Page, path: Path) -> None:
    """Write the whole page as the docs show it, after checking it is the page as rendered: a PNG
    as wide as the window and as tall as the page, with its text and colours (not a blank frame)."""
    shot = page.screenshot(full_page=True)
    width, height = page.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
    image = Image.open(io.BytesIO(shot))
    assert image.format == "PNG" and image.size == (width, height) and width == 1280
    colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 100  # anti-aliased text alone gives hundreds
    background = max(colours or [(0, None)])[0]
    assert background < 0.97 * width * height  # not a page of one colour
    path.write_bytes(shot)


def test_log_in_shows_the_clusters_inbox(page: Page, portal: Portal) -> None:
    log_in(page, portal, password="wrong password")
    expect(page.get_by_role("alert")).to_contain_text("The e-mail or password is wrong")
    log_in(page, portal)
    expect(page).to_have_url(f"{portal.url}/leads")
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    expect(page.locator("table.leads tbody tr")).to_have_count(7)
    expect(page.get_by_text("Katowice Secret")).to_have_count(0)
    save_screenshot(page, portal.screenshots / "portal-inbox.png")

    page.get_by_label("Search").fill("lumière")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.leads tbody tr")).to_have_count(1)


def test_staff_are_blocked_from_another_clusters_lead(page: Page, portal: Portal) -> None:
    log_in(page, portal)
    response = page.goto(f"{portal.url}/leads/{portal.lead_ids['foreign']}")
    assert response is not None and response.status == 403
    expect(page.get_by_text("This lead belongs to another cluster.")).to_be_visible()
    expect(page.get_by_text("Katowice Secret")).to_have_count(0)


def test_a_status_change_with_a_note(page: Page, portal: Portal) -> None:
    log_in(page, portal)
    page.goto(f"{portal.url}/leads/{portal.lead_ids['featured']}")
    expect(page.get_by_text("Bonjour, nous cherchons un partenaire en Italie")).to_be_visible()
    expect(page.get_by_text("SMTPRecipientsRefused")).to_have_count(0)  # hand-off errors: admins only
    page.get_by_label("New status").select_option("contacted")
    status_form = page.locator("form[action$='/status']")
    status_form.get_by_label("Note").fill("Called Sophie; meeting at the March brokerage event.")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_role("status")).to_have_text("The status was changed.")
    expect(page.locator("h1 .status")).to_have_text("Contacted")
    expect(page.get_by_text("Called Sophie; meeting at the March brokerage event.")).to_be_visible()
    save_screenshot(page, portal.screenshots / "portal-lead.png")


def test_export_downloads_the_filtered_view(page: Page, portal: Portal, tmp_path: Path) -> None:
    log_in(page, portal)
    page.goto(f"{portal.url}/leads?language=fr")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export as CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("leads-") and download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {row["language"] for row in rows} == {"fr"}
    assert {row["company_name"] for row in rows} == {
        "Lumière Diagnostics SA", "Namur Digital Health SPRL", "Acme Santé SRL"}


def test_the_language_switch(page: Page, portal: Portal) -> None:
    log_in(page, portal, email="admin@s3martmed.example")
    switch = page.locator("header form[action='/language']")
    switch.get_by_label("Language").select_option("de")
    switch.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    expect(page.get_by_role("link", name="Übersicht")).to_be_visible()
    switch.get_by_label("Sprache").select_option("en")
    switch.get_by_role("button", name="Wechseln").click()
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()


