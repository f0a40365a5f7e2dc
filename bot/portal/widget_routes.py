"""The website chat widget: its built script under `/widget/` and a demo page at `/demo`.

The script is built from `widget/` by `make widget` (npm + esbuild) into
`bot/portal/static/widget/`; nothing is fetched from a CDN at run time. The portal
serves it with ``app.include_router(widget_routes.router)``; see docs/widget.md.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.config import Settings, load_settings
from bot.leads.clusters import CLUSTER_CODES, LANGUAGE_CODES

__all__ = ["ASSET_DIR", "SCRIPT_NAME", "router"]

PORTAL_DIR = Path(__file__).resolve().parent
ASSET_DIR = PORTAL_DIR / "static" / "widget"
SCRIPT_NAME = "s3martmed-chat.js"
_MEDIA_TYPES = {SCRIPT_NAME: "text/javascript; charset=utf-8"}
_ASSET_HEADERS = {
    "Cache-Control": "public, max-age=300",
    # Embedding pages live on other sites: let them load it with `crossorigin`/SRI or under COEP.
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
}

router = APIRouter(tags=["widget"])
_templates = Jinja2Templates(directory=PORTAL_DIR / "templates")


@lru_cache(maxsize=1)
def demo_texts() -> dict[str, dict[str, str]]:
    """The demo page's texts per language (`templates/widget/demo.json`)."""
    return json.loads((PORTAL_DIR / "templates" / "widget" / "demo.json").read_text(encoding="utf-8"))


def _settings(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or load_settings()


def rasa_url_for(request: Request, settings: Settings) -> str:
    """Rasa's address as seen from the browser: the portal's host name, Rasa's port."""
    host = request.url.hostname or "127.0.0.1"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{request.url.scheme}://{host}:{settings.rasa_port}"


@router.get("/widget/{name}", include_in_schema=False, name="widget_asset")
def widget_asset(name: str) -> FileResponse:
    """A built file of the widget (only the known names: no path is taken from the URL)."""
    media_type = _MEDIA_TYPES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404)
    path = ASSET_DIR / name
    if not path.is_file():
        raise HTTPException(status_code=404, detail="The chat widget is not built: run `make widget`.")
    return FileResponse(path, media_type=media_type, headers=_ASSET_HEADERS)


@router.get("/demo", response_class=HTMLResponse, include_in_schema=False, name="widget_demo")
def widget_demo(request: Request, lang: str = "en", cluster: str | None = None) -> HTMLResponse:
    """A page with the widget embedded; `?lang=xx` sets its `data-language`, `?cluster=` its `data-cluster`."""
    texts = demo_texts()
    language = lang if lang in LANGUAGE_CODES and lang in texts else "en"
    preferred = cluster if cluster in CLUSTER_CODES else None
    server = rasa_url_for(request, _settings(request))
    script_url = str(request.url_for("widget_asset", name=SCRIPT_NAME))
    attributes = f' data-server="{server}" data-language="{language}"'
    if preferred:
        attributes += f' data-cluster="{preferred}"'
    context: dict[str, Any] = {
        "language": language,
        "text": texts[language],
        "texts": {code: texts[code] for code in LANGUAGE_CODES if code in texts},
        "cluster": preferred,
        "server": server,
        "script_url": script_url,
        "snippet": f'<script src="{script_url}"{attributes}></script>',
    }
    return _templates.TemplateResponse(request, "widget/demo.html", context)
