"""An apology instead of a silent failure while the action server is down.

When Rasa cannot reach the action server it logs the error, drops the action's
events and says nothing: the SME waits for an answer that never comes. Our
channels therefore look at the action server's `/health` before a turn; while it is
down they answer with `utter_actions_unavailable` in the conversation's language
and leave the conversation untouched, so that it resumes where it was once the
server is back (the SME is asked to send the message again).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Awaitable, Callable

import httpx
from rasa.core.channels.channel import UserMessage

from bot.channels.domain_responses import LANGUAGE_SLOT, DomainResponder, domain_languages
from bot.channels.server_agent import ServerAgent
from bot.definitions import LanguageReport
from bot.language import choose_language
from bot.log_redaction import conversation_hash

if TYPE_CHECKING:
    from rasa.core.agent import Agent

logger = logging.getLogger(__name__)

APOLOGY = "utter_actions_unavailable"
HEALTH_TIMEOUT_SECONDS = 2.0


class ActionServerGuard(ServerAgent):
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
        """Run the turn, or apologise without touching the conversation when actions are unreachable."""
        if agent is None or await self._action_server_up(agent):
            await on_new_message(message)
            return
        logger.warning("Action server unreachable: apologising to conversation %s instead of running the turn.",
                       conversation_hash(message.sender_id))
        language = await self._language_of(agent, message)
        responder = DomainResponder(lambda: agent, self._output_channel_name)
        reply = await responder.render(APOLOGY, message.sender_id, language)
        if reply:
            await message.output_channel.send_response(message.sender_id, reply)

    async def _action_server_up(self, agent: Agent) -> bool:
        """Asked before every turn: a localhost round trip costs well under a millisecond, and
        a cached "yes" would let a message through into the silence this guard exists to prevent."""
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
        """The language the turn would have been answered in (the NLU runs without the action server)."""
        parsed = await agent.parse_message(message.text or "") if agent.is_ready() else {}
        report = replace(LanguageReport.of(parsed), hint=(message.metadata or {}).get("language"))
        stored = await agent.tracker_store.retrieve(message.sender_id)
        current = stored.get_slot(LANGUAGE_SLOT) if stored is not None else None
        return choose_language(current, report, domain_languages(agent.domain))
