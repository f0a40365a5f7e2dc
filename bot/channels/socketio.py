"""Rasa's Socket.IO channel, with session persistence that works on python-socketio 5.10+.

The website chat widget (`widget/`, docs/widget.md) talks to this channel. Rasa 3.6's
`SocketIOInput` calls `AsyncServer.enter_room()` without `await`; since python-socketio
5.10 that is a coroutine, so with `session_persistence: true` the socket never joins its
session's room and every bot reply, sent to that room, is lost (RasaHQ/rasa#13027, fix
proposed in RasaHQ/rasa#13148, unreleased). This subclass replaces only the
`session_request` handler; everything else, the name `socketio` and the URL included,
is Rasa's. Registered in `credentials.yml` as `bot.channels.socketio.SocketIOInput`.
While the action server is down, the widget gets an apology (bot.channels.action_server_guard).
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any, Awaitable, Callable

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.channels.action_server_guard import ActionServerGuard

__all__ = ["SocketIOInput"]


class SocketIOInput(rasa_socketio.SocketIOInput):
    """Rasa's socket.io input channel whose sessions join their room (see module docstring)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with a `session_request` handler that awaits `enter_room`.

        (see parent class for the full interface)
        """
        guard = ActionServerGuard(self.name())
        blueprint = super().blueprint(guard.wrap(on_new_message))
        guard.attach(blueprint)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = data if isinstance(data, dict) else {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, data["session_id"])
                if inspect.isawaitable(entered):  # python-socketio >= 5.10
                    await entered
            await sio.emit("session_confirm", data["session_id"], room=sid)

        sio.on("session_request", session_request, namespace=self.namespace)
        return blueprint
