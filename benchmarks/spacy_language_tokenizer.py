"""Tokens and lemmas by spaCy's rules for the language each message is written in.

Rasa's own SpacyTokenizer takes one spaCy pipeline per model; a model for five languages
needs the tokenizer rules and lemma table of each message's language. The language is
langid's best guess among the five (the tokenizer runs before the LanguageDetector, and a
wrong guess on a short message only costs a lemma). The pipelines are spaCy's blank ones
with the lookup lemmatizer of `spacy-lookups-data`, both installed packages: nothing is
downloaded. Polish has no plain lookup table there (only tables per part of speech, which
need a tagger), so Polish messages get spaCy's tokens without lemmas.

Punctuation and emoji are dropped, as Rasa's WhitespaceTokenizer drops them.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.definitions import LANGUAGES


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyLanguageTokenizer(Tokenizer):
    """Splits each message with the spaCy tokenizer of its language and adds lookup lemmas."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Rasa's tokenizer options, as its WhitespaceTokenizer sets them.
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "languages": list(LANGUAGES),
            # Languages whose spaCy lookup table is loaded (a few seconds and ~40 MB each).
            "lemmatize": ["en", "de", "fr", "it"],
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["spacy", "spacy_lookups_data", "langid"]

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SpacyLanguageTokenizer:
        return cls(config)

    @cached_property
    def _identifier(self) -> Any:
        from langid.langid import LanguageIdentifier, model

        identifier = LanguageIdentifier.from_modelstring(model, norm_probs=False)
        identifier.set_languages(self._config["languages"])
        return identifier

    @cached_property
    def _pipelines(self) -> Dict[str, Any]:
        import spacy

        pipelines = {}
        for language in self._config["languages"]:
            nlp = spacy.blank(language)
            if language in self._config["lemmatize"]:
                nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
                nlp.initialize()
            pipelines[language] = nlp
        return pipelines

    def language_of(self, text: str) -> str:
        return self._identifier.classify(text)[0]

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute) or ""
        doc = self._pipelines[self.language_of(text)](text)
        tokens = [Token(token.text, token.idx, lemma=_lemma(token))
                  for token in doc if not (token.is_punct or token.is_space or _is_emoji(token.text))]
        if not tokens:  # ":)" or "?": one token, as Rasa's WhitespaceTokenizer keeps it
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)


def _lemma(token: Any) -> str | None:
    """spaCy's lookup lemma, or None (Rasa's featurizers then use the text) when there is none."""
    lemma = token.lemma_
    return lemma if lemma and lemma != token.text else None


def _is_emoji(text: str) -> bool:
    return _emoji_pattern().fullmatch(text) is not None


@cache
def _emoji_pattern() -> Any:
    import rasa.utils.io

    return rasa.utils.io.get_emoji_regex()
