"""Our changes to how the Rasa 3.6 server runs, installed once in every Rasa process.

Rasa 3.6 offers a project no hook into its server's runtime; what every Rasa server of ours
does import is its input channels (`credentials.yml` names `bot.channels.*`), so
`bot/channels/__init__.py` calls `install()`. Each change keeps Rasa's behaviour and removes a
cost measured under load (docs/benchmark.md, "Profile"):

- `bot.action_result_check`: the action server's replies checked by a validator built once;
- `bot.parsing_thread`: messages understood beside the event loop instead of on it.
"""

from __future__ import annotations

from bot import action_result_check, parsing_thread


def install() -> None:
    action_result_check.install()
    parsing_thread.install()
