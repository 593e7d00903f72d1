"""Capitals back for text that arrives all in lower case, so actors can be found in it.

Actor extraction reads runs of capitalized words; in all-lower-case text (a pasted transcript, a
forum post, a lower-cased dataset) it finds none. This pass restores capitals on the words that
name someone, from what the engine already knows, without a model:

* a known given name followed by one or two surname-like words ("teresa ocampo") is a person, and
  later bare uses of the surname are capitalized too;
* a title right before such a name ("prime minister ...") is part of it;
* countries, demonyms, capitals and known institutions are capitalized (an acronym such as "nato"
  becomes "NATO");
* a run of up to four content words ending in an organization word ("national labor relations
  board", "ministry of transport") is an organization.

Only letters change case, so every offset stays valid: the recased sentences are used to find
actors, while quotes still come from the article's own text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import tiktoken

from briefing.engines.offline.sentences import Sentence
from briefing.engines.offline.sentences import is_lower_case as is_lower_case  # defined with the splitter
from briefing.engines.offline.stopwords import ENGLISH_STOP_WORDS
from briefing.engines.offline.tables import (
    CAPITALS,
    HONORIFICS,
    INSTITUTIONS,
    MONTHS,
    ORG_WORDS,
    ROLE_NOUNS,
    TITLES,
    country_names,
    given_names,
)
from briefing.tokens import FALLBACK_ENCODING


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
# Given names that are also everyday English words: a name only when a surname follows.
_EVERYDAY = _word_set(
    """
    will may mark rose grant bill hope faith joy summer june april august art guy ray dean long
    young king page said new chief general major miles jack frank rich sky star sunny lane wood
    hunter chase drew pat sue rob nick gene sol dawn eve ivy iris lily ruby jade amber crystal pearl
    river storm stone north west price cash don van de la le al del da di du von der den ter bo
    man can job chance sonny lucky honey angel baby buddy golden royal noble earl duke prince
    major carter baker cook fisher porter miller mason marshall sterling justice unity liberty
    """
)
# Words that follow a name but are not a surname: reporting and action verbs, and common words.
_NOT_SURNAME = _word_set(
    """
    said says told added asked argued warned wrote noted called urged announced confirmed denied
    rejected accused insisted stated explained replied responded agreed declined refused promised
    pledged vowed claimed suggested admitted acknowledged believes believed thinks thought wants
    wanted hopes hoped plans planned expects expected will would could should might must can did
    does has had have is was are were be been being who whose which that this these those
    also later earlier then now today yesterday tomorrow again still already just only even
    spokesperson spokesman spokeswoman director chair chairman chairwoman head leader president
    minister secretary mayor governor senator member chief executive officer founder
    """
)
_HONORIFICS = frozenset(word.lower().rstrip(".") for word in HONORIFICS) | {"prof"}
_AMBIGUOUS_PLACES = frozenset({"us", "un", "in", "chad", "jordan", "georgia", "turkey", "guinea"})
_VERB_ENDINGS = ("ed", "ing")
_ADJECTIVE_ENDINGS = ("est", "ed", "ing", "ful")
_ORG_LINKS = frozenset({"of", "for", "and", "on"})
_MAX_ORG_WORDS = 4
# The organization words that head a name even in lower case ("national labor relations board");
# the others are as often common nouns there ("fined the power company", "clean water", "steel").
_BODY_HEADS = _word_set(
    """
    administration agency alliance assembly association authority board bureau caucus coalition
    commission committee congress council court department directorate federation foundation
    institute institution league ministry movement ombudsman organisation organization parliament
    party secretariat senate society syndicate tribunal union university college
    """
)


class Recaser:
    """Restores capitals on names in all-lower-case sentences (see the module docstring)."""

    def __init__(self) -> None:
        self._given = given_names()
        places = set(country_names())
        places |= {name.lower() for name in CAPITALS}
        self._places = {name for name in places if name not in _AMBIGUOUS_PLACES and len(name) > 2}
        self._institutions = {
            alias: canonical
            for alias, canonical in INSTITUTIONS.items()
            if alias not in _AMBIGUOUS_PLACES and len(alias) > 2
        }
        self._org_words = {word.lower().rstrip(".") for word in ORG_WORDS}
        self._titles = sorted({title.lower() for title in TITLES} | set(ROLE_NOUNS), key=len, reverse=True)
        self._months = {month.lower() for month in MONTHS}
        self._phrases = _phrase_pattern([*self._places, *self._institutions])
        self._encoding = tiktoken.get_encoding(FALLBACK_ENCODING)
        self._common: dict[str, bool] = {}

    def recase(self, sentences: Sequence[Sentence]) -> list[Sentence]:
        """The same sentences with names capitalized; offsets and lengths are unchanged."""
        texts = [list(sentence.text) for sentence in sentences]
        surnames: set[str] = set()
        for chars, sentence in zip(texts, sentences, strict=True):
            words = list(_WORD.finditer(sentence.text))
            self._people(sentence.text, words, chars, surnames)
            self._organizations(sentence.text, words, chars)
            for match in self._phrases.finditer(sentence.text):
                canonical = self._institutions.get(match.group())
                upper = canonical is not None and canonical.isupper()
                _capitalize(chars, match.start(), match.end(), upper=upper)
        if surnames:
            for chars, sentence in zip(texts, sentences, strict=True):
                for match in _WORD.finditer(sentence.text):
                    if match.group().split("'")[0].split("’")[0] in surnames:
                        _capitalize(chars, match.start(), match.end())
        for chars, sentence in zip(texts, sentences, strict=True):
            for match in _WORD.finditer(sentence.text):
                if match.group() in self._months:
                    _capitalize(chars, match.start(), match.end())
        return [
            replace(sentence, text="".join(chars)) for chars, sentence in zip(texts, sentences, strict=True)
        ]

    def _people(self, text: str, words: list[re.Match[str]], chars: list[str], surnames: set[str]) -> None:
        index = 0
        while index < len(words):
            first = words[index].group()
            honorific = first.rstrip(".") in _HONORIFICS
            if not honorific and (
                first not in self._given
                or first in ENGLISH_STOP_WORDS
                or first in _NOT_SURNAME
                or len(first) < 3
            ):
                index += 1
                continue
            end = index + 1
            while end < len(words) and end - index <= 2 and _joined(text, words[end - 1], words[end]):
                word = words[end].group()
                if not self._surname_like(word):
                    break
                if self._is_common(word) and (end - index == 2 or word.endswith(_VERB_ENDINGS)):
                    break  # "fiona marsh stepped down", "victoria prepared"
                end += 1
            names = [word.group() for word in words[index + 1 : end]]
            if honorific:
                names = [word for word in names if word not in self._given or word != names[0]] or names
            common = all(self._is_common(word) for word in [first, *names]) and not honorific
            if not names or common or (first in _EVERYDAY and len(names) < 2):
                index += 1
                continue
            for word in names:
                surnames.add(word.split("'")[0].split("’")[0])
            _capitalize(chars, words[index].start(), words[end - 1].end())
            self._title_before(text, words[index].start(), chars)
            index = end

    def _is_common(self, word: str) -> bool:
        """An everyday word: one token of the bundled tokenizer's vocabulary, with its leading space
        (true of "tell", "grant", "fair"; false of "teresa", "ocampo", "giancarlo")."""
        known = self._common.get(word)
        if known is None:
            known = self._common[word] = len(self._encoding.encode(" " + word)) == 1
        return known

    def _surname_like(self, word: str) -> bool:
        base = word.split("'")[0].split("’")[0]
        return (
            len(base) > 1
            and base not in ENGLISH_STOP_WORDS
            and base not in _NOT_SURNAME
            and base not in self._months
            and base not in self._org_words
            and not base.endswith("ly")
        )

    def _title_before(self, text: str, start: int, chars: list[str]) -> None:
        before = text[:start].rstrip()
        if len(before) != start - 1:
            return  # not one space before the name
        for title in self._titles:
            if not before.endswith(title):
                continue
            if len(before) == len(title) or not before[-len(title) - 1].isalpha():
                _capitalize(chars, len(before) - len(title), len(before))
                return

    def _organizations(self, text: str, words: list[re.Match[str]], chars: list[str]) -> None:
        for index, match in enumerate(words):
            if match.group().rstrip(".") not in _BODY_HEADS:
                continue
            start = index
            while (
                start > 0
                and index - start < _MAX_ORG_WORDS
                and _joined(text, words[start - 1], words[start])
                and _content(words[start - 1].group())
            ):
                start -= 1
            end = index + 1
            if (
                end + 1 < len(words)
                and words[end].group() in _ORG_LINKS
                and _joined(text, words[end - 1], words[end])
                and _joined(text, words[end], words[end + 1])
                and _content(words[end + 1].group())
            ):
                end += 2
                while (
                    end < len(words)
                    and end - index < _MAX_ORG_WORDS + 2
                    and _joined(text, words[end - 1], words[end])
                    and _content(words[end].group())
                ):
                    end += 1
            while start < index and words[start].group().endswith(_ADJECTIVE_ENDINGS):
                start += 1  # "the largest union", "the troubled club": a description, not a name
            if end - start < 2:
                continue  # "the union" alone is a common reference, resolved elsewhere
            for word in words[start:end]:
                if word.group() not in _ORG_LINKS:
                    _capitalize(chars, word.start(), word.end())


def _content(word: str) -> bool:
    base = word.split("'")[0].split("’")[0]
    return base not in ENGLISH_STOP_WORDS and base not in _NOT_SURNAME and not base.endswith("ly")


def _joined(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Two words separated by one space only (no comma or full stop between them)."""
    return text[left.end() : right.start()] == " "


def _capitalize(chars: list[str], start: int, end: int, *, upper: bool = False) -> None:
    at_word_start = True
    for position in range(start, end):
        char = chars[position]
        if char.isalpha():
            if upper or at_word_start:
                chars[position] = char.upper() if len(char.upper()) == 1 else char
            at_word_start = False
        else:
            at_word_start = char in " -"


def _phrase_pattern(phrases: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted({phrase for phrase in phrases if phrase}, key=len, reverse=True)
    return re.compile(r"(?<![\w'’])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w'’])")
