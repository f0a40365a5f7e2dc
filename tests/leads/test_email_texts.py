"""Every e-mail the assistant writes exists in the five languages, with English's parts and placeholders.

The texts are in catalogue/ (one YAML file per e-mail, one entry per language); a part missing in
one language, or a placeholder it forgets or invents, would fail only when that cluster or SME is written to.
"""

from __future__ import annotations

import string
from typing import Any, Mapping

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.definitions import LANGUAGES

EMAIL_TEXTS = ("notifications.yml", "confirmation.yml", "erasure_notices.yml", "reassignment.yml")


def parts(entry: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in entry.items():
        if isinstance(value, Mapping):
            flat.update(parts(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("file_name", EMAIL_TEXTS)
def test_each_language_has_every_part_with_the_placeholders_of_english(file_name: str) -> None:
    texts = yaml.safe_load((PROJECT_ROOT / "catalogue" / file_name).read_text(encoding="utf-8"))
    assert sorted(texts) == sorted(LANGUAGES)
    english = parts(texts["en"])
    for language in LANGUAGES:
        text = parts(texts[language])
        assert sorted(text) == sorted(english), language
        for part, template in english.items():
            assert text[part].strip(), (language, part)
            assert placeholders(text[part]) == placeholders(template), (language, part)
