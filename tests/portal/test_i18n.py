"""The portal's words: every key in all five languages, and every key the code uses exists."""

from __future__ import annotations

import re
import string

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.leads.clusters import LANGUAGE_CODES
from bot.leads.lifecycle import STATUSES
from bot.leads.qualification import INTEREST_CODES, SECTOR_CODES
from bot.portal.analytics import STAGES
from bot.portal.audit import AUDIT_ACTIONS
from bot.portal.funnel import ALL_CHANNELS, QUESTIONS
from bot.portal.i18n import I18N_DIR, Translator, catalogue, language_from_header
from bot.portal.templating import TEMPLATES_DIR
from tests.portal.conftest import add_lead, add_user, log_in

PORTAL_DIR = I18N_DIR.parent
# The lead services whose refusals the portal shows (WorkflowError codes).
SERVICES_SHOWN = (PROJECT_ROOT / "bot" / "leads" / "lifecycle.py",)
# t("key"), t('key'), flash(request, "key") and error codes turned into "error.<code>".
_KEY_IN_TEMPLATE = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']\s*[,)]""")
_KEY_IN_PYTHON = re.compile(r"""(?:flash\(request,\s*|t\()\s*"([a-z_]+\.[a-z_.]+)"\s*[,)]""")
_CODE_IN_PYTHON = re.compile(r"""(?:AccountError|WorkflowError)\(\s*"([a-z_]+)\"""")
_FORBIDDEN_REASON = re.compile(r"""PageForbidden\(\s*"([a-z_]+)"\)""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def keys_used_in_code() -> set[str]:
    used: set[str] = set()
    for template in TEMPLATES_DIR.glob("*.html"):
        used |= set(_KEY_IN_TEMPLATE.findall(template.read_text(encoding="utf-8")))
    for module in (*PORTAL_DIR.glob("*.py"), *SERVICES_SHOWN):
        source = module.read_text(encoding="utf-8")
        used |= set(_KEY_IN_PYTHON.findall(source))
        used |= {f"error.{code}" for code in _CODE_IN_PYTHON.findall(source) + _FORBIDDEN_REASON.findall(source)}
    return used


def test_the_five_languages_have_the_same_keys() -> None:
    english = catalogue("en")
    for language in LANGUAGE_CODES:
        strings = catalogue(language)
        assert sorted(set(english) - set(strings)) == [], f"{language} lacks these keys"
        assert sorted(set(strings) - set(english)) == [], f"{language} has keys English lacks"
        for key, text in strings.items():
            assert text.strip(), f"{language}: {key} is empty"
            assert placeholders(text) == placeholders(english[key]), f"{language}: {key} placeholders"


def test_every_key_the_code_uses_exists() -> None:
    used = keys_used_in_code()
    assert len(used) > 80  # the patterns above do find the keys
    assert sorted(used - set(catalogue("en"))) == []


@pytest.mark.parametrize("group, codes", [
    ("status", STATUSES + ("erased",)), ("interest", INTEREST_CODES), ("sector", SECTOR_CODES),
    ("lang", LANGUAGE_CODES), ("action", AUDIT_ACTIONS), ("kind", ("registration", "contact_request")),
    ("outbox", ("pending", "sent", "failed", "cancelled")), ("channel", ("email", "webhook")),
    ("stage", STAGES), ("question", QUESTIONS), ("chat_channel", ALL_CHANNELS),
    ("event_kind", ("webinar", "brokerage_event")),
    ("faq", tuple(sorted(set(re.findall(r"^  utter_faq/([a-z_0-9]+):", (PROJECT_ROOT / "domain.yml").read_text(
        encoding="utf-8"), re.MULTILINE))))),
])
def test_every_code_has_a_label(group: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        assert f"{group}.{code}" in catalogue("en"), f"{group}.{code}"


def test_no_user_facing_text_in_python() -> None:
    """The portal's Python passes keys: a capitalised sentence in a string literal would be a slip."""
    for module in ("lead_routes", "login_routes", "user_routes", "token_routes", "dashboard_routes",
                   "audit_routes", "analytics_routes", "event_routes"):
        source = (PORTAL_DIR / f"{module}.py").read_text(encoding="utf-8")
        code = re.sub(r'"""[\s\S]*?"""', "", source)  # docstrings are for developers
        sentences = re.findall(r'"[A-Z][a-z]+ [a-z]+ [a-z]+[^"]*"', code)
        assert sentences == [], module


def test_accept_language_picks_the_best_supported_language() -> None:
    assert language_from_header("de-CH,de;q=0.9,en;q=0.8") == "de"
    assert language_from_header("es-ES,es;q=0.9,it;q=0.5,pl;q=0.7") == "pl"
    assert language_from_header("ja") == "en" and language_from_header(None) == "en"
    assert language_from_header("fr-BE, pl;q=0.5") == "fr" and language_from_header("en;q=0, it;q=0.1") == "it"
    assert language_from_header("de;level=1;q=0.4, PL-pl;q=0.6") == "pl" and language_from_header("en;q=0") == "en"
    assert language_from_header("*, ;;q=x, it-CH;q=0.2") == "it"
    assert Translator("xx")("nav.inbox") == "Leads"


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_each_page_renders_in_each_language(
    language: str, client: TestClient, session: Session
) -> None:
    add_user(session, f"{language}@admin.example", None, language=language)
    lead = add_lead(session, "biowin", status="contacted")
    log_in(client, f"{language}@admin.example")
    t = Translator(language)
    for path, heading in (("/leads", "inbox.title"), (f"/leads/{lead.id}", "lead.status_history"),
                          ("/dashboard", "dashboard.per_week"), ("/tokens", "tokens.title"),
                          ("/users", "users.create"), ("/audit", "audit.title"),
                          ("/analytics", "analytics.funnel"), ("/analytics/report", "report.per_region"),
                          ("/events", "events.title")):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{language}">' in page.text and escape(t(heading)) in page.text, path
    assert escape(t("status.contacted")) in client.get("/leads").text
