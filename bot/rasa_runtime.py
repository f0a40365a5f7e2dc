"""Our changes to how the Rasa 3.6 server runs, installed once in every Rasa process.

Rasa 3.6 offers a project no hook into its server's runtime; what every Rasa server of ours
does import is its input channels (`credentials.yml` names `bot.channels.*`), so
`bot/channels/__init__.py` calls `install()`. Two changes keep Rasa's behaviour and remove a
cost measured under load (docs/benchmark.md, "Profile"); the other two fail closed where Rasa
would carry on with a wrong conversation or none (docs/production.md, "When PostgreSQL or Redis is down"):

- `bot.action_result_check`: the action server's replies checked by a validator built once;
- `bot.parsing_thread`: messages understood beside the event loop instead of on it;
- `bot.tracker_store`: a conversation that cannot be read or saved fails its turn, instead of
  being answered as a new one and kept in memory;
- `bot.action_outage`: a turn that finds no action server fails, instead of leaving the SME
  without an answer.
"""

from __future__ import annotations

from bot import action_outage, action_result_check, parsing_thread, tracker_store


def install() -> None:
    action_outage.install()
    action_result_check.install()
    parsing_thread.install()
    tracker_store.install()
