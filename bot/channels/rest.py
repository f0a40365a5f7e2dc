"""Rasa's REST channel (`/webhooks/rest/webhook` of the contract), hardened.

Same URL, same request and answer as Rasa's own; in addition a malformed request gets
a clear 400 instead of a 500; the message passes the guard of every chat channel
(bot.channels.inbound_guard: control characters dropped, length cut, rate limit), a sender over
the limit getting a 429 whose body is the polite answer (the first time) or empty; and while the
action server, the database or Redis is down the SME gets an apology in its language instead of
silence or a wrong answer (bot.channels.outage_guard). The `sender` is the conversation id, kept as sent,
except that the Telegram and widget channels' prefixes (`telegram-`, `widget-`) are
refused: those conversations are other people's (bot.conversation_ids).
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from bot.channels.inbound_guard import InboundGuard
from bot.channels.outage_guard import OutageGuard
from bot.conversation_ids import CHANNELS, uses_reserved_prefix
from bot.log_redaction import conversation_hash

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 255  # the sender_id column of Rasa's SQL tracker store; PostgreSQL refuses longer ones
RETRY_AFTER_SECONDS = 10


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("hardened_rest_webhook", __name__)
        inbound = InboundGuard(self.name())
        inbound.attach(webhook)
        guard = OutageGuard(self.name())
        guard.attach(webhook)
        on_new_message = guard.wrap(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, problem = _parse(request)
            if problem:
                return response.json({"error": problem}, status=400)
            collector = CollectingOutputChannel()
            message = UserMessage(body["message"], collector, body["sender"],
                                  input_channel=body["input_channel"], metadata=body["metadata"])
            if not await inbound.admit(message):
                return response.json(collector.messages, status=429, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("REST message of conversation %s timed out", conversation_hash(body["sender"]))
            except Exception:  # noqa: BLE001 - as Rasa's own channel: log, answer what was said so far
                logger.exception("REST message of conversation %s failed", conversation_hash(body["sender"]))
            return response.json(collector.messages)

        return webhook


def _parse(request: Request) -> tuple[dict[str, Any], str | None]:
    """The request's fields, or what is wrong with it (in words a client developer understands)."""
    try:
        payload = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own error for a body that is not JSON
        return {}, "the body must be JSON: {\"sender\": \"...\", \"message\": \"...\"}"
    if not isinstance(payload, dict):
        return {}, "the body must be a JSON object: {\"sender\": \"...\", \"message\": \"...\"}"
    sender, text, metadata = payload.get("sender"), payload.get("message"), payload.get("metadata")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
        return {}, f"`sender` must be a non-empty string of at most {MAX_SENDER_LENGTH} characters"
    if uses_reserved_prefix(sender):
        prefixes = ", ".join(f"`{channel}-`" for channel in CHANNELS)
        return {}, f"`sender` must not start with {prefixes} (in any case): these are reserved for other channels"
    if not isinstance(text, str):
        return {}, "`message` must be a string"
    if metadata is not None and not isinstance(metadata, dict):
        return {}, "`metadata` must be a JSON object"
    channel = payload.get("input_channel")
    return {
        "sender": sender,
        "message": text,
        "metadata": metadata,
        "input_channel": channel if isinstance(channel, str) and channel else RestInput.name(),
    }, None
