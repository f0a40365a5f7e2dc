"""The priorities that decide a conversation's language (bot.language)."""

import pytest

from bot.definitions import FALLBACK_LANGUAGE, LANGUAGES, LanguageReport
from bot.language import choose_language, normalize_code

SUPPORTED = list(LANGUAGES)


def report(**fields):
    return LanguageReport(**fields)


@pytest.mark.parametrize(
    "value, expected",
    [("de", "de"), ("de-AT", "de"), ("FR", "fr"), ("pl_PL", "pl"), ("es", None), ("", None),
     (None, None), (42, None), ("german", None)],
)
def test_normalize_code(value, expected):
    assert normalize_code(value, SUPPORTED) == expected


def test_explicit_request_beats_everything():
    r = report(requested="it", language="de", reliable=True, supported=True, hint="fr")
    assert choose_language("pl", r, SUPPORTED) == "it"


def test_reliable_detection_switches_the_conversation():
    assert choose_language("en", report(language="de", reliable=True, supported=True), SUPPORTED) == "de"


def test_reliable_unsupported_language_gets_the_fallback_language():
    r = report(language="es", reliable=True, supported=False)
    assert choose_language("de", r, SUPPORTED) == FALLBACK_LANGUAGE == "en"


@pytest.mark.parametrize("guess", [None, "en", "fr"])
def test_short_message_never_flips_a_conversation(guess):
    assert choose_language("pl", report(language="en", guess=guess), SUPPORTED) == "pl"


def test_steady_hint_does_not_flip_but_a_changed_hint_does():
    assert choose_language("en", report(hint="de"), SUPPORTED, previous_hint="de") == "en"
    assert choose_language("en", report(hint="de"), SUPPORTED, previous_hint="en") == "de"
    assert choose_language("en", report(hint="de"), SUPPORTED, previous_hint=None) == "de"


def test_first_message_uses_hint_then_guess_then_english():
    assert choose_language(None, report(hint="it", guess="fr"), SUPPORTED) == "it"
    assert choose_language(None, report(guess="fr"), SUPPORTED) == "fr"
    assert choose_language(None, report(), SUPPORTED) == "en"
    assert choose_language(None, None, SUPPORTED) == "en"


def test_reliable_detection_beats_hint():
    r = report(language="pl", reliable=True, supported=True, hint="de")
    assert choose_language(None, r, SUPPORTED) == "pl"

