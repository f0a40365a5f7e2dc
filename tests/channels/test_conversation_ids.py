"""The rule that keeps each channel's conversations apart in the one tracker store."""

from __future__ import annotations

import pytest

from bot.conversation_ids import TELEGRAM, WIDGET, conversation_id, raw_id, uses_reserved_prefix


def test_a_channels_conversation_id_carries_its_prefix_and_gives_the_raw_id_back():
    assert conversation_id(TELEGRAM, 4242) == "telegram-4242"
    assert conversation_id(TELEGRAM, -1001234) == "telegram--1001234"  # a group's chat id
    assert conversation_id(WIDGET, "3f2a9c0e") == "widget-3f2a9c0e"
    assert raw_id(TELEGRAM, "telegram-4242") == "4242"
    assert raw_id(TELEGRAM, "telegram--1001234") == "-1001234"
    assert raw_id(WIDGET, "widget-widget-x") == "widget-x"


@pytest.mark.parametrize("channel, conversation", [
    (TELEGRAM, "4242"), (TELEGRAM, "widget-4242"), (WIDGET, "telegram-x"), (WIDGET, "x"), (TELEGRAM, "Telegram-1"),
])
def test_a_conversation_of_another_channel_has_no_raw_id_here(channel, conversation):
    with pytest.raises(ValueError, match=f"not a {channel} conversation"):
        raw_id(channel, conversation)


def test_the_channels_prefixes_are_reserved_in_any_case():
    for sender in ("telegram-4242", "widget-x", "Telegram-4242", "WIDGET-", "tElEgRaM-1"):
        assert uses_reserved_prefix(sender), sender
    for sender in ("4242", "telegram", "widget", "telegram_4242", "my-telegram-4242", "sme-1", ""):
        assert not uses_reserved_prefix(sender), sender
