"""Our once-built validator of action-server replies accepts and refuses exactly what Rasa's does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

import bot.channels  # noqa: F401 - installs our runtime changes, as every Rasa server of ours does

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "de", "timestamp": None}],
     "responses": [{"response": "utter_greet"}]},
    {"events": [{"event": "active_loop", "name": "registration_form"}, {"event": "action_execution_rejected",
                                                                        "name": "registration_form"}]},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [], "responses": "not a list"},
    ["not", "an", "object"],
]


@pytest.mark.parametrize("result", VALID + INVALID)
def test_same_verdict_as_rasas_own_check(result) -> None:
    action = RemoteAction("action_anything", None)
    try:
        validate(result, RemoteAction.action_response_format_spec())
        expected = True
    except ValidationError:
        expected = False
    if expected:
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(result)


def test_the_check_is_ours() -> None:
    assert RemoteAction._validate_action_result.__module__ == "bot.action_result_check"
