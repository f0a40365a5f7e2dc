"""Which language a conversation continues in: pure rules, applied by the NLU.

The channels' action-server guard applies them too, to apologise in the right language.

The NLU component `bot.nlu.language_detector.LanguageDetector` reports what one
message says about its language; :func:`choose_language` combines that report
with the conversation's state. Priorities (issue "One Rasa model ..."):
explicit request > reliable detection > channel hint > language so far.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from bot.definitions import FALLBACK_LANGUAGE, LanguageReport

LANGUAGE_ENTITY = "language"
"""The entity that sets the conversation's language (the `language` slot maps from it)."""

_CODE = re.compile(r"^([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]+)?$")


def normalize_code(value: Any, supported: Sequence[str]) -> str | None:
    """Turn a language tag such as ``de-AT`` or ``FR`` into a supported code, else None."""
    if not isinstance(value, str):
        return None
    match = _CODE.match(value.strip())
    if not match:
        return None
    code = match.group(1).lower()
    return code if code in supported else None


def choose_language(
    current: str | None,
    report: LanguageReport | None,
    supported: Sequence[str],
    previous_hint: str | None = None,
) -> str:
    """Return the language the assistant answers the latest message in.

    A channel's hint (Telegram's `language_code`, the widget page's language) is
    sent with every message; it outranks the language so far only when it is new
    or has changed, so that a steady hint cannot flip a conversation on "ok".

    Args:
        current: the conversation's language so far (the `language` slot), or None.
        report: the detector's report on the latest message.
        supported: the codes the assistant speaks.
        previous_hint: the hint that came with the user's previous message.
    """
    current = normalize_code(current, supported)
    report = report or LanguageReport()
    requested = normalize_code(report.requested, supported)
    if requested:
        return requested
    if report.reliable:
        # A long message in a language we don't speak gets the English answer that lists ours.
        return normalize_code(report.language, supported) or FALLBACK_LANGUAGE
    hint = normalize_code(report.hint, supported)
    if hint and (not current or hint != normalize_code(previous_hint, supported)):
        return hint
    if current:
        return current
    return normalize_code(report.guess, supported) or FALLBACK_LANGUAGE
