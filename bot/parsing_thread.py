"""Understand messages beside Rasa's event loop instead of on it.

Rasa 3.6 runs the NLU graph inside the event loop (`MessageProcessor.parse_message`), so while
one message is understood no other conversation of the process moves. Most of that time is
the sentence encoder's C code (about 11 ms per message), which releases the GIL: run in a
thread, it overlaps with what the loop does for other conversations meanwhile (the tracker
store, the policies, calls to the action server) on the second core of a small server. One
thread: the pipeline's components were not written for concurrent calls, and one message at a
time is what Rasa did. Installed with our other fixes of Rasa (`bot.rasa_fixes`); everything
but the thread is Rasa's own `parse_message`.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.trackers import DialogueStateTracker

_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
_RASA_PARSE_MESSAGE = MessageProcessor.parse_message


async def parse_message(self: MessageProcessor, message: UserMessage,
                        tracker: DialogueStateTracker | None = None,
                        only_output_properties: bool = True) -> Dict[str, Any]:
    if self.http_interpreter:
        return await _RASA_PARSE_MESSAGE(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data = await asyncio.get_running_loop().run_in_executor(
        _PARSER, self._parse_message_with_graph, message, tracker, only_output_properties)
    self._update_full_retrieval_intent(parse_data)
    self._check_for_unseen_features(parse_data)
    return parse_data


def install() -> None:
    MessageProcessor.parse_message = parse_message
