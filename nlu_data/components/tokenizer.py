"""Jieba tokenizer for mixed Mandarin / English shop-floor speech.

The stock `JiebaTokenizer` keeps " " tokens and glues digits and Latin letters to each
other ("1.5kg", "AGV-01"), which hurts English and amounts.  This component:

* loads the generated Jieba user dictionary (`dictionary_path`, a directory of *.txt files,
  written by `assistant.nlu.build`; persisted into the model so `rasa run` needs no copy),
* drops whitespace tokens,
* cuts with HMM off (unknown names become single characters, never glued to a neighbour),
* splits every Jieba token into runs of digits (with `.`, `/`, `:`, `-` between digit
  groups: "1.5", "2025/1/22", "26.4.6"), Latin letters, CJK, and single punctuation marks,
  so "5件" -> "5" "件", "1.5kg" -> "1.5" "kg", "M8螺栓" -> "M" "8" "螺栓";
* glues numbers Jieba cut at their separators back together ("2.5", "2025/1/22").
"""

# Rasa compares the typing.List / Dict / Optional annotations of graph components: keep them.
# ruff: noqa: UP006, UP019, UP035, UP045
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

_PIECES = re.compile(
    r"\d+(?:[./:\-]\d+)*"          # numbers, decimals, dates written with digits
    r"|[A-Za-z]+(?:['’][A-Za-z]+)?"  # Latin words (keeps "don't")
    r"|[^\W\dA-Za-z_]+"             # CJK runs as Jieba cut them
    r"|[^\w\s]"                     # punctuation, one mark per token ("；", ",", "-")
)


_NUMBER = re.compile(r"\d+(?:[./:\-]\d+)+")


def split_token(word: str, start: int) -> List[Token]:
    """Split one Jieba token into digit / Latin / other runs; whitespace disappears."""
    return [Token(m.group(), start + m.start()) for m in _PIECES.finditer(word)]


def merge_numbers(text: str, tokens: List[Token]) -> List[Token]:
    """Jieba cuts "2.5" / "2025/1/22" at the separators; glue every number back into one token."""
    spans = [(m.start(), m.end()) for m in _NUMBER.finditer(text)]
    if not spans:
        return tokens
    merged: List[Token] = []
    for token in tokens:
        span = next((s for s in spans if s[0] <= token.start and token.end <= s[1]), None)
        prev = merged[-1] if merged else None
        if span and prev is not None and span[0] <= prev.start and prev.end == token.start:
            merged[-1] = Token(text[prev.start:token.end], prev.start)
        else:
            merged.append(token)
    return merged


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class FrontlineTokenizer(JiebaTokenizer):
    """Jieba with the world's user dictionary, no whitespace tokens, digit/Latin/CJK runs split."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        config = JiebaTokenizer.get_default_config()
        config["dictionary_path"] = None
        return config

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["zh", "en"]

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        import jieba

        text = message.get(attribute)
        tokens: List[Token] = []
        # HMM off: a name Jieba does not know is cut into characters instead of being glued to its
        # neighbours ("孙七买" stays "孙" "七" "买"), so entity spans always fall on token boundaries.
        for word, start, _end in jieba.tokenize(text, HMM=False):
            tokens.extend(split_token(word, start))
        tokens = merge_numbers(text, tokens)
        if not tokens:  # an all-whitespace message still needs one token
            tokens = [Token(text, 0)] if text else []
        return self._apply_token_pattern(tokens)
