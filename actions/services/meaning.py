"""Understand a free-text answer to a registration question by what it means.

Each value a question can take is described by short phrases in five languages
(`catalogue/answer_meanings.yml`; each event by its titles and date, from `events.yml`).
An answer takes the value of its nearest phrase when that value is near enough and
clearly nearer than every other value; otherwise the two nearest values are what the
form offers the SME to choose from. Thresholds measured on the writers' held-out answers
(`make bench-nlu`, docs/nlu-benchmark.md).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
import yaml

from actions.services.text import without_diacritics
from bot import sentence_encoder
from bot.config import PROJECT_ROOT
from bot.definitions import LANGUAGES
from bot.event_catalogue import Event, upcoming_events

MEANINGS_FILE = PROJECT_ROOT / "catalogue" / "answer_meanings.yml"
CACHE_DIR = PROJECT_ROOT / "var" / "cache"
MIN_SIMILARITY = 0.82
MIN_MARGIN = 0.005
# An answer this near to one phrase, and this far from every other value, is that phrase in other
# words: it outweighs the NLU ("no problem" is a yes, though it starts with "no").
UNMISTAKABLE_SIMILARITY = 0.95
UNMISTAKABLE_MARGIN = 0.05
# A part of a longer answer adds a value only when it is this much nearer to it than to any other:
# short parts resemble everything a little ("and some equipment", "for a joint project").
PART_MIN_MARGIN = 0.02
# How many of a value's nearest phrases its score averages (one elsewhere). Each sector has about
# fifty phrases a language, one kind of company each: three together are steadier than the nearest
# alone, which a stray phrase of another sector could win (sector answers of the dev3 and dev4
# sets: 435 -> 442.5 and 440 -> 446.7 points summed over the languages; worse for interests).
NEIGHBOURS = {"sector": 3}
# Questions whose values a logistic regression over their phrases' vectors also reads, for the
# answers that no phrase is clearly nearest to: it learns what sets a sector apart (what makes a
# company medtech at all, say) where one phrase per kind of company cannot (sector answers of the
# dev2, dev3 and dev4 sets, meaning alone: 219 -> 235 of 250, 164 -> 179 of 200, 251 -> 276 of 300
# right; 5 -> 12, 8 -> 13, 11 -> 17 wrong). It decides when its two likeliest values are this far apart.
CLASSIFIED_QUESTIONS = ("sector",)
CLASSIFIER_MARGIN = 0.1
CLASSIFIER_C = 10.0
# The phrases of answers that answer nothing ("hard to say"): a classifier's "no value", with the
# things SMEs say besides answering (OFF_QUESTION).
UNCLEAR = "unclear"
JOINING_WORDS = "joining_words"  # the YAML key of the words that join two answers, per language
EXCEPTING_WORDS = "excepting_words"  # ... and of the words that take something out ("all but financing")
DECLINING_WORDS = "declining_words"  # ... and of the words that turn a part down ("no events, please")
# How many words may come before a single word of refusal in the part it turns down.
DECLINING_WITHIN = 3
HEDGING_WORDS = "hedging_words"  # ... and of the words that only soften a part ("maybe", "above all"): alone, no part
YES_NO_WORDS = "yes_no_words"  # ... and the words that say yes ("true") or no ("false") on their own
# A part of a yes or no answer is read by those words when it is at most this long ("comunque si";
# not "non si sa ancora", where "si" is no yes).
MAX_PLAIN_YES_NO_WORDS = 3
WORD_LISTS = (JOINING_WORDS, EXCEPTING_WORDS, DECLINING_WORDS, HEDGING_WORDS, YES_NO_WORDS)

Phrase = Tuple[str, str, str]  # question, value, text
# What SMEs say besides answering (questions about S3martMed, help, stop, ...): the first training
# examples of those intents. When the NLU took a message for one of them, the message is an
# answer only if it is nearer to the question's values than to all of these.
OFF_QUESTION = "off_question"
OFF_QUESTION_INTENTS = ("faq", "help", "bot_challenge", "out_of_scope", "change_language", "stop",
                        "delete_my_data", "greet", "goodbye", "thank", "request_human")
OFF_QUESTION_EXAMPLES_PER_INTENT = 12


@dataclass(frozen=True)
class Ranking:
    """The values of one question, nearest first, with the similarity of each one's nearest phrase."""

    scores: Tuple[Tuple[str, float], ...]

    @property
    def understood(self) -> str | None:
        """The nearest value, if it is near enough and clearly ahead of the next."""
        return self.ahead_by(MIN_MARGIN)

    def ahead_by(self, margin: float) -> str | None:
        if not self.scores:
            return None
        (best, score), runner_up = self.scores[0], (self.scores[1][1] if len(self.scores) > 1 else -1.0)
        if best == OFF_QUESTION:
            return None
        return best if score >= MIN_SIMILARITY and score - runner_up >= margin else None

    def ahead_of(self, value: str, other: str, margin: float) -> bool:
        """Whether `value` is understood and nearer than `other` by at least `margin`."""
        scores = dict(self.scores)
        return self.understood == value and scores[value] - scores.get(other, -1.0) >= margin

    def off_question_by(self, margin: float) -> bool:
        """Whether the things SMEs say besides answering are nearer than every value by `margin` ("danke, aber nein";
        "ok zgoda" is nearly as near to "ok, thanks" as to a yes, and is one)."""
        return len(self.scores) > 1 and self.scores[0][0] == OFF_QUESTION and \
            self.scores[0][1] - self.scores[1][1] >= margin

    @property
    def unmistakable(self) -> str | None:
        """The nearest value, if the answer is all but one of its phrases."""
        best = self.understood
        if best is None or len(self.scores) < 2:
            return best
        score, runner_up = self.scores[0][1], self.scores[1][1]
        return best if score >= UNMISTAKABLE_SIMILARITY and score - runner_up >= UNMISTAKABLE_MARGIN else None

    @property
    def plainly_off_question(self) -> bool:
        """Whether the answer is all but one of the things SMEs say besides answering ("I want a person")."""
        if len(self.scores) < 2 or self.scores[0][0] != OFF_QUESTION:
            return False
        return self.scores[0][1] >= UNMISTAKABLE_SIMILARITY and \
            self.scores[0][1] - self.scores[1][1] >= UNMISTAKABLE_MARGIN

    def nearest(self, count: int = 2) -> List[str]:
        """The nearest values of the question itself."""
        return [value for value, _ in self.scores if value != OFF_QUESTION][:count]


