"""Which conversation a channel's message belongs to: one id space per channel.

All channels share one tracker store, and a conversation is found by its id alone. The REST
channel's `sender` and the widget's Socket.IO session id are chosen by the client, so if a
Telegram chat's conversation were its bare chat id, anyone could send
`{"sender": "<chat id>", "message": "delete my data"}` over REST and act in that user's
conversation. Hence the rule: a Telegram chat's conversation is `telegram-<chat id>`, a widget
session's `widget-<session id>`, and REST refuses senders with these prefixes (any other sender
is kept as sent, as the contract promises). Conversations stored under bare chat ids before
this rule are not continued: those chats start anew.
"""

from __future__ import annotations

TELEGRAM = "telegram"
WIDGET = "widget"
CHANNELS = (TELEGRAM, WIDGET)
"""Channels whose conversation ids carry their name as prefix (`<channel>-<raw id>`)."""


def conversation_id(channel: str, own_id: object) -> str:
    """The conversation id of a chat (`telegram`) or session (`widget`) of `channel`."""
    return f"{_prefix(channel)}{own_id}"


def raw_id(channel: str, conversation: str) -> str:
    """The channel's own id back (the chat id the Bot API needs, the widget's Socket.IO room).

    Raises:
        ValueError: `conversation` is not one of `channel`'s, e.g. a REST conversation that
            happens to look like a chat id: sending there would reach a stranger.
    """
    prefix = _prefix(channel)
    if not conversation.startswith(prefix):
        raise ValueError(f"{conversation!r} is not a {channel} conversation (no {prefix!r} prefix)")
    return conversation[len(prefix):]


def uses_reserved_prefix(sender_id: str) -> bool:
    """Whether a client-chosen sender id would fall in a channel's id space.

    Compared without regard to case: some databases' collations ignore it, and no client needs
    a sender id such as `Telegram-42`.
    """
    folded = sender_id.casefold()
    return any(folded.startswith(_prefix(channel)) for channel in CHANNELS)


def _prefix(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"no conversation id space for channel {channel!r}")
    return f"{channel}-"
