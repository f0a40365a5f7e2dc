"""Dense featurizer: how much of a message the assistant's own domain has words for.

Word and character counts only describe words seen in training. A question about pasta,
the weather or a football match is mostly made of words no domain intent ever used, so
its count features are nearly empty and DIET assigns it to whichever intent lies nearest
(measured: "how do I cook pasta" went to `faq/contact`). This component tells DIET, for
each token and for the whole message, whether the domain intents (every intent but
`out_of_scope`) know the word: at all, in several examples, or by its first letters
(inflection, typos).

While training, each example is scored against the vocabulary of the *other* examples
(leave-one-out): otherwise every domain example would look fully known, and DIET would
learn that any unseen name or place means "out of scope".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Any, Dict, List, Optional, Set

import numpy as np
import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

VOCABULARY_FILE = "domain_vocabulary.json"
_NUMBER = re.compile(r"^[\d.,:/+\-]+$")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_PUNCTUATION = re.compile(r"^\W+|\W+$")


def fold(token: str) -> str:
    """Lower case without diacritics or surrounding punctuation; numbers and addresses as
    one placeholder each, since a number or an e-mail address is never off-topic by itself."""
    if _ADDRESS.search(token):
        return "<address>"
    text = _PUNCTUATION.sub("", token.lower())
    if _NUMBER.match(text):
        return "<number>"
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class DomainVocabularyFeaturizer(DenseFeaturizer, GraphComponent):
    """Per token: known to the domain intents at all, commonly, or by its first letters;
    per message: the same, weighted by how rare each word is."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the component's default config (see parent class)."""
        return {
            **DenseFeaturizer.get_default_config(),
            # Intents whose words do not count as the domain's.
            "outside_intents": ["out_of_scope"],
            # A longer word counts as known by prefix when a domain word starts with
            # its first this many letters ("webinarze" / "webinar").
            "prefix_length": 5,
            # A word in at least this many domain examples counts as common there too.
            "common_count": 3,
        }

    @staticmethod
    def required_components() -> List[type]:
        """A tokenizer must run first."""
        from rasa.nlu.tokenizers.tokenizer import Tokenizer

        return [Tokenizer]

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        words: Optional[Counter] = None,
        prefixes: Optional[Counter] = None,
        examples: int = 0,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        # In how many of the domain's examples each folded word / prefix occurs.
        self._words: Counter = words or Counter()
        self._prefixes: Counter = prefixes or Counter()
        self._examples = examples

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        """Prefixes of fewer than three letters would make every word known."""
        if int(config["prefix_length"]) < 3:
            raise ValueError("DomainVocabularyFeaturizer: prefix_length must be at least 3")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DomainVocabularyFeaturizer":
        """Creates an untrained component (see parent class)."""
        return cls(config, model_storage, resource, execution_context)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "DomainVocabularyFeaturizer":
        """Loads the trained vocabulary (see parent class)."""
        with model_storage.read_from(resource) as directory:
            stored = rasa.shared.utils.io.read_json_file(directory / VOCABULARY_FILE)
        return cls(config, model_storage, resource, execution_context,
                   Counter(stored["words"]), Counter(stored["prefixes"]), stored["examples"])

    def _prefix(self, word: str) -> Optional[str]:
        length = self._config["prefix_length"]
        return word[:length] if len(word) > length and not word.startswith("<") else None

    def _forms(self, message: Message) -> tuple[Set[str], Set[str]]:
        words = {fold(t.text) for t in message.get(TOKENS_NAMES[TEXT], [])} - {""}
        return words, {p for p in map(self._prefix, words) if p}

    def _is_domain_example(self, message: Message) -> bool:
        intent = message.get(INTENT)
        return bool(message.get(TEXT)) and bool(intent) and intent not in self._config["outside_intents"]

    def train(self, training_data: TrainingData) -> Resource:
        """Counts in how many domain examples each word and prefix occurs."""
        self._words, self._prefixes, self._examples = Counter(), Counter(), 0
        for message in training_data.training_examples:
            if self._is_domain_example(message):
                self._examples += 1
                words, prefixes = self._forms(message)
                self._words.update(words)
                self._prefixes.update(prefixes)
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / VOCABULARY_FILE, {"words": self._words, "prefixes": self._prefixes, "examples": self._examples})
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Features for training, each example scored without its own words."""
        for message in training_data.training_examples:
            self._featurize(message, leave_out=self._is_domain_example(message))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Features for incoming messages."""
        for message in messages:
            self._featurize(message, leave_out=False)
        return messages

    def _featurize(self, message: Message, leave_out: bool) -> None:
        tokens: List[Token] = message.get(TOKENS_NAMES[TEXT], [])
        if not tokens:
            return
        own = 1 if leave_out else 0
        rows, weights = [], []
        for token in tokens:
            word = fold(token.text)
            count = self._words[word] - own if word else self._examples
            prefix = self._prefix(word)
            by_prefix = prefix is not None and self._prefixes[prefix] > own
            rows.append([float(count > 0), float(count >= self._config["common_count"]),
                         float(count > 0 or by_prefix)])
            # Inverse document frequency: "la" or "the" say little, "tartiflette" much.
            weights.append(math.log((self._examples + 1) / (max(count, 0) + 1)))
        sequence = np.array(rows, dtype=np.float32)
        weight = np.array(weights, dtype=np.float32) + 1e-3
        sentence = (weight @ sequence / weight.sum())[np.newaxis, :]
        self.add_features_to_message(sequence, sentence, TEXT, message)