class AnswerMeanings:
    """The phrases of every question, embedded once."""

    def __init__(self, phrases: Sequence[Phrase], vectors: np.ndarray,
                 joining_words: Dict[str, List[str]] | None = None,
                 excepting_words: Dict[str, List[str]] | None = None,
                 declining_words: Dict[str, List[str]] | None = None,
                 hedging_words: Dict[str, List[str]] | None = None,
                 yes_no_words: Dict[str, Dict[str, List[str]]] | None = None):
        self._breaks = {language: _clause_break(words) for language, words in (joining_words or {}).items()}
        self._exceptions = {language: _word_break(words) for language, words in (excepting_words or {}).items()
                            if words}
        self._declines = {language: _declining(words) for language, words in (declining_words or {}).items() if words}
        self._refusal_words = {language: _word_break(words) for language, words in (declining_words or {}).items() if words}
        self._hedges = {language: re.compile(r"^(?:\s*(?:" + "|".join(map(re.escape, _as_typed(words))) + r")\b)+\s*$",
                                             re.IGNORECASE)
                        for language, words in (hedging_words or {}).items() if words}
        self._yes_no_words = {value: {language: _word_break(words) for language, words in by_language.items() if words}
                              for value, by_language in (yes_no_words or {}).items()}
        rows: Dict[str, List[int]] = {}
        for row, (question, _, _) in enumerate(phrases):
            rows.setdefault(question, []).append(row)
        self._questions = {question: ([phrases[row][1] for row in indices], vectors[indices])
                           for question, indices in rows.items()}
        # A phrase and its twin typed without diacritics count as one phrase of their value.
        self._twins = {question: [without_diacritics(phrases[row][2]).casefold() for row in indices]
                       for question, indices in rows.items()}
        self.size = len(phrases)
        no_value = [self._questions[name] for name in (OFF_QUESTION, UNCLEAR) if name in self._questions]
        self._classifiers = {question: _classifier(self._questions[question], no_value)
                             for question in CLASSIFIED_QUESTIONS if question in self._questions}

    def rank(self, question: str, text: str, off_question: bool = False) -> Ranking:
        """`off_question`: rank the things SMEs say besides answering too, as one more value."""
        values, vectors = self._questions[question]
        twins = self._twins[question]
        if off_question:
            off_values, off_vectors = self._questions[OFF_QUESTION]
            values, vectors = values + off_values, np.vstack([vectors, off_vectors])
            twins = twins + self._twins[OFF_QUESTION]
        similarities = vectors @ sentence_encoder.embed_one(text)
        nearest: Dict[str, Dict[str, float]] = {}
        for value, twin, similarity in zip(values, twins, similarities.tolist(), strict=True):
            of_value = nearest.setdefault(value, {})
            of_value[twin] = max(similarity, of_value.get(twin, -1.0))
        count = NEIGHBOURS.get(question, 1)
        scores = {value: sum(sorted(found.values(), reverse=True)[:count]) / min(count, len(found))
                  for value, found in nearest.items()}
        return Ranking(tuple(sorted(scores.items(), key=lambda item: -item[1])))

    def understand(self, question: str, text: str, off_question: bool = False) -> str | None:
        return self.rank(question, text, off_question).understood

    def classify(self, question: str, text: str) -> str | None:
        """The value the question's classifier gives the answer, when it is clearly the likeliest."""
        classifier = self._classifiers.get(question)
        if classifier is None:
            return None
        likelihoods = classifier.likelihoods(sentence_encoder.embed_one(text))
        second, first = np.argsort(likelihoods)[-2:]
        value = str(classifier.classes[first])
        return value if value != UNCLEAR and likelihoods[first] - likelihoods[second] >= CLASSIFIER_MARGIN else None

    def understand_first(self, question: str, text: str, language: str | None = None,
                         off_question: bool = False, unmistakable: bool = False) -> str | None:
        """The value the answer's first part clearly means, when there are several parts: a yes or no
        comes first and its conditions or reasons after it ("ok, as long as it stays with the cluster").
        A courtesy before it is no part of the answer ("thank you, but no").
        `unmistakable`: only a first part that is all but one of the value's phrases ("ok, aber keinen Newsletter")."""
        parts = self.parts(text, language)
        if len(parts) < 2 and not (unmistakable and self.excepted(text, language)):
            return None
        while len(parts) > 1 and self.rank(question, parts[0], off_question=True).off_question_by(PART_MIN_MARGIN):
            parts = parts[1:]
        excepted = self.excepted(parts[0], language)  # "oui mais seulement si ...": "oui"
        first = excepted[0] if excepted and any(character.isalpha() for character in excepted[0]) else parts[0]
        ranking = self.rank(question, first, off_question)
        return ranking.unmistakable if unmistakable else ranking.understood

    def plain_yes_or_no(self, text: str, language: str | None) -> str | None:
        """"true" or "false" when the first of the answer's short parts, or else the last, holds a word of one only
        ("mah ok dai ...", "Wenn die Daten nur dafür verwendet werden, dann ja"): the encoder reads short
        colloquial parts poorly ("ok dai" lies nearer to a no)."""
        patterns = {value: words[language] for value, words in self._yes_no_words.items() if language in words}
        refusal = self._refusal_words.get(language or "")
        parts = [part for part in self.parts(text, language) if len(part.split()) <= MAX_PLAIN_YES_NO_WORDS]
        for part in parts[:1] + parts[-1:]:
            said = [value for value, pattern in patterns.items() if pattern.search(part)]
            if said == ["true"] and refusal and refusal.search(part):
                continue  # "Nicht einverstanden", "pas d'accord"
            if len(said) == 1:
                return said[0]
        return None

    def unmistakable_in_parts(self, question: str, text: str, language: str | None = None,
                              off_question: bool = False) -> List[str]:
        """The values that parts of a longer answer mean beyond doubt, each part on its own."""
        parts = self.parts(text, language)
        found = [self.rank(question, part, off_question).unmistakable for part in parts] if len(parts) > 1 else []
        return [value for value in dict.fromkeys(found) if value]

    def excepted(self, text: str, language: str | None) -> Tuple[str, str] | None:
        """What comes before and after the first word that takes something out ("everything except
        financing" -> "everything", "financing"), in the conversation's language."""
        pattern = self._exceptions.get(language or "")
        parts = pattern.split(text, maxsplit=1) if pattern else [text]
        return (parts[0], parts[1]) if len(parts) == 2 else None

    def declined_parts(self, text: str, language: str | None) -> List[str]:
        """What the parts of the answer that turn something down turn down, the words of refusal left out:
        the parts that open with one ("no events pls" -> "events pls", "Finanzierung nicht") or hold a
        phrase of it ("we don't need money" -> "money"). Left in, they would make every refusal alike."""
        pattern = self._declines.get(language or "")
        if not pattern:
            return []
        refusal = self._refusal_words[language or ""]
        return [refusal.sub(" ", part).strip() for part in self.parts(text, language) if pattern.search(part)]

    def parts(self, text: str, language: str | None) -> List[str]:
        """The text split at punctuation and at the joining words of the conversation's language."""
        breaks = self._breaks.get(language or "") or _clause_break([])
        return [part for part in breaks.split(text) if part and any(c.isalpha() for c in part)]

    def understand_several(self, question: str, text: str, language: str | None = None,
                           off_question: bool = False, named: bool = False,
                           refusals_add_nothing: bool = False) -> List[str]:
        """Every value that the answer or one of its parts clearly means ("partners, and the webinars").
        `named`: its words named a value already, so a faint meaning of the whole adds none, and an
        answer of one part none at all ("un partner per industrializzare il prototipo" wants no lab).
        `refusals_add_nothing`: what the answer turns down is no value of it, nor is the whole then
        ("we don't need money, we want distributors"); not so where a refusal is an answer ("not sure")."""
        hedge = self._hedges.get(language or "")
        parts = [part for part in self.parts(text, language) if not (hedge and hedge.match(part))]  # "maybe", alone
        declines = self._declines.get(language or "") if refusals_add_nothing else None
        if declines and len(parts) > 1 and any(declines.search(part) for part in parts):
            candidates = [part for part in parts if not declines.search(part)]
        else:
            candidates = [text] + parts if len(parts) > 1 else [] if named else [text]
        found: List[str] = []
        for part in candidates:
            ranking = self.rank(question, part, off_question)
            value = ranking.understood if part is text and not named else ranking.ahead_by(PART_MIN_MARGIN)
            if value and value not in found:
                found.append(value)
        return found


