"""Where a channel's guards find Rasa's current agent: the Sanic app's context, learnt when the
server starts (models are replaced at run time, so the agent is looked up on every use)."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Sanic


class ServerAgent:
    """Remembers the server of a channel's blueprint (or app) and gives its current agent."""

    def __init__(self) -> None:
        self._app: Sanic | None = None

    def attach(self, blueprint: Blueprint) -> None:
        """Learn the server when the blueprint's server starts."""

        async def remember_app(app: Sanic, _loop: Any) -> None:
            self._app = app

        blueprint.listener("before_server_start")(remember_app)

    def attach_app(self, app: Sanic) -> None:
        self._app = app

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app is not None else None
