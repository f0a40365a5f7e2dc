"""The DomainVocabularyFeaturizer graph component, trained on the real nlu_data/."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import PROJECT_ROOT
from bot.nlu.domain_vocabulary import DomainVocabularyFeaturizer, fold

CONTEXT = ExecutionContext(GraphSchema({}), "test")
TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
CONFIG = DomainVocabularyFeaturizer.get_default_config()


@pytest.fixture(scope="module")
def featurizer(tmp_path_factory):
    """Train on the real data, then load from storage as Rasa does at run time."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("domain_vocabulary")
    data = load_data(str(PROJECT_ROOT / "nlu_data"))
    TOKENIZER.process_training_data(data)
    DomainVocabularyFeaturizer.create(CONFIG, storage, resource, CONTEXT).train(data)
    return DomainVocabularyFeaturizer.load(CONFIG, storage, resource, CONTEXT)


def features(featurizer, text):
    """(per-token rows, message row) of a new message."""
    message = Message(data={"text": text})
    TOKENIZER.process([message])
    featurizer.process([message])
    sequence, sentence = message.get_dense_features("text", [])
    return sequence.features, sentence.features[0]


def test_domain_questions_score_above_off_topic_ones(featurizer):
    domain = ["wie viel kostet die Teilnahme?", "quando è il prossimo webinar?",
              "szukamy partnera w Lyonie", "who funds S3martMed?", "je voudrais m'inscrire"]
    off_topic = ["c'est quoi la recette de la tartiflette ?", "who won the derby last night",
                 "Schneit's morgen am Feldberg?", "how do I cook pasta", "kto wygrał mecz?"]
    common = {text: features(featurizer, text)[1][1] for text in domain + off_topic}
    assert min(common[t] for t in domain) > max(common[t] for t in off_topic) + 0.1, common


def test_a_word_known_only_by_its_first_letters_counts_in_the_last_column(featurizer):
    rows, _ = features(featurizer, "webinarzyki")
    assert rows.tolist() == [[0.0, 0.0, 1.0]]


def test_numbers_e_mail_addresses_and_diacritics_are_never_unknown_by_themselves():
    assert fold("jörg.müller@medtech-ulm.de") == fold("https://example.org") == "<address>"
    assert fold("42,") == fold("+49") == "<number>"
    assert fold("Été") == "ete"


def test_a_training_example_is_scored_without_its_own_words(tmp_path):
    """Otherwise every domain example looks fully known and DIET learns that any unseen
    name means out of scope."""
    storage = LocalModelStorage(tmp_path)
    texts = {"hello Zbigniew": "greet", "hello there": "greet", "cook pasta": "out_of_scope"}
    data = TrainingData([Message(data={"text": t, "intent": i}) for t, i in texts.items()])
    TOKENIZER.process_training_data(data)
    component = DomainVocabularyFeaturizer.create(CONFIG, storage, Resource("v"), CONTEXT)
    component.train(data)
    component.process_training_data(data)
    rows = {m.get("text"): m.get_dense_features("text", [])[0].features[:, 0].tolist()
            for m in data.training_examples}
    # "hello" is in the other greeting too, "Zbigniew" and "there" only in their own
    assert rows == {"hello Zbigniew": [1.0, 0.0], "hello there": [1.0, 0.0], "cook pasta": [0.0, 0.0]}
    # at run time the whole vocabulary counts
    assert np.array_equal(features(component, "hello Zbigniew")[0][:, 0], [1.0, 1.0])


def test_prefixes_shorter_than_three_letters_are_refused():
    with pytest.raises(ValueError, match="prefix_length"):
        DomainVocabularyFeaturizer.validate_config({**CONFIG, "prefix_length": 2})