@dataclass(frozen=True)
class _Classifier:
    """A fitted multinomial logistic regression, as the arrays that make its predictions."""

    classes: np.ndarray
    coefficients: np.ndarray
    intercepts: np.ndarray

    def likelihoods(self, vector: np.ndarray) -> np.ndarray:
        scores = self.coefficients @ vector + self.intercepts
        exponentials = np.exp(scores - scores.max())
        return exponentials / exponentials.sum()


def _classifier(question: Tuple[List[str], np.ndarray], no_value: List[Tuple[List[str], np.ndarray]]) -> _Classifier:
    """A logistic regression from a phrase's vector to its value, or to UNCLEAR for the `no_value` phrases.
    Fitting takes seconds at every start of the action server: the fitted arrays are kept in var/cache."""
    values, vectors = question
    labels = values + [UNCLEAR for texts, _ in no_value for _ in texts]
    inputs = np.vstack([vectors, *[v for _, v in no_value]])
    key = hashlib.sha256("\n".join([str(CLASSIFIER_C), *labels]).encode() + inputs.tobytes()).hexdigest()[:16]
    path = CACHE_DIR / f"answer-classifier-{key}.npz"
    if path.exists():
        with np.load(path) as stored:
            return _Classifier(stored["classes"], stored["coefficients"], stored["intercepts"])
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=CLASSIFIER_C, max_iter=2000).fit(inputs, labels)
    classifier = _Classifier(fitted.classes_.astype(str), fitted.coef_, fitted.intercept_)
    _store(path, classes=classifier.classes, coefficients=classifier.coefficients, intercepts=classifier.intercepts)
    return classifier


