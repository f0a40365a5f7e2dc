"""The five language folders of nlu_data/ agree with each other and with the contract."""

from collections import Counter

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.services.text import fold
from bot.config import PROJECT_ROOT
from bot.definitions import INTERESTS, LANGUAGES, SECTORS
from bot.retraining.evaluation import load_holdout

NLU = PROJECT_ROOT / "nlu_data"
CONTRACT_INTENTS = {
    "greet", "goodbye", "affirm", "deny", "thank", "bot_challenge", "help", "out_of_scope",
    "change_language", "register_interest", "find_partner", "ask_funding", "ask_events",
    "request_human", "inform", "stop", "delete_my_data",
}
OWN_INTENTS = {"ask_my_data"}  # ours, beside the contract's (a newer, smaller set of examples)
CONTRACT_FAQ = {
    "what_is_s3martmed", "partners", "duration", "funding_body", "s3_platform",
    "advisory_groups", "eligibility", "cost", "privacy", "contact",
}


def intent_counts(language):
    data = load_data(str(NLU / language))
    return Counter(m.get("intent_response_key") or m.get("intent") for m in data.intent_examples)


def test_every_language_has_the_same_files():
    names = {lang: sorted(p.name for p in (NLU / lang).glob("*.yml")) for lang in LANGUAGES}
    assert all(files == names["en"] for files in names.values()), names


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_contract_intent_has_enough_examples(language):
    counts = intent_counts(language)
    expected = CONTRACT_INTENTS | OWN_INTENTS | {f"faq/{name}" for name in CONTRACT_FAQ}
    assert set(counts) == expected
    for intent in OWN_INTENTS:
        assert counts[intent] >= 25, (intent, counts[intent])
    for intent in CONTRACT_INTENTS:
        assert counts[intent] >= 40, (intent, counts[intent])
    for name in CONTRACT_FAQ:
        assert counts[f"faq/{name}"] >= 20, (name, counts[f"faq/{name}"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_synonyms_map_to_contract_codes(language):
    data = load_data(str(NLU / language))
    values = set(data.entity_synonyms.values())
    codes = {*LANGUAGES, *SECTORS, *INTERESTS}
    for value in values:
        assert value in codes or (len(value) == 2 and value.isupper()), value
    for code in ("FR", "BE", "PL", "IT", "DE", "en", "de", "fr", "it", "pl"):
        assert code in values, code


def test_no_training_example_repeats_a_held_out_message():
    """nlu_holdout/ is a fair test only while no model has trained on its messages: writers
    working apart still wrote the same short phrases ("Bóg zapłać", "coucou toi")."""
    held_out = {fold(text) for examples in load_holdout(PROJECT_ROOT / "nlu_holdout").values()
                for text, _ in examples}
    repeated = sorted(m.get("text") for language in LANGUAGES
                      for m in load_data(str(NLU / language)).intent_examples
                      if fold(m.get("text")) in held_out)
    assert repeated == []
