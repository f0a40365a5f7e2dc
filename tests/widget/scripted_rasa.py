"""Rasa's own Socket.IO channel in front of a scripted bot, for the widget's browser tests.

The widget's UI tests need replies they can predict (buttons, HTML, paragraphs) and a
server that starts in seconds: this runs Rasa's real `SocketIOInput`, configured from the
project's `credentials.yml` and wired by `rasa.core.run.configure_app` exactly like
`rasa run --cors '*'`, with a scripted agent in place of the trained model.
`GET /received` lists the messages the channel handed over (sender, text, metadata).

    python -m tests.widget.scripted_rasa --port 5105
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

import yaml
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from rasa.core.run import configure_app
from rasa.shared.utils.common import class_from_module_path
from sanic import response
from sanic.request import Request

from bot.config import PROJECT_ROOT

HTML_REPLY = '<img src="x" onerror="window.__s3mInjected = 1"><b>bold</b><script>window.__s3mInjected = 2</script>'
BUTTONS = [{"title": "Yes please", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}]


class ScriptedAgent:
    """Answers like a bot would, by rule: enough to exercise every kind of message."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append({"sender": message.sender_id, "text": message.text, "metadata": message.metadata})
        out, sender, text = message.output_channel, message.sender_id, message.text or ""
        if "buttons" in text:
            await out.send_text_with_buttons(sender, "Would you like to go on?", BUTTONS)
        elif "html" in text:
            await out.send_text_message(sender, HTML_REPLY)
        elif "paragraphs" in text:
            await out.send_text_message(sender, "First paragraph.\n\nSecond paragraph, see https://example.org/s3m.")
        else:
            await out.send_text_message(sender, f"You said: {text}")


def socketio_entry() -> tuple[str, dict[str, Any]]:
    """The Socket.IO channel's entry of the project's credentials.yml: (key, settings)."""
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8"))
    [entry] = [(key, value or {}) for key, value in credentials.items()
               if key == "socketio" or key.endswith(".SocketIOInput")]
    return entry


def socketio_channel() -> SocketIOInput:
    """The Socket.IO channel exactly as the project's credentials.yml configures it."""
    key, settings = socketio_entry()
    channel_class = SocketIOInput if key == "socketio" else class_from_module_path(key)
    return channel_class.from_credentials(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    agent = ScriptedAgent()
    app = configure_app([socketio_channel()], cors="*", enable_api=False, port=args.port)
    app.ctx.agent = agent

    async def received(_: Request) -> Any:
        return response.json(agent.received)

    app.add_route(received, "/received", methods=["GET"])
    app.run(host="127.0.0.1", port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
