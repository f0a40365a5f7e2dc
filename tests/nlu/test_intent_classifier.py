"""The LinearIntentClassifier in a real Rasa pipeline: tokenizer, count vectors, sentence vectors.

It replaces DIET and the ResponseSelector, so what Rasa's dialogue reads from them must come out
the same: the intent ranking, and for `faq` the ResponseSelector's entry (`utter_faq` and the parse
API's `faq/<name>` depend on it).
"""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import LinearIntentClassifier
from bot.nlu.sentence_featurizer import SentenceFeaturizer

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hallo zusammen", "bonjour à tous", "ciao a tutti", "dzień dobry"],
    "goodbye": ["bye", "see you later", "tschüss", "au revoir", "arrivederci", "do widzenia", "have a nice day, bye"],
    "faq/partners": ["which clusters take part?", "who are the partners?", "welche Cluster sind dabei?",
                     "quels sont les partenaires ?", "quali regioni partecipano?", "kto jest partnerem projektu?"],
    "faq/cost": ["does it cost anything?", "is it free?", "was kostet die Teilnahme?", "c'est payant ?",
                 "quanto costa partecipare?", "czy udział jest płatny?"],
}
RESPONSES = {"utter_faq/partners": [{"text": "Five clusters take part."}],
             "utter_faq/cost": [{"text": "Taking part is free."}]}


def context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), name)


class Pipeline:
    """The components before the classifier, trained on the same data, as Rasa's graph runs them."""

    def __init__(self, storage: LocalModelStorage, data: TrainingData) -> None:
        self.tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage,
                                                    Resource("tokens"), context("tokens"))
        self.counts = CountVectorsFeaturizer.create(
            {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
            storage, Resource("counts"), context("counts"))
        self.vectors = SentenceFeaturizer.create(SentenceFeaturizer.get_default_config(), storage,
                                                 Resource("vectors"), context("vectors"))
        self.tokenizer.process_training_data(data)
        self.counts.train(data)
        self.counts.process_training_data(data)
        self.vectors.process_training_data(data)

    def featurize(self, *texts: str) -> list[Message]:
        messages = [Message(data={TEXT: text}) for text in texts]
        for component in (self.tokenizer, self.counts, self.vectors):
            component.process(messages)
        return messages


def training_data() -> TrainingData:
    messages = []
    for label, texts in EXAMPLES.items():
        intent = label.split("/")[0]
        for text in texts:
            data = {TEXT: text, INTENT: intent}
            if "/" in label:
                data[INTENT_RESPONSE_KEY] = label
            messages.append(Message(data=data))
    return TrainingData(messages, responses=RESPONSES)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    data = training_data()
    pipeline = Pipeline(storage, data)
    resource = Resource("classifier")
    classifier = LinearIntentClassifier.create(LinearIntentClassifier.get_default_config(), storage, resource,
                                               context("classifier"))
    classifier.train(data)
    return pipeline, storage, resource, classifier


def test_an_faq_question_gets_the_intent_and_the_response_selectors_answer(trained):
    pipeline, _, _, classifier = trained
    [message] = classifier.process(pipeline.featurize("which regions are partners?"))
    assert message.get(INTENT)["name"] == "faq"
    selected = message.get("response_selector")["faq"]
    assert selected["response"]["intent_response_key"] == "faq/partners"
    assert selected["response"]["utter_action"] == "utter_faq/partners"
    assert selected["response"]["responses"] == RESPONSES["utter_faq/partners"]
    assert [entry["intent_response_key"] for entry in selected["ranking"]] == ["faq/partners", "faq/cost"]
    assert sum(entry["confidence"] for entry in selected["ranking"]) == pytest.approx(1.0)
    assert message.get("response_selector")["all_retrieval_intents"] == ["faq"]


def test_the_intent_ranking_names_intents_only_and_sums_an_faqs_answers(trained):
    pipeline, _, _, classifier = trained
    [message] = classifier.process(pipeline.featurize("tschüss und bis bald"))
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "goodbye" and message.get(INTENT) == ranking[0]
    assert sorted(entry["name"] for entry in ranking) == ["faq", "goodbye", "greet"]
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)


def test_the_loaded_model_predicts_what_the_trained_one_did(trained):
    pipeline, storage, resource, classifier = trained
    texts = ("ist die Teilnahme kostenlos?", "buongiorno", "which clusters are in it?")
    before = [m.get("intent_ranking") for m in classifier.process(pipeline.featurize(*texts))]
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource,
                                         context("classifier"))
    after = [m.get("intent_ranking") for m in loaded.process(pipeline.featurize(*texts))]
    assert [r[0]["name"] for r in after] == [r[0]["name"] for r in before] == ["faq", "greet", "faq"]
    assert [r[0]["confidence"] for r in after] == pytest.approx([r[0]["confidence"] for r in before], rel=1e-5)


def test_an_untrained_model_leaves_messages_untouched(tmp_path):
    storage = LocalModelStorage(tmp_path)
    loaded = LinearIntentClassifier.load({}, storage, Resource("nothing"), context("classifier"))
    [message] = loaded.process([Message(data={TEXT: "hello"})])
    assert message.get(INTENT) is None


def test_without_count_vectors_it_says_what_is_missing(tmp_path):
    storage = LocalModelStorage(tmp_path)
    classifier = LinearIntentClassifier.create({}, storage, Resource("classifier"), context("classifier"))
    with pytest.raises(ValueError, match="CountVectorsFeaturizer"):
        classifier.train(training_data())


@pytest.mark.parametrize("key", ["C", "dense_weight", "max_iter"])
def test_a_setting_that_is_not_positive_is_refused(key):
    with pytest.raises(ValueError, match=key):
        LinearIntentClassifier.validate_config({key: 0})


def test_an_empty_message_gets_an_intent_instead_of_an_error(trained):
    pipeline, _, _, classifier = trained
    [message] = classifier.process(pipeline.featurize(""))
    assert message.get(INTENT)["name"] in {"greet", "goodbye", "faq"}
