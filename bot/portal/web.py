"""The server-rendered half of the portal: session cookie, stylesheet, error pages and page routers.

Kept apart from the JSON lead API (bot.portal.api), which authenticates by bearer token
and needs none of this.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from bot.config import Settings
from bot.portal import (
    analytics_routes,
    audit_routes,
    dashboard_routes,
    event_routes,
    lead_routes,
    login_routes,
    retraining_routes,
    token_routes,
    user_routes,
)
from bot.portal.server_sessions import ServerSessionMiddleware
from bot.portal.templating import redirect, render
from bot.portal.web_session import (
    SESSION_COOKIE,
    LoginRequired,
    PageBadRequest,
    PageForbidden,
    PageNotFound,
    refuse_nul_characters,
)

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"

PAGE_ROUTERS = (
    login_routes.router,
    lead_routes.router,
    dashboard_routes.router,
    analytics_routes.router,
    event_routes.router,
    token_routes.router,
    # Admin pages.
    user_routes.router,
    audit_routes.router,
    retraining_routes.router,
)


def install_pages(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        ServerSessionMiddleware,
        sessions=app.state.sessions,
        cookie_name=SESSION_COOKIE,
        max_age=int(settings.session_hours * 3600),
        https_only=settings.session_cookie_secure,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router, dependencies=[Depends(refuse_nul_characters)])

    @app.exception_handler(LoginRequired)
    def _to_login(request: Request, _error: LoginRequired) -> Response:
        if request.method != "GET":  # a form posted after the session ended: start again from the inbox
            return redirect("/login")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(target, safe='')}")

    @app.exception_handler(PageForbidden)
    def _forbidden(request: Request, error: PageForbidden) -> Response:
        return render(request, "error.html", None, {"message_key": f"error.{error.reason}"}, status_code=403)

    @app.exception_handler(PageBadRequest)
    def _bad_request(request: Request, _error: PageBadRequest) -> Response:
        return render(request, "error.html", None, {"message_key": "error.bad_request"}, status_code=400)

    @app.exception_handler(PageNotFound)
    def _not_found(request: Request, _error: PageNotFound) -> Response:
        return render(request, "error.html", None, {"message_key": "error.not_found"}, status_code=404)
