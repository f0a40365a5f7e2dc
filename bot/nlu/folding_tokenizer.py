"""Whitespace tokens whose lemma is the word without diacritics.

SMEs often type without diacritics ("czlowiek", "societe", "Gruesse"), while the writers
of the training data mostly did not. Rasa's CountVectorsFeaturizers count a token's lemma
(their `use_lemma` default), so giving every token its folded form as lemma lets "człowiek"
and "czlowiek" share their word and character n-gram features, while the token's text,
which entity extraction and the RegexFeaturizer read, stays as written.
"""

from __future__ import annotations

import unicodedata
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans({"ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d"})


def fold(word: str) -> str:
    """Lower case, without diacritics: "Człowiek" -> "czlowiek", "Grüße" -> "grusse"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class FoldingWhitespaceTokenizer(WhitespaceTokenizer):
    """Rasa's WhitespaceTokenizer, with each token's folded form as its lemma."""

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Tokens as WhitespaceTokenizer splits them, lemmas folded (see module doc)."""
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = fold(token.text)
        return tokens
