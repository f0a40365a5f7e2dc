"""Graph component that reports the language of each user message.

Rasa has one `language` per model; this component lets one model serve five.
It writes a `bot.definitions.LanguageReport` into the parse result and,
inside a conversation, chooses the conversation's language from that report and
the tracker it is given (`bot.language.choose_language`). A change comes out as
the `language` entity, which fills the `language` slot by its `from_entity`
mapping: Rasa sets the slot itself, with no call to the action server per message.

Detection combines lingua (offline, restricted to the configured languages)
with a lexicon the component learns while training: the words that occur in
only one language of the training data (as told by lingua on examples it
detects reliably). The lexicon catches what letter statistics miss: one-word
messages ("Hallo", "Ciao") and the English of non-native speakers. A second,
small lingua detector that also knows neighbouring languages recognises
messages in languages we do not speak. `make bench-nlu` measures both.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any, Dict, List, Optional

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
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

from bot.definitions import DETECTION_KEY, LANGUAGES, LanguageReport
from bot.language import LANGUAGE_ENTITY, choose_language, normalize_code

LEXICON_FILE = "lexicon.json"
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
    def get_default_config() -> Dict[str, Any]:
        """Returns the component's default config (see parent class)."""
        return {
            # Languages the assistant speaks (ISO 639-1); keep in line with the domain.
            "languages": list(LANGUAGES),
            # Languages recognised only to say "sorry, I don't speak it".
            "unsupported_languages": [],
            # A detection counts as reliable from this many words ...
            "min_words": 3,
            # ... and this confidence of lingua's best language.
            "min_confidence": 0.7,
            # Another language needs this confidence of the neighbour-aware screen.
            "min_foreign_confidence": 0.8,
            # A short message's own detection counts as a guess from this confidence.
            "min_guess_confidence": 0.9,
            # Weight of the lexicon's votes against lingua's confidence values.
            "lexicon_weight": 0.7,
            # Names that are the same in every language (the project's bodies, the clusters):
            # left out before detection, so that "qui compose l'Investment Advisory Group ?" is French.
            "neutral_terms": [],
            # Lexicon: a word belongs to a language when this share of its uses is there.
            "lexicon_min_share": 0.9,
            "lexicon_min_count": 2,
        }

    @staticmethod
    def required_packages() -> List[str]:
        """Packages needed (see parent class).

        Empty on purpose: Rasa checks this list both as import names and as
        distribution names, and lingua's differ (`lingua` vs
        `lingua-language-detector`); the lock file guarantees it is installed.
        """
        return []

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Dict[str, str] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.languages: List[str] = list(config["languages"])
        self.lexicon: Dict[str, str] = lexicon or {}
        self.unsupported: List[str] = list(config["unsupported_languages"])
        terms = sorted(config["neutral_terms"], key=len, reverse=True)  # longest first: "Advisory Group" after its full name
        self._neutral_terms = (
            re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE) if terms else None
        )
        self._detector = self._build_detector(self.languages, low_accuracy=False)
        self._screen = (
            self._build_detector(self.languages + self.unsupported, low_accuracy=True)
            if self.unsupported
            else None
        )

    @staticmethod
    def _build_detector(codes: List[str], low_accuracy: bool) -> Any:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
        builder = LanguageDetectorBuilder.from_languages(*languages)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        return builder.with_preloaded_language_models().build()

    @staticmethod
    def _confidences(detector: Any, text: str) -> Dict[str, float]:
        return {
            v.language.iso_code_639_1.name.lower(): float(v.value)
            for v in detector.compute_language_confidence_values(text)
        }

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        """Creates an untrained component (see parent class)."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        """Loads the trained lexicon (see parent class)."""
        try:
            with model_storage.read_from(resource) as directory:
                lexicon = rasa.shared.utils.io.read_json_file(directory / LEXICON_FILE)
        except ValueError:
            lexicon = None
        return cls(config, model_storage, resource, lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn which words belong to one language, from reliably detected examples.

        Two rounds: the second labels examples with lingua and the first round's
        lexicon together, which labels many more short examples correctly.
        """
        texts = [example.get(TEXT) or "" for example in training_data.intent_examples]
        self.lexicon = {}
        for _ in range(2):
            self.lexicon = self._learn_lexicon(texts)
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(directory / LEXICON_FILE, self.lexicon)
        return self._resource

    def _learn_lexicon(self, texts: List[str]) -> Dict[str, str]:
        counts: Dict[str, Counter] = defaultdict(Counter)
        for text in texts:
            detected = self.detect(text)
            if detected.reliable and detected.supported:
                for word in set(words_of(text)):
                    counts[word][detected.language] += 1
        lexicon = {}
        for word, per_language in counts.items():
            language, count = per_language.most_common(1)[0]
            if (
                count >= self._config["lexicon_min_count"]
                and count / sum(per_language.values()) >= self._config["lexicon_min_share"]
            ):
                lexicon[word] = language
        return lexicon

    def detect(self, text: str) -> LanguageReport:
        """Detect the language of a text: best language, confidence, words, reliability."""
        words = words_of(self._without_neutral_terms(text))
        language, confidence = None, 0.0
        if words:
            scores = self._confidences(self._detector, " ".join(words))
            votes = Counter(self.lexicon[w] for w in words if w in self.lexicon)
            if votes:
                # The lexicon speaks in proportion to the share of words it knows.
                total = sum(votes.values())
                weight = self._config["lexicon_weight"] * total / len(words)
                scores = {
                    code: (1 - weight) * scores.get(code, 0.0) + weight * votes[code] / total
                    for code in self.languages
                }
            language = max(scores, key=scores.get)
            confidence = round(scores[language], 3)
            foreign = self._foreign_language(words, votes)
            if foreign:
                language, confidence = foreign
        reliable = (
            language is not None
            and len(words) >= self._config["min_words"]
            and confidence >= self._config["min_confidence"]
        )
        return LanguageReport(
            language=language,
            confidence=confidence,
            words=len(words),
            reliable=reliable,
            supported=language in self.languages if language else None,
        )

    def _without_neutral_terms(self, text: str) -> str:
        return self._neutral_terms.sub(" ", text) if self._neutral_terms else text

    def _foreign_language(self, words: List[str], votes: Counter) -> tuple[str, float] | None:
        """A language we do not speak, when the screen says so and our lexicon does not object."""
        if self._screen is None or len(words) < self._config["min_words"]:
            return None
        if sum(votes.values()) >= len(words) / 2:  # mostly words of our training data
            return None
        known = votes.most_common(1)[0][1] if votes else 0
        if known >= 2 and known >= len(words) / 3:  # a third of the words, two at least, are one of ours
            return None
        scores = self._confidences(self._screen, " ".join(words))
        best = max(scores, key=scores.get)
        if best in self.unsupported and scores[best] >= self._config["min_foreign_confidence"]:
            return best, round(scores[best], 3)
        return None

    def guess(self, text: str) -> str | None:
        """Guess a short message's language from words seen in only one language."""
        votes = Counter(self.lexicon[w] for w in words_of(text) if w in self.lexicon)
        if not votes:
            return None
        (best, best_votes), *rest = votes.most_common(2)
        return best if not rest or rest[0][1] < best_votes else None

    def process(
        self,
        messages: List[Message],
        tracker: Optional[DialogueStateTracker] = None,  # noqa: UP045 - Rasa's graph check reads typing.Optional, not `X | None`
    ) -> List[Message]:
        """Attach a language report to each message; in a conversation, settle its language.

        Rasa's default recipe hands the conversation's tracker (before this message) to
        a `process` that asks for it; `/model/parse` gives an empty one.
        """
        for message in messages:
            report = self._process_message(message)
            if tracker is not None and tracker.events:
                self._settle_language(message, report, tracker)
        return messages

    def _settle_language(self, message: Message, report: LanguageReport, tracker: DialogueStateTracker) -> None:
        """Emit the `language` entity when the conversation's language changes or is asked for."""
        if report.requested:  # its entity is already there
            return
        current = tracker.get_slot(LANGUAGE_ENTITY)  # the slot of the same name
        chosen = choose_language(current, report, self.languages, previous_hint=_previous_hint(tracker))
        if chosen == current:
            return
        entities = list(message.get(ENTITIES) or [])  # no other `language` entity is left
        entities.append({ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY, ENTITY_ATTRIBUTE_VALUE: chosen,
                         "extractor": self.__class__.__name__})
        message.set(ENTITIES, entities, add_to_output=True)

    def _process_message(self, message: Message) -> LanguageReport:
        text = message.get(TEXT) or ""
        report = self.detect(text)
        if not report.reliable:
            guess = self.guess(text)
            if guess is None and report.supported and report.confidence >= self._config["min_guess_confidence"]:
                guess = report.language
            report = replace(report, guess=guess)
        metadata = message.get("metadata") or {}
        report = replace(report, hint=normalize_code(metadata.get("language"), self.languages),
                         requested=self._requested_language(message, text))
        if report.in_unsupported_language:
            # Nothing we could answer: the fallback action lists the languages we speak.
            self._set_intent(message, FALLBACK_INTENT)
        message.set(DETECTION_KEY, report.to_dict(), add_to_output=True)
        return report

    def _requested_language(self, message: Message, text: str) -> str | None:
        """The language an explicit request asks for.

        Keeps a `language` entity only where it is that request: the entity fills the
        conversation's `language` slot, so a language named in passing ("we export to
        Germany", "Deutsch ist unsere Firmensprache") must not.
        """
        command = _LANGUAGE_COMMAND.match(text)
        if command:
            code = normalize_code(command.group("code"), self.languages)
            self._set_intent(message, CHANGE_LANGUAGE_INTENT)
            entities = [{ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY, ENTITY_ATTRIBUTE_VALUE: code,
                         "start": 0, "end": len(text), "extractor": self.__class__.__name__}]
            message.set(ENTITIES, entities if code else [], add_to_output=True)
            return code
        is_request = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == CHANGE_LANGUAGE_INTENT
        requested = None
        kept = []
        for entity in message.get(ENTITIES) or []:
            if entity.get(ENTITY_ATTRIBUTE_TYPE) != LANGUAGE_ENTITY:
                kept.append(entity)
                continue
            code = normalize_code(entity.get(ENTITY_ATTRIBUTE_VALUE), self.languages)
            if code and is_request and requested in (None, code):
                kept.append(entity)
                requested = code
        message.set(ENTITIES, kept, add_to_output=True)
        return requested

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        message.set(INTENT, {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True)


def _previous_hint(tracker: DialogueStateTracker) -> str | None:
    """The channel's language hint that came with the conversation's previous user message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return LanguageReport.of(event.parse_data).hint
    return None
