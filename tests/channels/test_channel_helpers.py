"""The Telegram channel's small helpers: splitting, callback data, memory of seen updates."""

from __future__ import annotations

import pytest

from bot.channels.callback_data import CALLBACK_DATA_LIMIT, KEY_PREFIX, CallbackDataStore
from bot.channels.message_splitting import split_text, telegram_length
from bot.channels.recent_keys import RecentKeys


def test_short_text_is_one_message():
    assert split_text("  Hello!  ") == ["Hello!"]
    assert split_text(" \n ") == []


def test_split_prefers_paragraphs_then_lines_then_words():
    paragraphs = "aaaa bbbb\n\ncccc dddd\n\neeee"
    assert split_text(paragraphs, limit=12) == ["aaaa bbbb", "cccc dddd", "eeee"]
    assert split_text("one line\nanother line", limit=14) == ["one line", "another line"]
    assert split_text("words words words", limit=12) == ["words words", "words"]
    assert split_text("abcdefghij", limit=4) == ["abcd", "efgh", "ij"]


def test_split_packs_small_paragraphs_together():
    assert split_text("a\n\nb\n\nc", limit=4) == ["a\n\nb", "c"]


def test_split_counts_as_telegram_does():
    emoji_text = "😀" * 3000  # 6000 UTF-16 code units
    pieces = split_text(emoji_text)
    assert [telegram_length(p) for p in pieces] == [4096, 1904]
    assert "".join(pieces) == emoji_text


def test_callback_data_keeps_short_payloads_and_stores_long_ones():
    store = CallbackDataStore()
    short = '/inform{"sector": "diagnostics"}'
    long = '/inform{"location": ["Auvergne-Rhône-Alpes", "Baden-Württemberg"]}'
    assert store.callback_data_for(short) == short
    key = store.callback_data_for(long)
    assert key.startswith(KEY_PREFIX) and len(key.encode()) <= CALLBACK_DATA_LIMIT
    assert store.callback_data_for(long) == key  # same payload, same key
    assert store.payload_for(key) == long
    assert store.payload_for(short) == short


def test_payload_that_looks_like_a_key_is_stored_too():
    store = CallbackDataStore()
    tricky = f"{KEY_PREFIX}not-a-key"
    assert store.payload_for(store.callback_data_for(tricky)) == tricky


def test_callback_data_store_forgets_the_oldest():
    store = CallbackDataStore(capacity=2)
    keys = [store.callback_data_for(f"/inform{{\"event_id\": \"{'x' * 60}{i}\"}}") for i in range(3)]
    assert store.payload_for(keys[0]) is None
    assert store.payload_for(keys[2]) is not None


def test_recent_keys_is_bounded():
    seen = RecentKeys(capacity=2)
    assert seen.first_time(1) and seen.first_time(2)
    assert not seen.first_time(1)  # and 1 is now the most recent
    assert seen.first_time(3)  # forgets 2
    assert len(seen) == 2
    assert seen.first_time(2)
    with pytest.raises(ValueError):
        RecentKeys(capacity=0)


def test_the_channels_log_no_telegram_chat_id(caplog: pytest.LogCaptureFixture) -> None:
    """A chat id identifies a person: logs name a conversation by a hash of its id (security finding 5)."""
    import asyncio
    import hashlib

    from bot.channels.domain_responses import DomainResponder
    from bot.channels.telegram import TelegramOutput

    async def log_about_a_chat() -> None:
        await DomainResponder(lambda: None, "telegram").render("utter_greet", "telegram-123456789", None)
        output = TelegramOutput(bot=None, callback_data=CallbackDataStore())  # type: ignore[arg-type]
        await output.send_custom_json("telegram-123456789", {"payload": "x"})

    with caplog.at_level("DEBUG"):
        asyncio.run(log_about_a_chat())
    assert len(caplog.records) >= 2
    stand_in = hashlib.sha256(b"telegram-123456789").hexdigest()[:12]
    assert "123456789" not in caplog.text and stand_in in caplog.text
