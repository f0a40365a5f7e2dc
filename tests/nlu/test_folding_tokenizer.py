"""FoldingWhitespaceTokenizer: words typed without diacritics get the same count features."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.folding_tokenizer import FoldingWhitespaceTokenizer, fold

TOKENIZER = FoldingWhitespaceTokenizer(FoldingWhitespaceTokenizer.get_default_config())


@pytest.mark.parametrize("word, folded", [
    ("Człowiekiem", "czlowiekiem"), ("Grüße", "grusse"), ("société", "societe"),
    ("perché", "perche"), ("Żółw", "zolw"), ("Sœur", "soeur"), ("plain", "plain"),
])
def test_fold_drops_diacritics_and_case(word, folded):
    assert fold(word) == folded


def test_tokens_keep_their_text_and_offsets_for_entities():
    message = Message(data={"text": "Firma w Łodzi, chcę rozmawiać"})
    TOKENIZER.process([message])
    tokens = message.get("text_tokens")
    assert [(t.text, t.start, t.end, t.lemma) for t in tokens] == [
        ("Firma", 0, 5, "firma"), ("w", 6, 7, "w"), ("Łodzi", 8, 13, "lodzi"),
        ("chcę", 15, 19, "chce"), ("rozmawiać", 20, 29, "rozmawiac"),
    ]


@pytest.mark.parametrize("analyzer", ["word", "char_wb"])
def test_count_features_are_the_same_with_and_without_diacritics(tmp_path, analyzer):
    config = {**CountVectorsFeaturizer.get_default_config(), "analyzer": analyzer,
              "min_ngram": 2 if analyzer == "char_wb" else 1, "max_ngram": 4 if analyzer == "char_wb" else 1}
    featurizer = CountVectorsFeaturizer.create(
        config, LocalModelStorage(tmp_path), Resource("cvf"), ExecutionContext(GraphSchema({}), "test"))
    data = TrainingData([Message(data={"text": "chcę rozmawiać z człowiekiem", "intent": "request_human"}),
                         Message(data={"text": "cześć", "intent": "greet"})])
    TOKENIZER.process_training_data(data)
    featurizer.train(data)

    def features(text):
        message = Message(data={"text": text})
        TOKENIZER.process([message])
        featurizer.process([message])
        return message.get_sparse_features("text")[1].features.toarray()

    with_marks, without = features("chcę rozmawiać z człowiekiem"), features("chce rozmawiac z czlowiekiem")
    assert with_marks.sum() > 0
    assert (with_marks == without).all()
