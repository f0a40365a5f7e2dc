"""Two Rasa processes behind one address, sharing PostgreSQL (tracker store) and Redis (locks).

Without shared locks two processes load the same tracker at once and the later save
finds "its" new events already counted: a message's events are silently dropped. These
tests fail that way when S3M_REDIS_URL is not set: test_scale_out_without_locks.py is that
negative control.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

from tests.production.conftest import ScaledAssistant

# Messages the small assistant was trained on, and its answers to them.
ANSWERS = {
    "hello": "Hello!",
    "where can we find investors?": "The clusters help with investment and financing.",
    "thank you very much": "You're welcome.",
    "is there funding for SMEs?": "The clusters help with investment and financing.",
    "hi there": "Hello!",
    "goodbye": "Goodbye!",
}


def turns(events: list[dict]) -> list[tuple[str, list[str], str | None]]:
    """(user text, bot texts, last action) of each turn, from a user message to the next."""
    found: list[tuple[str, list[str], str | None]] = []
    for event in events:
        if event["event"] == "user":
            found.append((event["text"], [], None))
        elif found and event["event"] == "bot":
            found[-1][1].append(event["text"])
        elif found and event["event"] == "action":
            found[-1] = (found[-1][0], found[-1][1], event["name"])
    return found


def test_a_conversation_spread_over_both_processes_keeps_its_whole_history(
        scaled_assistant: ScaledAssistant) -> None:
    sender = scaled_assistant.new_sender()
    before = len(scaled_assistant.proxy.chosen)

    for text, answer in ANSWERS.items():
        assert [message["text"] for message in scaled_assistant.say(sender, text)] == [answer]

    served_by = scaled_assistant.proxy.chosen[before:]
    assert set(served_by) == set(scaled_assistant.proxy.backends)
    assert all(one != next_one for one, next_one in pairwise(served_by)), "processes take turns"
    expected = [(text, [answer], "action_listen") for text, answer in ANSWERS.items()]
    for rasa in scaled_assistant.processes:
        assert turns(scaled_assistant.events(sender, rasa)) == expected, rasa.url


def test_messages_of_one_conversation_sent_at_once_are_all_handled_one_after_the_other(
        scaled_assistant: ScaledAssistant) -> None:
    handled_one_after_the_other(scaled_assistant, [*ANSWERS, "good morning", "many thanks for your help"])


def handled_one_after_the_other(scaled: ScaledAssistant, texts: list[str]) -> None:
    """Send `texts` to one new conversation at once, through both processes: each must be
    answered once, and stored once with its own answer right after it, none lost."""
    sender = scaled.new_sender()
    with ThreadPoolExecutor(len(texts)) as pool:
        replies = dict(zip(texts, pool.map(lambda text: scaled.say(sender, text), texts), strict=True))

    for text, reply in replies.items():
        assert len(reply) == 1, f"{text!r} got {reply}"
    for rasa in scaled.processes:
        stored = turns(scaled.events(sender, rasa))
        assert sorted(text for text, _, _ in stored) == sorted(texts), rasa.url
        for text, bot_texts, last_action in stored:
            assert bot_texts == [replies[text][0]["text"]], (text, bot_texts)
            assert last_action == "action_listen", text
