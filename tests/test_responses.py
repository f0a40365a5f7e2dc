"""The responses: named where they are sent, in each language's own words.

That each exists in every language: tests/test_definitions.py.
"""

from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT


def test_language_options_name_each_language_in_its_own_language(domain):
    for variation in domain["responses"]["utter_language_options"]:
        for name in ("English", "Deutsch", "Français", "Italiano", "Polski"):
            assert name in variation["text"]


DYNAMIC_PREFIXES = ("utter_topic_", "utter_invalid_", "utter_label_")  # names built in actions/ and bot/registration_fields.py


def test_responses_not_in_stories_are_sent_by_an_action(domain):
    """`rasa data validate` cannot see responses that custom actions or forms send: check them here."""
    dialogue = "".join(p.read_text() for p in (PROJECT_ROOT / "data").glob("*.yml"))
    actions = "".join(p.read_text() for folder in ("actions", "bot/channels")
                      for p in Path(PROJECT_ROOT / folder).rglob("*.py"))
    actions += (PROJECT_ROOT / "bot" / "registration_fields.py").read_text()
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
