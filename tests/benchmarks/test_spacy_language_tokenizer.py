"""The SpacyLanguageTokenizer: each message split and lemmatised by the rules of its language."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from benchmarks.spacy_language_tokenizer import SpacyLanguageTokenizer


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    return SpacyLanguageTokenizer.create(
        SpacyLanguageTokenizer.get_default_config(), LocalModelStorage(tmp_path_factory.mktemp("storage")),
        Resource("tokenizer"), ExecutionContext(GraphSchema({}), "test"))


def tokens(tokenizer, text: str) -> list:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


@pytest.mark.parametrize("text, lemmas", [
    ("Nous fabriquons des dispositifs médicaux", ["fabriquer", "dispositif", "médical"]),
    ("Wir suchen Finanzierungen für unsere Medizinprodukte", ["Finanzierung"]),
    ("Produciamo dispositivi medici per gli ospedali", ["dispositivo", "medico", "ospedale"]),
    ("We are looking for partners and investors", ["partner", "investor"]),
])
def test_words_are_reduced_to_their_lemma_in_the_message_language(tokenizer, text, lemmas):
    found = [token.lemma for token in tokens(tokenizer, text)]
    for lemma in lemmas:
        assert lemma in found, found


def test_polish_keeps_its_words_and_the_right_language(tokenizer):
    text = "Szukamy partnerów technologicznych na Śląsku"
    assert tokenizer.language_of(text) == "pl"
    assert [t.text for t in tokens(tokenizer, text)] == text.split()


def test_offsets_point_into_the_original_text_without_punctuation(tokenizer):
    text = "Bonjour ! L'entreprise Medisens, à Lyon ?"
    found = tokens(tokenizer, text)
    assert [text[t.start:t.end] for t in found] == [t.text for t in found]
    assert [t.text for t in found] == ["Bonjour", "L'", "entreprise", "Medisens", "à", "Lyon"]


def test_addresses_and_names_stay_whole(tokenizer):
    found = [t.text for t in tokens(tokenizer, "my e-mail is jan.kowalski@cardio-med.pl, thanks")]
    assert "jan.kowalski@cardio-med.pl" in found


@pytest.mark.parametrize("text", ["?", ":)", "🙂", ""])
def test_a_message_without_words_is_one_token(tokenizer, text):
    assert [t.text for t in tokens(tokenizer, text)] == [text]