def _as_typed(words: Iterable[str]) -> List[str]:
    """The words, and those with diacritics also as typed without them ("oprocz" for "oprócz"), longest first."""
    return sorted({twin for word in words for twin in (word, without_diacritics(word))}, key=len, reverse=True)


def _word_break(words: Iterable[str]) -> re.Pattern:
    return re.compile(r"\s*(?:" + "|".join(r"\b" + re.escape(word) + r"\b" for word in _as_typed(words)) + r")\s*",
                      re.IGNORECASE)


def _declining(words: Iterable[str]) -> re.Pattern:
    """A single word declines when it is one of the part's first words ("no events", "Finanzierung
    nicht", "gli eventi non fanno per noi"); a phrase of several words, anywhere in it."""
    single = [re.escape(word) for word in _as_typed(words) if " " not in word.strip()]
    phrases = [re.escape(word) for word in _as_typed(words) if " " in word.strip()]
    leading = rf"^\s*(?:[^\W\d_]+\s+){{0,{DECLINING_WITHIN}}}"  # up to that many words before it
    alternatives = ([leading + r"(?:" + "|".join(single) + r")\b"] if single else []) + \
        ([r"\b(?:" + "|".join(phrases) + r")\b"] if phrases else [])
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _clause_break(words: Iterable[str]) -> re.Pattern:
    """Punctuation and the joining words, except after a hyphen that shares the next word's end
    ("Pflege- und Klinikbetten", "MRT- und CT-Aufnahmen": one thing, not two)."""
    alternatives = [r"[,;+/.!?]", r"(?<![A-Z])&|&(?![A-Z])", r"\s[-–—]\s"] + \
        [r"(?<!-\s)\b" + re.escape(word) + r"\b" for word in _as_typed(words)]
    return re.compile(r"\s*(?:" + "|".join(alternatives) + r")\s*", re.IGNORECASE)


