"""The portal's words in five languages, read from `bot/portal/i18n/<language>.yml`.

Keys are nested in the files and dotted in use (`lead.status`). Python and the
templates hold keys only, so a translator edits YAML and never code; a test checks
that every language has every key with the same placeholders.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from bot.definitions import FALLBACK_LANGUAGE
from bot.language import normalize_code
from bot.leads.clusters import LANGUAGE_CODES

I18N_DIR = Path(__file__).resolve().parent / "i18n"


@lru_cache(maxsize=len(LANGUAGE_CODES))
def catalogue(language: str) -> Mapping[str, str]:
    """All strings of one language, by dotted key (read once per process)."""
    data = yaml.safe_load((I18N_DIR / f"{language}.yml").read_text(encoding="utf-8"))
    return _flatten(data)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = str(value)
    return flat


class Translator:
    """`t("nav.inbox")` or `t("inbox.count", count=3)` in one language, English where a key is missing."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGE_CODES else FALLBACK_LANGUAGE
        self._strings = catalogue(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._strings.get(key) or catalogue(FALLBACK_LANGUAGE).get(key, key)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._strings

    def label(self, group: str, code: str | None) -> str:
        """A code's label (`label("status", "new")`), or the code itself when it has none."""
        if code is None:
            return ""
        key = f"{group}.{code}"
        return self(key) if self.has(key) else code


def language_from_header(accept_language: str | None) -> str:
    """The first of our languages in an Accept-Language header (quality order, `de-CH` as `de`), else English.

    werkzeug parses the header (parameters, qualities, their order); a tag counts by its primary language,
    so that "fr-BE, pl;q=0.5" is French, where werkzeug's own `best_match` would prefer the exact "pl".
    """
    accepted = parse_accept_header(accept_language, LanguageAccept)
    return next((code for tag, quality in accepted if quality > 0 and (code := normalize_code(tag, LANGUAGE_CODES))),
                FALLBACK_LANGUAGE)
