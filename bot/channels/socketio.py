"""Rasa's Socket.IO channel, with session persistence that works on python-socketio 5.10+.

The website chat widget (`widget/`, docs/widget.md) talks to this channel. Rasa 3.6's
`SocketIOInput` calls `AsyncServer.enter_room()` without `await`; since python-socketio
5.10 that is a coroutine, so with `session_persistence: true` the socket never joins its
session's room and every bot reply, sent to that room, is lost (RasaHQ/rasa#13027, fix
proposed in RasaHQ/rasa#13148, unreleased). This subclass replaces only the
`session_request` handler; everything else, the name `socketio` and the URL included,
is Rasa's. Registered in `credentials.yml` as `bot.channels.socketio.SocketIOInput`.
Every message passes the guard of all chat channels (bot.channels.inbound_guard: control
characters dropped, length cut, rate limit with a polite answer); while the action server, the database
or Redis is down, the widget gets an apology (bot.channels.outage_guard).

The session id (or, without session persistence, the socket's sid) is chosen by the client, so
the conversation is `widget-<session id>` (bot.conversation_ids): no widget can reach a
Telegram or REST conversation. Replies still go to the socket's room, which keeps the bare id:
:class:`WidgetOutput` turns the conversation id back into it.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint

from bot.channels.inbound_guard import InboundGuard
from bot.channels.outage_guard import OutageGuard
from bot.conversation_ids import WIDGET, conversation_id, raw_id

__all__ = ["SocketIOInput", "WidgetOutput"]


class WidgetOutput(rasa_socketio.SocketIOOutput):
    """Rasa's Socket.IO output for conversations `widget-<room>`: it emits to the room.

    The room is the session id (session persistence: the socket joined it) or the socket's sid
    (every socket is in its own). Any other id raises ValueError: it is no widget's.
    """

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await super()._send_message(raw_id(WIDGET, socket_id), response)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        json_message.setdefault("room", raw_id(WIDGET, recipient_id))
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class SocketIOInput(rasa_socketio.SocketIOInput):
    """Rasa's socket.io input channel whose sessions join their room and whose conversations are
    `widget-<session id>` (see module docstring)."""

    def get_output_channel(self) -> WidgetOutput | None:
        """The output addressed by conversation id, once the server runs (see interface `InputChannel`)."""
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning, and None
        return WidgetOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with namespaced conversation ids, the inbound guard, a `session_request`
        handler that awaits `enter_room`, and a `user_uttered` handler that survives a non-text message.

        (see parent class for the full interface)
        """
        inbound = InboundGuard(self.name())
        guard = OutageGuard(self.name())
        guarded = inbound.wrap(guard.wrap(on_new_message))

        async def in_widget_conversation(message: UserMessage) -> None:
            # Rasa's handler made the message for the bare id and its own output: re-address both.
            message.sender_id = conversation_id(WIDGET, message.sender_id)
            message.output_channel = self.get_output_channel()
            await guarded(message)

        blueprint = super().blueprint(in_widget_conversation)
        inbound.attach(blueprint)
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

        rasa_user_uttered = sio.handlers[self.namespace or "/"][self.user_message_evt]

        async def user_uttered(sid: str, data: Any) -> None:
            # Rasa's handler assumes an object whose `message` is a string (and raises otherwise);
            # anything else a client sends is no text, which the guard then sees as such.
            if not isinstance(data, dict):
                return
            if not isinstance(data.get("message", ""), str):
                data = {**data, "message": ""}
            await rasa_user_uttered(sid, data)

        sio.on(self.user_message_evt, user_uttered, namespace=self.namespace)
        return blueprint
