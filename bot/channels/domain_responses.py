"""Say one of the domain's responses outside a Rasa turn, in the conversation's language.

Some Telegram messages cannot reach the dialogue (a sticker, a photo, a voice
note): there is no text to understand. The channel still answers politely, with
a response of `domain.yml` like every other text the assistant says. The
language is the conversation's (`language` slot), else the user's Telegram
language, else English. The answer is not recorded in the conversation: nothing
happened in the dialogue.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Dict, List

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.definitions import FALLBACK_LANGUAGE
from bot.language import normalize_code
from bot.log_redaction import conversation_hash
from bot.tracker_store import ConversationStoreUnavailable

if TYPE_CHECKING:  # importing the agent loads TensorFlow; the server has it loaded already
    from rasa.core.agent import Agent

logger = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"


def domain_languages(domain: Domain) -> List[str]:
    """The languages the domain speaks: the values of its `language` slot."""
    for slot in domain.slots:
        if slot.name == LANGUAGE_SLOT:
            return [str(value) for value in getattr(slot, "values", None) or []]
    return []


async def stored_language(agent: Agent, sender_id: str) -> str | None:
    """The conversation's stored `language` slot; None for a new conversation, or while the
    conversation store is down (the answer is then in the language of the message or hint)."""
    try:
        stored = await agent.tracker_store.retrieve(sender_id)
    except ConversationStoreUnavailable:
        return None
    return stored.get_slot(LANGUAGE_SLOT) if stored is not None else None


class DomainResponder:
    """Renders domain responses with the agent the Rasa server has loaded."""

    def __init__(self, agent_provider: Callable[[], Agent | None], output_channel_name: str) -> None:
        """Create a responder.

        Args:
            agent_provider: returns the server's current agent (`app.ctx.agent`); it is read
                at each call because the server loads or replaces its model after start-up.
            output_channel_name: name for responses' `channel:` variations.
        """
        self._agent_provider = agent_provider
        self._output_channel_name = output_channel_name

    async def render(self, response: str, sender_id: str, language_hint: str | None) -> Dict[str, Any] | None:
        """The message of `response` for this conversation, or None when no model is loaded yet."""
        agent = self._agent_provider()
        if agent is None or agent.domain is None:
            logger.warning("No model loaded yet: cannot say '%s' to conversation %s.", response,
                           conversation_hash(sender_id))
            return None
        language = await self.language_of(agent, sender_id, language_hint)
        tracker = DialogueStateTracker.from_events(
            sender_id, [SlotSet(LANGUAGE_SLOT, language)], slots=agent.domain.slots
        )
        return await agent.nlg.generate(response, tracker, self._output_channel_name)

    @staticmethod
    async def language_of(agent: Agent, sender_id: str, language_hint: str | None) -> str:
        """The conversation's language, else the hint's, else the fallback language."""
        supported = domain_languages(agent.domain)
        current = await stored_language(agent, sender_id)
        return (
            normalize_code(current, supported)
            or normalize_code(language_hint, supported)
            or FALLBACK_LANGUAGE
        )
