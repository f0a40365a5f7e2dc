"""Graph component that reports the language of each user message.

Rasa has one `language` per model; this component lets one model serve five.
It writes a report under `bot.language.DETECTION_KEY` into the parse result;
the `language` slot is then chosen from that report and the conversation state
by `actions.language.ValidateSlotMappings` (see `bot.language.choose_language`).

Detection uses lingua (offline, restricted to the configured languages). Short
messages cannot be told apart by letter statistics ("Hallo", "Ciao"), so the
component also learns, while training, which words occur in only one language
of the training data; those words give a `guess` for short messages.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
import rasa.shared.utils.io

from bot.language import DETECTION_KEY, normalize_code

LEXICON_FILE = "lexicon.json"
LANGUAGE_ENTITY = "language"
CHANGE_LANGUAGE_INTENT = "change_language"
FALLBACK_INTENT = "nlu_fallback"

_LANGUAGE_COMMAND = re.compile(r"^\s*/lang(?:uage)?(?:\s+(?P<code>\S+))?\s*$", re.IGNORECASE)
_NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
_WORD = re.compile(r"[^\W\d_]{2,}")


def words_of(text: str) -> List[str]:
    """Lower-case words of a message, without e-mail addresses, links and numbers."""
    return _WORD.findall(_NOT_WORDS.sub(" ", text).lower())


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class LanguageDetector(GraphComponent):
    """Reports each message's language; handles explicit language requests."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config (see parent class)."""
        return {
            # Languages the assistant speaks (ISO 639-1); keep in line with the domain.
            "languages": ["en", "de", "fr", "it", "pl"],
            # Languages recognised only to say "sorry, I don't speak it".
            "unsupported_languages": [],
            # A detection counts as reliable from this many words ...
            "min_words": 3,
            # ... and this confidence of lingua's best language.
            "min_confidence": 0.6,
            # A short message's own detection counts as a guess from this confidence.
            "min_guess_confidence": 0.9,
            # Lexicon: a word belongs to a language when this share of its uses is there.
            "lexicon_min_share": 0.9,
            "lexicon_min_count": 2,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        """Packages needed (see parent class).

        Empty on purpose: Rasa checks this list both as import names and as
        distribution names, and lingua's differ (`lingua` vs
        `lingua-language-detector`); the lock file guarantees it is installed.
        """
        return []

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Optional[Dict[Text, Text]] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.languages: List[Text] = list(config["languages"])
        self.lexicon: Dict[Text, Text] = lexicon or {}
        self._detector = self._build_detector(
            self.languages + list(config["unsupported_languages"])
        )

    @staticmethod
    def _build_detector(codes: List[Text]) -> Any:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
        return (
            LanguageDetectorBuilder.from_languages(*languages)
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        """Creates an untrained component (see parent class)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageDetector":
        """Loads the trained lexicon (see parent class)."""
        try:
            with model_storage.read_from(resource) as directory:
                lexicon = rasa.shared.utils.io.read_json_file(directory / LEXICON_FILE)
        except ValueError:
            lexicon = None
        return cls(config, model_storage, resource, lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn which words belong to one language, from reliably detected examples."""
        counts: Dict[Text, Counter] = defaultdict(Counter)
        for example in training_data.intent_examples:
            text = example.get(TEXT) or ""
            detected = self.detect(text)
            if detected["reliable"] and detected["language"] in self.languages:
                for word in set(words_of(text)):
                    counts[word][detected["language"]] += 1
        min_share = self._config["lexicon_min_share"]
        min_count = self._config["lexicon_min_count"]
        self.lexicon = {}
        for word, per_language in counts.items():
            language, count = per_language.most_common(1)[0]
            if count >= min_count and count / sum(per_language.values()) >= min_share:
                self.lexicon[word] = language
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(directory / LEXICON_FILE, self.lexicon)
        return self._resource

    def detect(self, text: Text) -> Dict[Text, Any]:
        """Detect the language of a text: best language, confidence, words, reliability."""
        words = words_of(text)
        language, confidence = None, 0.0
        if words:
            values = self._detector.compute_language_confidence_values(" ".join(words))
            if values:
                language = values[0].language.iso_code_639_1.name.lower()
                confidence = round(float(values[0].value), 3)
        reliable = (
            language is not None
            and len(words) >= self._config["min_words"]
            and confidence >= self._config["min_confidence"]
        )
        return {
            "language": language,
            "confidence": confidence,
            "words": len(words),
            "reliable": reliable,
            "supported": language in self.languages if language else None,
        }

    def guess(self, text: Text) -> Optional[Text]:
        """Guess a short message's language from words seen in only one language."""
        votes = Counter(self.lexicon[w] for w in words_of(text) if w in self.lexicon)
        if not votes:
            return None
        (best, best_votes), *rest = votes.most_common(2)
        return best if not rest or rest[0][1] < best_votes else None

    def process(self, messages: List[Message]) -> List[Message]:
        """Attach a language report to each message (see `bot.language`)."""
        for message in messages:
            self._process_message(message)
        return messages

    def _process_message(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        report = self.detect(text)
        if not report["reliable"]:
            report["guess"] = self.guess(text)
            if report["guess"] is None and report["supported"] and (
                report["confidence"] >= self._config["min_guess_confidence"]
            ):
                report["guess"] = report["language"]
        metadata = message.get("metadata") or {}
        report["hint"] = normalize_code(metadata.get("language"), self.languages)
        report["requested"] = self._requested_language(message, text)
        if report["reliable"] and not report["supported"]:
            # Nothing we could answer: the fallback action lists the languages we speak.
            self._set_intent(message, FALLBACK_INTENT)
        message.set(DETECTION_KEY, report, add_to_output=True)

    def _requested_language(self, message: Message, text: Text) -> Optional[Text]:
        """The language an explicit request asks for; keeps `language` entities valid."""
        command = _LANGUAGE_COMMAND.match(text)
        if command:
            code = normalize_code(command.group("code"), self.languages)
            self._set_intent(message, CHANGE_LANGUAGE_INTENT)
            entities = [{ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY, ENTITY_ATTRIBUTE_VALUE: code,
                         "start": 0, "end": len(text), "extractor": self.__class__.__name__}]
            message.set(ENTITIES, entities if code else [], add_to_output=True)
            return code
        requested = None
        kept = []
        for entity in message.get(ENTITIES) or []:
            if entity.get(ENTITY_ATTRIBUTE_TYPE) != LANGUAGE_ENTITY:
                kept.append(entity)
                continue
            code = normalize_code(entity.get(ENTITY_ATTRIBUTE_VALUE), self.languages)
            if code:
                kept.append(entity)
                requested = requested or code
        message.set(ENTITIES, kept, add_to_output=True)
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        return requested if intent == CHANGE_LANGUAGE_INTENT else None

    @staticmethod
    def _set_intent(message: Message, name: Text) -> None:
        message.set(INTENT, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)
