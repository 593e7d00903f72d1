"""A Unicode-aware tokenizer for rouge-score.

rouge-score's default tokenizer keeps only `[a-z0-9]`, so Cyrillic, Greek or CJK text has no
tokens and every score is 0. This tokenizer gives the same tokens as the default on ASCII text
(lower-cased, Porter-stemmed when longer than 3 characters), keeps letters and digits of every
script, and splits CJK/Thai runs into characters because those scripts do not separate words
with spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nltk.stem import porter
from rouge_score.tokenizers import Tokenizer

# Letters and digits of any script (`\w` minus the underscore), or one ideograph/kana/Thai char.
_CHAR_SCRIPTS = r"\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CHAR_SCRIPTS}]|(?:(?![{_CHAR_SCRIPTS}])[^\W_])+")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")


class UnicodeTokenizer(Tokenizer):
    """Tokenizer object for `rouge_scorer.RougeScorer(tokenizer=...)`."""

    def __init__(self, use_stemmer: bool = True) -> None:
        self._stemmer = porter.PorterStemmer() if use_stemmer else None

    def tokenize(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).casefold()
        tokens = _TOKEN.findall(text)
        if self._stemmer is None:
            return tokens
        stem = self._stemmer.stem
        return [stem(token) if len(token) > 3 and _ASCII_WORD.match(token) else token for token in tokens]


@lru_cache(maxsize=2)
def shared_tokenizer(use_stemmer: bool = True) -> UnicodeTokenizer:
    """One tokenizer per stemming choice; building a Porter stemmer per call is wasteful."""
    return UnicodeTokenizer(use_stemmer=use_stemmer)


def tokenize(text: str, *, stem: bool = True) -> list[str]:
    """Tokens of `text` as ROUGE sees them (used for token-level similarity too)."""
    return shared_tokenizer(stem).tokenize(text)
