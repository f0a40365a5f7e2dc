"""The `language` slot is chosen after every message; explicit switches are confirmed."""

import pytest
from rasa_sdk.events import SlotSet

from actions.language import ActionChangeLanguage, ValidateSlotMappings
from tests.actions.conftest import make_tracker


def detection(**fields):
    return {"language_detection": {"language": None, "reliable": False, "supported": None,
                                   "guess": None, "hint": None, "requested": None, **fields}}


async def run_validation(tracker, dispatcher, domain):
    return await ValidateSlotMappings().run(dispatcher, tracker, domain)


@pytest.mark.parametrize(
    "current, fields, expected",
    [
        (None, {"guess": "fr"}, "fr"),
        ("en", {"language": "de", "reliable": True, "supported": True}, "de"),
        ("de", {"language": "en", "guess": "en"}, "de"),
        ("de", {"requested": "pl"}, "pl"),
        ("it", {"language": "es", "reliable": True, "supported": False}, "en"),
    ],
)
async def test_language_slot_follows_the_rules(current, fields, expected, dispatcher, domain):
    tracker = make_tracker(detection(**fields), {"language": current})
    events = await run_validation(tracker, dispatcher, domain)
    assert SlotSet("language", expected) in events


async def test_steady_channel_hint_keeps_the_language(dispatcher, domain):
    previous = [detection(hint="de")]
    tracker = make_tracker(detection(hint="de"), {"language": "en"}, previous)
    assert SlotSet("language", "en") in await run_validation(tracker, dispatcher, domain)
    changed = make_tracker(detection(hint="it"), {"language": "en"}, previous)
    assert SlotSet("language", "it") in await run_validation(changed, dispatcher, domain)


async def test_button_payload_without_report_leaves_language_alone(dispatcher, domain):
    tracker = make_tracker({"intent": {"name": "find_partner"}}, {"language": "pl"})
    events = await run_validation(tracker, dispatcher, domain)
    assert not [e for e in events if e.get("name") == "language"]


@pytest.mark.parametrize(
    "requested, response", [("fr", "utter_language_changed"), (None, "utter_language_options")]
)
async def test_change_language_confirms_or_lists_languages(requested, response, dispatcher, domain):
    tracker = make_tracker(detection(requested=requested), {"language": requested})
    await ActionChangeLanguage().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == [response]
