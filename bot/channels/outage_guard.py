"""An apology instead of silence or a wrong answer while a server the turn needs is down.

- The action server: a turn whose call to it finds no server is not saved, and the server's
  `/health` is asked before each turn until it answers again (bot.action_outage, a circuit
  breaker: no probe while the server answers).
- The database (tracker store) and Redis (conversation locks): a turn that cannot lock,
  read or save its conversation is refused (bot.tracker_store, bot.lock_store)
  rather than answered from an empty conversation or without the lock that keeps another
  Rasa process off the same conversation.

Either way the SME gets `utter_actions_unavailable` ("send it again in a minute: our
conversation is kept") in the conversation's language and the stored conversation stays as
it was, so that it resumes where it was once the server is back. The REST answer is that
apology alone: what a turn said before its save failed was not kept, and is not sent.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Awaitable, Callable

import httpx
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError

from bot.action_outage import ActionServerUnavailable, breaker, guarded_turn
from bot.channels.domain_responses import DomainResponder, domain_languages, stored_language
from bot.channels.server_agent import ServerAgent
from bot.definitions import LanguageReport
from bot.language import choose_language
from bot.log_redaction import conversation_hash
from bot.tracker_store import ConversationStoreUnavailable

if TYPE_CHECKING:
    from rasa.core.agent import Agent

logger = logging.getLogger(__name__)

APOLOGY = "utter_actions_unavailable"
HEALTH_TIMEOUT_SECONDS = 2.0
OUTAGES = (ActionServerUnavailable, ConversationStoreUnavailable, LockError)


class OutageGuard(ServerAgent):
    """Wraps a channel's `on_new_message`; knows the server's agent once the server starts."""

    def __init__(self, output_channel_name: str) -> None:
        self._output_channel_name = output_channel_name
        super().__init__()
        self._client: httpx.AsyncClient | None = None  # made in the server's event loop, kept for its life

    def wrap(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[None]]:
        async def guarded(message: UserMessage) -> None:
            await self.handle(self._agent(), on_new_message, message)

        return guarded

    async def handle(
        self, agent: Agent | None, on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
    ) -> None:
        """Run the turn, or apologise without touching the conversation when a server it needs is down."""
        if agent is None:
            await on_new_message(message)
            return
        if breaker.open:
            if not await self._action_server_up(agent):
                logger.warning("Action server unreachable: apologising to conversation %s instead of running the turn.",
                               conversation_hash(message.sender_id))
                await self._apologise(agent, message)
                return
            breaker.open = False
        try:
            with guarded_turn():
                await on_new_message(message)
        except OUTAGES as error:
            # The error's class only: the messages of its causes may quote conversation data.
            logger.warning("%s: apologising to conversation %s; the turn was not stored.",
                           type(error).__name__, conversation_hash(message.sender_id))
            if isinstance(message.output_channel, CollectingOutputChannel):
                message.output_channel.messages.clear()
            await self._apologise(agent, message)

    async def _apologise(self, agent: Agent, message: UserMessage) -> None:
        language = await self._language_of(agent, message)
        responder = DomainResponder(lambda: agent, self._output_channel_name)
        reply = await responder.render(APOLOGY, message.sender_id, language)
        if reply:
            await message.output_channel.send_response(message.sender_id, reply)

    async def _action_server_up(self, agent: Agent) -> bool:
        """Asked before a turn while the breaker is open."""
        endpoint = getattr(agent, "action_endpoint", None)  # none: no custom actions to wait for
        if endpoint is None or not endpoint.url:
            return True
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=HEALTH_TIMEOUT_SECONDS)
        try:
            return (await self._client.get(endpoint.url.rsplit("/", 1)[0] + "/health")).status_code == 200
        except httpx.HTTPError:
            return False

    async def _language_of(self, agent: Agent, message: UserMessage) -> str:
        """The language the turn would have been answered in (the NLU runs without the other servers)."""
        parsed = await agent.parse_message(message.text or "") if agent.is_ready() else {}
        report = replace(LanguageReport.of(parsed), hint=(message.metadata or {}).get("language"))
        current = await stored_language(agent, message.sender_id)
        return choose_language(current, report, domain_languages(agent.domain))