def load_phrases(events: Iterable[Event], path: Path = MEANINGS_FILE) -> Tuple[Phrase, ...]:
    """Every phrase of all five languages, the events' own included, and each phrase with diacritics
    also as SMEs type it without them: the encoder places "moze byc" nearer to a no than "może być"."""
    written = [(question, str(value), str(text))
               for question, values in _read(path, path.stat().st_mtime_ns).items() if question not in WORD_LISTS
               for value, texts in values.items()
               for language in LANGUAGES for text in texts.get(language) or []]
    phrases = [twin for question, value, text in written
               for twin in dict.fromkeys([(question, value, text), (question, value, without_diacritics(text))])]
    phrases += [("event_id", event.id, text) for event in events for text in event_phrases(event)]
    phrases += [(OFF_QUESTION, OFF_QUESTION, text) for text in off_question_examples()]
    return tuple(phrases)


@lru_cache(maxsize=1)
def off_question_examples(root: Path = PROJECT_ROOT / "nlu_data") -> Tuple[str, ...]:
    """The first training examples of each intent that the form leaves to the rules, in every language."""
    examples: List[str] = []
    for path in sorted(root.glob("*/*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            intent = str(block.get("intent") or "")
            if intent.split("/")[0] in OFF_QUESTION_INTENTS:
                lines = [line.strip()[2:] for line in (block.get("examples") or "").splitlines()
                         if line.strip().startswith("- ")]
                examples += [_plain(line) for line in lines[:OFF_QUESTION_EXAMPLES_PER_INTENT]]
    return tuple(examples)


def _plain(example: str) -> str:
    """A training example without its entity markup: "[Deutsch](language)" -> "Deutsch"."""
    return re.sub(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})", r"\1", example)


@lru_cache(maxsize=2)
def _read(path: Path, modified_ns: int) -> Dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def event_phrases(event: Event) -> Iterable[str]:
    """An event as SMEs name it: its title, its date in any of the five languages, a keyword, or
    its organiser ("the one by Medsilesia")."""
    from babel.dates import format_date

    from bot.leads.clusters import load_clusters

    yield from event.keywords
    clusters = load_clusters()
    if event.cluster in clusters:
        yield clusters[event.cluster].name.replace("-", " ")  # "GAPR-Medsilesia": "Medsilesia" too
    for language in LANGUAGES:
        yield event.title_in(language)
        yield format_date(event.date, format="long", locale=language)
        yield format_date(event.date, format="LLLL", locale=language)  # the month on its own


def answer_meanings() -> AnswerMeanings:
    """The phrases for today's upcoming events (both files are re-read when they change)."""
    return _embedded(load_phrases(upcoming_events()), MEANINGS_FILE.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _embedded(phrases: Tuple[Phrase, ...], modified_ns: int) -> AnswerMeanings:
    lists = _read(MEANINGS_FILE, modified_ns)
    return AnswerMeanings(phrases, _cached_vectors([text for _, _, text in phrases]),
                          lists.get(JOINING_WORDS) or {}, lists.get(EXCEPTING_WORDS) or {},
                          lists.get(DECLINING_WORDS) or {}, lists.get(HEDGING_WORDS) or {},
                          lists.get(YES_NO_WORDS) or {})


def _cached_vectors(texts: List[str]) -> np.ndarray:
    """The phrases' vectors, from var/cache when the same phrases were embedded before (seconds saved at start)."""
    key = hashlib.sha256("\n".join([sentence_encoder.model_version(), *texts]).encode()).hexdigest()[:16]
    path = CACHE_DIR / f"answer-meanings-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = sentence_encoder.embed(texts)
    _store(path, vectors)
    return vectors


def _store(path: Path, array: np.ndarray | None = None, **arrays: np.ndarray) -> None:
    """Write one array (.npy) or several (.npz) under `path`, whole or not at all: processes may start together."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial{path.suffix}")
    with open(partial, "wb") as file:
        if array is not None:
            np.save(file, array)
        else:
            np.savez(file, **arrays)
    partial.replace(path)


def main() -> None:
    """Embed every phrase into var/cache before the action server starts (`make train`, `make run`):
    on a new machine or after the phrases changed this takes a minute on one core, which the first
    SME to answer a form question would otherwise wait, and a chat client would give up."""
    import time

    started = time.monotonic()
    meanings = answer_meanings()
    print(f"Answer meanings ready: {meanings.size} phrases in {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
