"""Whether a place is where the SME is, or a region it wants to work with (role `target`).

Routing depends on it: the SME's own country chooses the owning cluster, target regions get
copies (the contract's routing rules, README). The CRFEntityExtractor finds places well but judges their role from the
neighbouring word only, and "we are in Lyon" and "partners in Lyon" share it: on held-out
location annotations of our data it gave the right span and role 64 % of the time. A logistic
regression on the words around the place (three each side, with their distance) and the other
entities of the message was right 86.5 % of the time on the same held-out places
(docs/nlu-pipeline.md). This component replaces the extractor's role by that judgement.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

WORDS = re.compile(r"\w+")
NO_ROLE = "-"
MODEL_FILE = "location_role.json"


def context_features(text: str, start: int, end: int, other_entities: List[str], window: int) -> Dict[str, float]:
    """The words before and after a mention (also by distance), and the message's other entity types."""
    before = [w.lower() for w in WORDS.findall(text[:start])][-window:]
    after = [w.lower() for w in WORDS.findall(text[end:])][:window]
    features = {"first": float(not before)}
    for distance, word in enumerate(reversed(before)):
        features[f"L:{word}"] = features[f"L{distance}:{word}"] = 1.0
    for distance, word in enumerate(after):
        features[f"R:{word}"] = features[f"R{distance}:{word}"] = 1.0
    for entity in other_entities:
        features[f"E:{entity}"] = 1.0
    return features


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class LocationRoleClassifier(GraphComponent):
    """Sets or clears the role of each `location` entity from its context."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"entity": "location", "window": 3, "C": 3.0}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 model: Dict[str, Any] | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model  # {"classes": [...], "vocabulary": {...}, "coef": [...], "intercept": float}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LocationRoleClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn"]

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        rows, roles = [], []
        for message in training_data.training_examples:
            for mention, others in self._mentions(message):
                rows.append(self._features(message, mention, others))
                roles.append(mention.get("role") or NO_ROLE)
        if len(set(roles)) < 2:
            logger.debug("Fewer than two roles of %s in the data: roles are left as extracted.", self._config["entity"])
            return self._resource
        vectorizer = DictVectorizer()
        model = LogisticRegression(C=self._config["C"], max_iter=1000, class_weight="balanced")
        model.fit(vectorizer.fit_transform(rows), roles)
        # One weight vector per class (a binary model has one, for the second class).
        self._model = {"classes": [str(c) for c in model.classes_], "vocabulary": vectorizer.vocabulary_,
                       "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist()}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_text(json.dumps(self._model, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LocationRoleClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._model:
            return messages
        for message in messages:
            mentions = list(self._mentions(message))
            for mention, others in mentions:
                role = self._role(self._features(message, mention, others))
                mention.pop("confidence_role", None)
                if role == NO_ROLE:
                    mention.pop("role", None)
                else:
                    mention["role"] = role
            if mentions:
                message.set(ENTITIES, message.get(ENTITIES), add_to_output=True)
        return messages

    def _mentions(self, message: Message):
        entities = message.get(ENTITIES) or []
        for entity in entities:
            if entity.get("entity") == self._config["entity"] and "start" in entity and "end" in entity:
                yield entity, [e["entity"] for e in entities if e is not entity and e.get("entity") != self._config["entity"]]

    def _features(self, message: Message, mention: Dict[str, Any], others: List[str]) -> Dict[str, float]:
        return context_features(message.get(TEXT) or "", mention["start"], mention["end"], others,
                                int(self._config["window"]))

    def _role(self, features: Dict[str, float]) -> str:
        vocabulary, classes = self._model["vocabulary"], self._model["classes"]
        indices = [vocabulary[name] for name in features if name in vocabulary]
        coef = np.asarray(self._model["coef"])
        scores = coef[:, indices].sum(axis=1) + np.asarray(self._model["intercept"])
        if len(classes) == 2:
            return classes[1] if scores[0] > 0 else classes[0]
        return classes[int(np.argmax(scores))]
