"""An action server outage found by the turn that needs the server, not by a probe before every turn.

Rasa 3.6, when it cannot reach the action server, logs the error, drops the action's events and
goes on, so the SME waits for an answer that never comes. Our channels used to ask the server's
`/health` before every turn to prevent that: a round trip and a request for the action server on
every message, though most turns find it up (docs/benchmark.md, "Profile"). Now a circuit breaker:

- closed (the server answered last time): the turn runs. If one of its calls to the action server
  finds no server (no connection, or no answer in time), that action returns a pause so that Rasa
  predicts nothing more, the turn is not saved (`ActionServerUnavailable` from the processor's
  save), and the breaker opens. The channel apologises (bot.channels.outage_guard) and the stored
  conversation stays as it was.
- open: each turn first asks `/health`; the apology is all it gets until the server answers, which
  closes the breaker.

A channel marks its turns with `guarded_turn()`; outside one (a reminder, a test driving Rasa's
processor directly) Rasa's own behaviour is unchanged.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator, List

import aiohttp
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ConversationPaused, Event
from rasa.shared.exceptions import RasaException


class ActionServerUnavailable(RuntimeError):
    """A call of this turn found no action server: the turn must not be saved as if it had run."""


class _Breaker:
    """Process-wide: every conversation of this Rasa process talks to the same action server."""

    def __init__(self) -> None:
        self.open = False


breaker = _Breaker()
_failed_turn: ContextVar[List[str] | None] = ContextVar("failed_turn", default=None)


@contextmanager
def guarded_turn() -> Iterator[List[str]]:
    """Marks the turn run inside; the list it yields names the actions that found no server."""
    failed: List[str] = []
    token = _failed_turn.set(failed)
    try:
        yield failed
    finally:
        _failed_turn.reset(token)


def found_no_server(error: BaseException) -> bool:
    """Rasa turns a refused connection into a `RasaException` raised while handling aiohttp's
    error; a server that accepts but never answers ends in a timeout."""
    if isinstance(error, TimeoutError):
        return True
    return isinstance(error, RasaException) and isinstance(error.__context__, aiohttp.ClientConnectionError)


def install() -> None:
    """Wrap Rasa's remote action and the processor's save (bot.rasa_runtime)."""
    if getattr(RemoteAction.run, "_outage_aware", False):
        return
    run_remote, save = RemoteAction.run, MessageProcessor.save_tracker

    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> List[Event]:
        try:
            return await run_remote(self, *args, **kwargs)
        except (RasaException, TimeoutError) as error:
            failed = _failed_turn.get()
            if failed is None or not found_no_server(error):
                raise
            breaker.open = True
            failed.append(self.name())
            return [ConversationPaused()]  # nothing more is predicted; the turn is not saved

    async def save_tracker(self: MessageProcessor, tracker: Any) -> None:
        if _failed_turn.get():
            raise ActionServerUnavailable("the action server could not be reached during this turn")
        await save(self, tracker)

    run._outage_aware = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]
    MessageProcessor.save_tracker = save_tracker  # type: ignore[method-assign]
