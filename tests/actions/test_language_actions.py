"""Explicit language switches are confirmed; other requests get the list of our languages."""

import pytest

from actions.language import ActionChangeLanguage
from tests.actions.conftest import make_tracker


def detection(**fields):
    return {"language_detection": {"language": None, "reliable": False, "supported": None,
                                   "guess": None, "hint": None, "requested": None, **fields}}


@pytest.mark.parametrize(
    "requested, response", [("fr", "utter_language_changed"), (None, "utter_language_options")]
)
async def test_change_language_confirms_or_lists_languages(requested, response, dispatcher, domain):
    tracker = make_tracker(detection(requested=requested), {"language": requested})
    await ActionChangeLanguage().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == [response]
