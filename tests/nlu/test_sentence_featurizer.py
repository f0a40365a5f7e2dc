"""The SentenceFeaturizer as Rasa's graph runs it: one sentence vector per message and response."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import sentence_encoder
from bot.nlu.sentence_featurizer import SentenceFeaturizer


def featurizer(tmp_path, **config) -> SentenceFeaturizer:
    return SentenceFeaturizer.create({**SentenceFeaturizer.get_default_config(), **config},
                                     LocalModelStorage(tmp_path), Resource("sentence"),
                                     ExecutionContext(GraphSchema({}), "sentence_featurizer"))


def test_each_message_gets_its_sentence_vector_and_no_token_sequence(tmp_path):
    message = Message(data={TEXT: "wir stellen Hüftimplantate her"})
    featurizer(tmp_path).process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None and sentence.features.shape == (1, sentence_encoder.DIMENSION)
    assert np.allclose(sentence.features[0], sentence_encoder.embed(["wir stellen Hüftimplantate her"])[0])


def test_training_data_is_embedded_in_batches_with_progress(tmp_path, caplog):
    caplog.set_level("INFO")
    examples = [Message(data={TEXT: f"Beispiel {number}", INTENT: "greet", RESPONSE: "Antwort"})
                for number in range(5)]
    featurizer(tmp_path, batch_size=2).process_training_data(TrainingData(examples))
    assert all(e.get_dense_features(TEXT)[1].features.shape == (1, sentence_encoder.DIMENSION) for e in examples)
    assert examples[0].get_dense_features(RESPONSE)[1] is not None
    assert "Sentence vectors: 4 of 5 texts" in caplog.text


def test_a_text_repeated_in_one_call_is_embedded_once(tmp_path, monkeypatch):
    embedded: list[str] = []
    real_embed = sentence_encoder.embed
    monkeypatch.setattr(sentence_encoder, "embed", lambda texts, threads=None: embedded.extend(texts) or
                        real_embed(texts, threads))
    messages = [Message(data={TEXT: text}) for text in ("ja", "nein", "ja")]
    featurizer(tmp_path).process(messages)
    assert embedded == ["ja", "nein"]
    first, _, third = (m.get_dense_features(TEXT)[1].features for m in messages)
    assert np.array_equal(first, third)


def test_a_blank_message_gets_a_zero_vector_so_that_diet_can_still_classify_it(tmp_path):
    blank, empty = Message(data={TEXT: "  \t"}), Message(data={TEXT: ""})
    featurizer(tmp_path).process([blank, empty])
    for message in (blank, empty):
        sentence = message.get_dense_features(TEXT)[1]
        assert sentence.features.shape == (1, sentence_encoder.DIMENSION) and not sentence.features.any()


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="batch_size"):
        SentenceFeaturizer.validate_config({"batch_size": 0})
