"""Rendering the portal's pages: Jinja2 with autoescaping, in the reader's language.

Every value from a lead (an SME typed it) is escaped by Jinja2's autoescape; pages are
sent with headers that forbid scripts, framing and caching, since they show personal data.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.leads.clusters import CLUSTER_CODES, LANGUAGE_CODES, load_clusters
from bot.leads.serialize import as_utc
from bot.portal.i18n import Translator, catalogue, language_from_header
from bot.portal.models import User
from bot.portal.web_session import CSRF_FIELD, csrf_token, take_flash

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SCRIPTS_FROM_PORTAL = "; script-src 'self'"
"""Added on the pages that draw charts: the portal's own script files run, never an inline or injected one."""

SECURITY_HEADERS = {
    # No script runs on the portal's pages, not even an injected one; forms post to the portal only.
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def format_time(moment: datetime | None) -> str:
    return f"{as_utc(moment):%Y-%m-%d %H:%M} UTC" if moment else ""


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


_environment.filters.update(time=format_time, number=format_number)


def cluster_name(code: str | None) -> str:
    clusters = load_clusters()
    return clusters[code].name if code in clusters else (code or "")


def page_language(request: Request, user: User | None) -> str:
    """The user's setting; before log-in, the language chosen on the log-in page or the browser's."""
    if user is not None:
        return user.language
    chosen = request.session.get("language")
    return chosen if chosen in LANGUAGE_CODES else language_from_header(request.headers.get("accept-language"))


def query_with(request: Request, **changes: Any) -> str:
    """The current query string with some parameters replaced (for page links and the CSV link)."""
    params = {key: value for key, value in request.query_params.items() if value}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return urlencode(params)


def render(
    request: Request,
    template: str,
    user: User | None,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    scripts: bool = False,
) -> HTMLResponse:
    """The page; `scripts` lets the portal's own script files run on it (charts)."""
    language = page_language(request, user)
    values = {
        "request": request,
        "user": user,
        "t": Translator(language),
        "language": language,
        "languages": LANGUAGE_CODES,
        "endonyms": {code: catalogue(code)["language_name"] for code in LANGUAGE_CODES},
        "cluster_codes": CLUSTER_CODES,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "query_with": lambda **changes: query_with(request, **changes),
        "cluster_name": cluster_name,
        "flash": take_flash(request),
        **(context or {}),
    }
    html = _environment.get_template(template).render(values)
    headers = dict(SECURITY_HEADERS)
    if scripts:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY + SCRIPTS_FROM_PORTAL
    return HTMLResponse(html, status_code=status_code, headers=headers)


def redirect(target: str) -> RedirectResponse:
    """303 See Other: after a POST, the browser fetches the next page with GET."""
    return RedirectResponse(target, status_code=303)
