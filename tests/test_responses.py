"""Every text the bot can say exists in all five languages."""

from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from tests.conftest import LANGUAGES


def variation_languages(variations):
    languages = []
    for variation in variations:
        conditions = variation.get("condition") or []
        if not conditions:
            languages.append("en")  # the unconditioned variation is English
            continue
        assert len(conditions) == 1 and conditions[0]["name"] == "language", variation
        assert conditions[0]["type"] == "slot"
        languages.append(conditions[0]["value"])
    return languages


def test_every_response_has_each_language_once(domain):
    for name, variations in domain["responses"].items():
        assert sorted(variation_languages(variations)) == sorted(LANGUAGES), name
        assert all((v.get("text") or "").strip() for v in variations), name


def test_language_slot_lists_the_same_languages_as_the_detector(domain):
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    detector = next(c for c in config["pipeline"] if c["name"].endswith("LanguageDetector"))
    assert detector["languages"] == domain["slots"]["language"]["values"] == LANGUAGES


def test_language_options_name_each_language_in_its_own_language(domain):
    for variation in domain["responses"]["utter_language_options"]:
        for name in ("English", "Deutsch", "Français", "Italiano", "Polski"):
            assert name in variation["text"]


DYNAMIC_PREFIXES = ("utter_topic_", "utter_invalid_", "utter_label_")  # names built in actions/


def test_responses_not_in_stories_are_sent_by_an_action(domain):
    """`rasa data validate` cannot see responses that custom actions or forms send: check them here."""
    dialogue = "".join(p.read_text() for p in (PROJECT_ROOT / "data").glob("*.yml"))
    actions = "".join(p.read_text() for folder in ("actions", "bot/channels")
                      for p in Path(PROJECT_ROOT / folder).rglob("*.py"))
    asked_by_forms = {f"utter_ask_{slot}" for form in domain.get("forms", {}).values()
                      for slot in form["required_slots"]}
    for name in domain["responses"]:
        if name.startswith("utter_faq/") or name in dialogue or name in asked_by_forms:
            continue
        dynamic = any(name.startswith(prefix) and prefix in actions for prefix in DYNAMIC_PREFIXES)
        assert name in actions or dynamic, name


def test_faq_answers_exist_for_every_faq_intent(domain):
    intents = set()
    for path in (PROJECT_ROOT / "nlu_data").glob("*/faq.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in block:
                intents.add(block["intent"])
    assert intents and all(f"utter_{i}" in domain["responses"] for i in intents)
