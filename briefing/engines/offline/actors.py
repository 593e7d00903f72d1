"""Actors: the people, organizations, countries and institutions that act in the story.

Candidates are runs of capitalized words in each sentence. A run is cut at words that never name
anyone (months, days, "The", outlets), loses a sentence-initial common noun ("Chipmaker Veltrix
Semiconductor" → "Veltrix Semiconductor", role "chipmaker") and its dateline, and is then read:

* a title inside the run gives the role ("Secretary of State Marco Rubio", "Ukrainian President ...");
  a lowercase role before it ("Kremlin spokesperson Dmitry Peskov"), a role set off by commas before
  it ("The union's general secretary, Tomas Ekberg,") or an apposition after it ("Peskov, the
  Kremlin's spokesman,") does too;
* its type comes from the tables: known institution, country or demonym ("Russian forces" →
  Russia), capital acting as its country ("Moscow rejected ..."), organization word ("... Council"),
  else a person when it starts with a known given name or has a role.

Mentions are merged (surname-only and possessive mentions, "the union" for the one union named,
acronyms in brackets, org short forms, spelling variants via rapidfuzz), places ("near Dresden")
are dropped, and actors are ranked by salience: mentions, an early first mention, being the subject
of a reporting or action verb, and having a role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from briefing.engines.offline.sentences import Sentence
from briefing.engines.offline.tables import (
    CAPITALS,
    DEMONYMS,
    HONORIFICS,
    INSTITUTION_HEADS,
    INSTITUTIONS,
    NON_ACTORS,
    ORG_WORDS,
    OUTLETS,
    ROLE_NOUNS,
    STATE_NOUNS,
    THING_WORDS,
    TITLES,
    country_names,
    given_names,
    region_names,
)
from briefing.engines.offline.trim import match_dateline

MAX_ACTORS = 8
MIN_SCORE = 2.0
# Countries are often only the setting ("a Romanian court"); they must act to count.
MIN_COUNTRY_SCORE = 4.0
# People and named roles are nearly always actors (on the eval gold set, 80% of extracted people are
# gold actors, against ~45% of countries and institutions).
ROLE_BONUS = 1.0
KIND_BONUS = {"person": 0.5}
MAX_ROLE_WORDS = 10
# Commentators (an analyst, a professor) named once or twice give colour; they are not actors.
COMMENTATOR_MENTIONS = 2
COMMENTATOR_PENALTY = 3.0
_COMMENTATOR = re.compile(
    r"\b(?:analyst|professor|economist|researcher|lecturer|strategist|academic|expert|commentator|"
    r"historian|political scientist)s?\b",
    re.IGNORECASE,
)

_TOKEN = re.compile(r"\w[\w'’&.\-]*")
_CONNECTORS = frozenset(
    {
        "of",
        "for",
        "the",
        "de",
        "du",
        "la",
        "le",
        "von",
        "van",
        "der",
        "den",
        "al",
        "bin",
        "da",
        "dos",
        "del",
        "y",
    }
)
_ROLE_MODIFIERS = frozenset(
    [
        "foreign",
        "finance",
        "prime",
        "deputy",
        "chief",
        "senior",
        "former",
        "vice",
        "general",
        "press",
        "union",
        "company",
        "police",
        "fire",
        "state",
        "city",
        "defence",
        "defense",
        "health",
        "economy",
        "trade",
        "top",
        "lead",
        "acting",
        "interim",
        "regional",
        "local",
        "federal",
        "national",
        "party",
        "campaign",
        "communications",
        "executive",
        "managing",
        "assistant",
        "associate",
        "junior",
        "interior",
        "education",
        "transport",
        "environment",
        "labour",
        "labor",
        "agriculture",
        "energy",
        "justice",
        "county",
        "district",
        "council",
        "agency",
        "group",
    ]
)
_COMMON_SUFFIXES = (
    "maker",
    "makers",
    "tion",
    "tions",
    "sion",
    "ment",
    "ments",
    "ness",
    "ity",
    "ists",
    "ance",
    "ence",
    "ship",
    "ers",
    "ing",
    "ies",
    "ors",
    "ives",
    "ants",
    "ents",
    "ism",
)
_VERBS = (
    r"said|says|told|announced|accused|accuses|denied|denies|rejected|rejects|warned|warns|signed|ordered|"
    r"approved|voted|filed|sued|launched|agreed|agrees|called|urged|criticized|criticised|insisted|added|wrote|"
    r"stated|confirmed|plans|planned|will|would|proposed|proposes|argued|argues|acknowledged|declined|refused|"
    r"pledged|vowed|promised|threatened|demanded|dismissed|blamed|responded|noted|estimated|reported|asked|"
    r"appealed|released|opposed|opposes|disputed|disputes|welcomed|condemned|requested|intends|expects|"
    r"wants|hopes|seeks|sought|offered|struck|reached|won|lost|submitted|suspended|halted|postponed|ruled|"
    r"has|have|had|is|was|must|can|could|may|might|should|ordered|committed|managed|manages|represents"
)
_HEAD_NOUNS = (
    r"union|group|company|party|government|agency|council|firm|bank|court|ministry|committee|alliance"
)
_SUBJECT_AFTER = re.compile(
    rf"^\s*(?:(?:{_HEAD_NOUNS})\b\s*)?(?:,[^,]{{0,90}},\s*)?"
    rf"(?:also |later |again |on \w+ |not |already |still )?(?:{_VERBS})\b"
)
_REPORTED_BEFORE = re.compile(
    r"[,\"”]\s*(?:said|says|told|added|wrote|argued|warned|asked)\s+$|according to\s+$|\b(?:ed|en) by\s+$"
)
_REPORTED_BEFORE_ENDS = ("said", "says", "told", "added", "wrote", "argued", "warned", "asked", "to", "by")
# News outlets: a name ending in one of these words that only reports ("told the Valdan Times",
# "reviewed by The Harbourline Financial Review", "the Courier reported") is a source, not an actor.
_OUTLET_WORDS = frozenset(
    [
        "Times",
        "Post",
        "Journal",
        "Herald",
        "Tribune",
        "Gazette",
        "Courier",
        "Chronicle",
        "Telegraph",
        "Guardian",
        "Review",
        "News",
        "Wire",
        "Agency",
        "Press",
        "Television",
        "TV",
        "Radio",
        "Magazine",
        "Daily",
        "Observer",
        "Independent",
        "Standard",
        "Mirror",
        "Express",
        "Today",
        "Bulletin",
        "Dispatch",
        "Inquirer",
        "Examiner",
        "Monitor",
        "Reporter",
        "Week",
        "Weekly",
    ]
)
_REPORTING_CONTEXT_BEFORE = re.compile(
    r"\b(?:told|to|by|with|in|according to|interview with|quoted by|reported by|reviewed by|seen by|"
    r"obtained by|wrote in|writing in|speaking to|talking to|telling)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_REPORTING_AFTER = re.compile(r"^['’]?s?\s*(?:reported|said|reports|says|wrote|first reported|revealed)\b")
# A collective actor: a supranational adjective and a group noun ("European leaders", "Arab states").
_COLLECTIVE_WORDS = (
    "European",
    "Western",
    "Arab",
    "African",
    "Nordic",
    "Baltic",
    "Gulf",
    "Asian",
    "Latin American",
    "Balkan",
    "Pacific",
    "EU",
    "G7",
    "NATO",
    "Allied",
)
_COLLECTIVE = re.compile(
    r"\b(?:"
    + "|".join(_COLLECTIVE_WORDS)
    + r")\s+(?:leaders|allies|governments|countries|states|nations|capitals|diplomats|ministers)\b"
)
# A body named by its common noun: "the (disciplinary) tribunal", "Millbrook town council".
BODY_MENTIONS = 2
BODY_WEIGHT = 1.0
_BODY_HEADS = ("council", "tribunal", "agency", "commission", "committee", "inquiry")
_FOREIGN_ARTICLES = frozenset({"le", "la", "les", "el", "los", "las", "il", "der", "die", "das", "het", "de"})
_BODY = re.compile(
    r"(?:\b[Tt]he |\b(?P<place>[A-Z][\w’'-]+)(?:['’]s)? )"
    r"(?P<name>(?:(?!(?:the|a|an|its|their|this|that|of|and|to|in|on)\b)[a-z]+ ){0,2}?"
    r"(?P<head>" + "|".join(_BODY_HEADS) + r"))\b"
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|near|at|around|outside|from|across|along|to|into|inside|of)\s+(?:the\s+)?$"
)
_LOCATIVE_BEFORE_ENDS = (
    *("in", "near", "at", "around", "outside", "from", "across", "along", "to", "into", "inside", "of"),
    "the",
)
_IN_A_PLACE = re.compile(r"\b(?:in|near|at|around|outside|across|along|into|inside)\s+(?:the\s+)?$")
_ACRONYM_AFTER = re.compile(r"^\s*\(([A-Z][A-Za-z.&]{1,9})\)")
_APPOSITION = re.compile(
    r"^,\s+(?:(?:the|a|an|its|his|her|their)\s+)?([^,.;()\"“”]{3,70}?)(?=,|\.|;|\s+(?:said|who|that|which)\b)"
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_OPENER_CHARS = " \"“‘'(—–-"
_POSSESSIVE_GAPS = frozenset({"' ", "’ "})
_TITLE_WORDS: tuple[tuple[str, ...], ...] = tuple(
    sorted((tuple(title.split()) for title in TITLES), key=len, reverse=True)
)
_ROLE_THEN_COMMA = re.compile(
    r"(?:^|\b(?:the|its|their|his|her|a|an)\s+)((?:[\w'’\-]+\s+){0,3}?(?:"
    + "|".join(sorted(ROLE_NOUNS, key=len, reverse=True))
    + r")),\s+$",
    re.IGNORECASE,
)
_KEEP_LOWER = _CONNECTORS | ROLE_NOUNS | _ROLE_MODIFIERS
# The same words as written, bare or possessive ("union's"): one set test per lowercase word.
_KEEP_LOWER_FORMS = frozenset(_KEEP_LOWER | {word + mark + "s" for word in _KEEP_LOWER for mark in "'’"})
_PORTFOLIO_LINKS = frozenset({"of", "for"})
_PORTFOLIO_TAIL = re.compile(r"(?:\s+(?:and|&)\s+[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3})?,")
# the second half of a portfolio ("… Minister of Trade and Industry,"): part of the role, not an actor
_PORTFOLIO_HEAD = re.compile(
    r"(?:"
    + "|".join(re.escape(" ".join(title)) for title in _TITLE_WORDS if title[-1][-1] != ".")
    + r")\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3}\s+(?:and|&)\s+$"
)
# "South Africa's Minister of Trade and Industry, Nomvula Dlamini-Sithole": a title with its portfolio,
# set off before the name it belongs to.
_PORTFOLIO_THEN_COMMA = re.compile(
    r"((?:[A-Z][\w'’\-]*\s+){0,3}?(?:"
    + "|".join(re.escape(" ".join(title)) for title in _TITLE_WORDS if title[-1][-1] != ".")
    + r")\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’\-]*"
    + r"(?:\s+(?:(?:and|&|of|for|the)\s+)?[A-Z][\w'’\-]*){0,5}),\s+$"
)
_TITLES_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(title for title in _TITLE_WORDS if title[0] == first)
    for first in {t[0] for t in _TITLE_WORDS}
}
_ABBREVIATED = frozenset(title for title in TITLES if title.endswith(".")) | {"Jr.", "Sr.", "St."}
_INITIALISM = re.compile(r"(?:[A-Z]\.)+[A-Z]?\.?")


@dataclass(slots=True)
class _Token:
    text: str  # possessive and trailing period stripped
    start: int
    end: int
    capitalized: bool


@dataclass(slots=True)
class _Mention:
    surface: str
    kind: str  # person | org | country | institution | single | ref
    key: str
    sentence: int
    weight: float = 1.0
    role: str | None = None
    subject: bool = False
    initial: bool = False
    place: bool = False
    written: str | None = None  # the form in the text, when `surface` is a canonical name


@dataclass
class ActorInfo:
    """A merged, ranked actor with the sentences that mention it."""

    name: str
    kind: str
    role: str | None
    aliases: list[str]
    score: float
    sentences: list[int]
    evidence_sentence: int


@dataclass
class ActorSet:
    actors: list[ActorInfo]
    by_sentence: dict[int, list[str]] = field(default_factory=dict)

    def in_sentence(self, index: int) -> list[str]:
        return self.by_sentence.get(index, [])


class ActorExtractor:
    """Finds and ranks actors in a list of sentences."""

    def __init__(self) -> None:
        self._countries = country_names()
        self._given = given_names()
        self._regions = region_names()
        self._short_forms: set[str] = set()  # of the article being read (`extract`)

    def extract(self, sentences: Sequence[Sentence]) -> ActorSet:
        tokenized = [
            (sentence, tokens, _groups(tokens, sentence.text))
            for sentence, previous in _pairs(sentences)
            for tokens in (self._tokens_of(sentence, previous),)
        ]
        midcaps = {
            token.text.lower()
            for sentence, tokens, _ in tokenized
            for position, token in enumerate(tokens)
            if token.capitalized and not self._is_initial(tokens, position, sentence.text)
        }
        self._short_forms = self._first_words_used_alone(tokenized)
        mentions: list[_Mention] = []
        acronyms: dict[str, str] = {}
        for sentence, tokens, groups in tokenized:
            if sentence.text.isupper() and len(tokens) <= 8 and sentence.text[-1:] not in ".!?":
                continue  # a section heading ("THE CASE")
            for start, end in groups:
                for piece in self._split(tokens, start, end, sentence.text, midcaps):
                    mentions.extend(self._mentions(tokens, *piece, sentence, acronyms))
        entities = self._merge(mentions, acronyms)
        _add_common_references(entities, sentences)
        _add_collectives(entities, sentences)
        _add_bodies(entities, sentences)
        return self._rank(entities)

    def _first_words_used_alone(
        self, tokenized: list[tuple[Sentence, list[_Token], list[tuple[int, int]]]]
    ) -> set[str]:
        """First words of this article's multi-word names that it also writes alone, mid-sentence,
        at least twice: the short form of a company or group ("Aurora" of "Aurora Wings"), even when
        the word is also a place or a given name elsewhere."""
        heads: set[str] = set()
        alone: dict[str, int] = {}
        for sentence, tokens, groups in tokenized:
            for start, end in groups:
                word = tokens[start].text.lower()
                if end - start >= 2 and tokens[start + 1].capitalized:
                    heads.add(word)
                elif end - start == 1 and not self._is_initial(tokens, start, sentence.text):
                    alone[word] = alone.get(word, 0) + 1
        return {word for word in heads if alone.get(word, 0) >= 2 and word not in self._countries}

    def _tokens_of(self, sentence: Sentence, previous: Sentence | None) -> list[_Token]:
        tokens = _tokens(sentence.text)
        if previous is None or previous.paragraph != sentence.paragraph:
            dateline = match_dateline(sentence.text)
            if dateline:
                tokens = [token for token in tokens if token.start >= dateline.end()]
        return tokens

    # --- candidates ---------------------------------------------------------------------------
    def _split(
        self, tokens: list[_Token], start: int, end: int, text: str, midcaps: set[str]
    ) -> list[tuple[int, int, str | None]]:
        """Cut a run at words that never name anyone; peel a sentence-initial common noun."""
        pieces: list[tuple[int, int, str | None]] = []
        current = start
        # an organization's name is whole up to its head word ("Millrace Residents' Association")
        named_org = end - start >= 3 and tokens[end - 1].text in ORG_WORDS
        for index in range(start, end + 1):
            word = tokens[index].text.lower() if index < end else ""
            inside_org = named_org and start < index < end - 1
            if index == end or (
                (
                    word in NON_ACTORS
                    and word not in _CONNECTORS
                    and not inside_org
                    and not self._place_start(tokens, index, end)
                )
                or word in OUTLETS
            ):
                while current < index and tokens[current].text.lower() in _CONNECTORS:
                    current += 1
                last = index
                while last > current and tokens[last - 1].text.lower() in _CONNECTORS:
                    last -= 1
                if last > current:
                    pieces.append((current, last, None))
                current = index + 1
        if pieces and self._is_initial(tokens, pieces[0][0], text):
            first, last, _ = pieces[0]
            word = tokens[first].text
            if last - first > 1 and self._common_noun(word, text, midcaps):
                next_start = first + 1
                while next_start < last and tokens[next_start].text.lower() in _CONNECTORS:
                    next_start += 1
                pieces[0] = (next_start, last, word.lower() if next_start == first + 1 else None)
        return pieces

    def _place_start(self, tokens: list[_Token], index: int, end: int) -> bool:
        """ "New" in "New Zealand" or "New York" starts a place name, not a word to cut at."""
        if index + 1 >= end:
            return False
        pair = f"{tokens[index].text} {tokens[index + 1].text}".lower()
        return pair in self._countries or pair in self._regions or pair in CAPITALS

    def _is_initial(self, tokens: list[_Token], index: int, text: str) -> bool:
        """The first word of the sentence (after opening quotes or brackets): capitalized anyway.
        (A token after another has a word character before it: only the first can be initial.)"""
        return index == 0 and not text[: tokens[0].start].strip(_OPENER_CHARS)

    def _common_noun(self, word: str, text: str, midcaps: set[str]) -> bool:
        lower = word.lower()
        if lower in self._given or lower in self._countries or lower in INSTITUTIONS or word.isupper():
            return False
        if word in _TITLES_BY_FIRST:
            return False
        return lower not in midcaps and (lower.endswith(_COMMON_SUFFIXES) or f" {lower} " in text)

    def _mentions(
        self,
        tokens: list[_Token],
        start: int,
        end: int,
        peeled: str | None,
        sentence: Sentence,
        acronyms: dict[str, str],
    ) -> list[_Mention]:
        text = sentence.text
        words = [token.text for token in tokens[start:end]]
        after = text[tokens[end - 1].end :]
        title_at, title_len = _find_title(words)
        out: list[_Mention] = []
        role: str | None = None
        name_start = start
        is_person = False
        if title_at is not None and title_at + title_len < end - start:
            name_start = start + title_at + title_len
            if tokens[name_start].text in _PORTFOLIO_LINKS:
                given = next(
                    (k for k in range(name_start + 2, end) if tokens[k].text.lower() in self._given), None
                )
                if given is not None:  # "Deputy Mayor for Urban Planning Inmaculada Ferrando Soler"
                    portfolio = text[tokens[start + title_at].start : tokens[given - 1].end]
                    person = _unpossessive(text[tokens[given].start : tokens[end - 1].end])
                    subject = bool(_SUBJECT_AFTER.match(after))
                    return [
                        *out,
                        _Mention(person, "person", person.lower(), sentence.index, 1.0, portfolio, subject),
                    ]
                if _PORTFOLIO_TAIL.match(after):
                    # "Minister of Trade and Industry, Nomvula …": the run is a role; the name follows
                    if title_at:
                        prefix_text = text[tokens[start].start : tokens[start + title_at - 1].end]
                        out.extend(self._typed(prefix_text, sentence.index, weight=0.5, as_prefix=True))
                    return out
            prefix = tokens[start : start + title_at]
            title = " ".join(words[title_at : title_at + title_len])
            if prefix and (
                prefix[-1].text.lower() in _CONNECTORS
                or (self._is_initial(tokens, start, text) and self._common_noun(prefix[0].text, text, set()))
            ):
                prefix = []  # "Plans for President Ilse Marrow": the role is the title alone
            if prefix:
                prefix_text = text[prefix[0].start : prefix[-1].end]
                out.extend(self._typed(prefix_text, sentence.index, weight=0.5, as_prefix=True))
                role = f"{_unpossessive(prefix_text)} {title}"
            if not prefix and title not in HONORIFICS:
                role = title
            is_person = True
        if role is None and title_at == 0:
            role = _role_before_comma(
                text[: tokens[start].start], after
            )  # "The Commissioner for Health, Dr. …"
        before = text[: tokens[start].start]
        if after.startswith(",") and _PORTFOLIO_HEAD.search(before[-90:]):
            return out
        if role is None and not is_person:
            role = _role_before(tokens, start, text) or _role_before_comma(before, after)
            if end - start >= 3 and self._descriptor_then_name(words):
                role, name_start, is_person = words[0], start + 1, True  # "Oberbürgermeisterin Birgit …"
        while name_start < end - 1 and tokens[name_start].text in _CONNECTORS:
            name_start += 1  # "Minister for Health" names no one
        if not tokens[name_start].capitalized:
            return out
        name = _unpossessive(text[tokens[name_start].start : tokens[end - 1].end])
        appositive = _APPOSITION.match(after)
        if role is None and appositive and _has_role_noun(appositive.group(1)):
            role = _clean_role(appositive.group(1))
        acronym = _ACRONYM_AFTER.match(after)
        if acronym:
            acronyms[acronym.group(1).rstrip(".")] = name
        near = before[-40:]  # the `...$` patterns only look at the words right before the name
        subject = bool(_SUBJECT_AFTER.match(after)) or (
            _ends_with(near, _REPORTED_BEFORE_ENDS) and bool(_REPORTED_BEFORE.search(near))
        )
        if subject and _IN_A_PLACE.search(near):
            subject = False  # "workers at a warehouse near Columbus voted": the verb is not the place's
        place = (
            not subject and _ends_with(near, _LOCATIVE_BEFORE_ENDS) and bool(_LOCATIVE_BEFORE.search(near))
        )
        initial = self._is_initial(tokens, start, text)
        words = name.split()
        if is_person or (
            role is not None and len(words) <= 4 and not self._known(name) and not _org_like(words)
        ):
            out.append(_Mention(name, "person", name.lower(), sentence.index, 1.0, role, subject))
            return out
        role = role or peeled
        if (
            words[-1] in _OUTLET_WORDS
            and len(words) >= 2
            and (_REPORTING_CONTEXT_BEFORE.search(near) or _REPORTING_AFTER.match(after))
        ):
            return out  # an outlet that reports the story is not one of its actors
        for mention in self._typed(name, sentence.index, after=after):
            if mention.kind in {"capital", "region"}:
                if not subject:
                    continue  # a place, not an actor
                mention.kind = "country" if mention.kind == "capital" else "org"
            mention.subject = subject
            mention.role = role if mention.kind in {"org", "person", "single"} else None
            mention.initial = initial and mention.kind == "single"
            mention.place = place and mention.kind in {"single", "org"}
            out.append(mention)
        return out

    def _descriptor_then_name(self, words: list[str]) -> bool:
        """A capitalized word that is no name before a given name and a surname: a title we do not list."""
        first, second = words[0].lower(), words[1].lower()
        return (
            second in self._given
            and first not in self._given
            and not self._known(words[0])
            and words[0] not in ORG_WORDS
            and not words[0].isupper()
            and words[1][:1].isupper()
        )

    def _known(self, name: str) -> bool:
        lower = name.lower()
        return lower in INSTITUTIONS or lower in self._countries

    def _typed(
        self, name: str, sentence: int, *, weight: float = 1.0, after: str = "", as_prefix: bool = False
    ) -> list[_Mention]:
        lower = _unpossessive(name).lower()
        words = name.split()
        if lower in INSTITUTIONS and (len(lower) > 4 or name.isupper() or lower in {"senate", "fed"}):
            canonical = INSTITUTIONS[lower]
            return [_Mention(canonical, "institution", canonical.lower(), sentence, weight, written=name)]
        if lower in self._countries and (len(lower) > 3 or name.isupper() or "." in name):
            canonical = self._countries[lower]
            if lower in DEMONYMS and lower != canonical.lower() and not as_prefix:
                follower = after.split(None, 1)[0].lower().strip(",.") if after.strip() else ""
                weight = weight if follower in STATE_NOUNS else 0.3
            return [_Mention(canonical, "country", canonical.lower(), sentence, weight, written=name)]
        if lower in CAPITALS:
            canonical = CAPITALS[lower]
            return [_Mention(canonical, "capital", canonical.lower(), sentence, weight, written=name)]
        if lower in self._regions and lower not in self._short_forms:
            return [_Mention(name, "region", lower, sentence, weight)]
        if _is_heading_or_contraction(words) or _is_thing(words):
            return []
        if len(words) == 1:
            kind = "org" if name.isupper() and 3 <= len(name) <= 6 else "single"
            return [_Mention(name, kind, lower, sentence, weight)]
        if _org_like(words):
            return [_Mention(name, "org", lower, sentence, weight)]
        first = words[0].lower()
        if first in self._countries and first in DEMONYMS and len(words) == 2:
            return self._typed(words[0], sentence, weight=weight * 0.5, as_prefix=True)
        if (
            len(words) <= 4
            and first in self._given
            and first not in self._short_forms  # a person is not called by a given name alone
            and not any(w.isupper() and len(w) > 1 for w in words)
        ):
            return [_Mention(name, "person", lower, sentence, weight)]
        return [_Mention(name, "org", lower, sentence, weight)]

    # --- merging ------------------------------------------------------------------------------
    def _merge(self, mentions: list[_Mention], acronyms: dict[str, str]) -> dict[str, list[_Mention]]:
        entities: dict[str, list[_Mention]] = {}
        for mention in mentions:
            if mention.kind != "single":
                entities.setdefault(mention.key, []).append(mention)
        for key in [k for k, items in entities.items() if items[0].kind == "org"]:
            if all(item.place and not item.subject for item in entities[key]):
                del entities[key]
        _merge_people(entities)
        _merge_org_short_forms(entities)
        long_of_acronym = {acronym.lower(): name.lower() for acronym, name in acronyms.items()}
        long_of_acronym |= _acronyms_by_initials(entities, long_of_acronym)
        for key, long_key in long_of_acronym.items():
            if key in entities and long_key in entities and key != long_key:
                entities[long_key].extend(entities.pop(key))
        surnames: dict[str, str] = {}
        firsts: dict[str, str] = {}
        lasts: dict[str, str] = {}
        for key, items in entities.items():
            parts = key.split()
            if items[0].kind == "person" and len(parts) > 1:
                surnames.setdefault(parts[-1], key)
                if len(parts) >= 3:  # two surnames: either may stand alone
                    surnames.setdefault(parts[-2], key)
            elif items[0].kind in {"org", "institution"} and len(parts) > 1:
                firsts.setdefault(parts[0], key)
                lasts[parts[-1]] = "" if parts[-1] in lasts else key
        singles: dict[str, list[_Mention]] = {}
        fuzzy: dict[str, str | None] = {}  # `_fuzzy_surname` of each key, once: a word recurs
        for mention in mentions:
            if mention.kind != "single":
                continue
            key = mention.key
            target = (
                surnames.get(key)
                or long_of_acronym.get(key)
                or firsts.get(key)
                or (None if mention.initial else lasts.get(key))
                or (fuzzy[key] if key in fuzzy else fuzzy.setdefault(key, _fuzzy_surname(key, surnames)))
                or (key if key in entities else None)
            )
            if target is not None and target in entities:
                entities[target].append(mention)
            else:
                singles.setdefault(key, []).append(mention)
        for key, items in singles.items():
            if any(item.place for item in items) and not any(item.subject for item in items):
                continue
            if any(not item.initial for item in items) and (len(items) >= 2 or any(i.subject for i in items)):
                for item in items:
                    item.kind = "org"
                entities.setdefault(key, []).extend(items)
        return entities

    # --- ranking ------------------------------------------------------------------------------
    def _rank(self, entities: dict[str, list[_Mention]]) -> ActorSet:
        """Score every entity; only the `MAX_ACTORS` best become `ActorInfo`s (with their aliases and
        sentences, which the ranking does not need: most entities never get that far)."""
        scored: list[tuple[float, int, str, str, str | None, list[_Mention]]] = []
        for items in entities.values():
            named = [item for item in items if item.kind not in {"single", "ref"}] or items
            kind = named[0].kind if named[0].kind not in {"single", "ref"} else "org"
            if kind == "person":
                name = max(named, key=lambda item: (len(item.surface.split()), -item.sentence)).surface
            else:
                name = max(named, key=lambda item: (len(item.surface), -item.sentence)).surface
            role = next((item.role for item in items if item.role and item.kind != "ref"), None)
            first = min(item.sentence for item in items)
            score = sum(item.weight for item in items)
            score += min(3, sum(1 for item in items if item.subject))
            score += 1.5 if first <= 1 else 1.0 if first <= 3 else 0.5 if first <= 6 else 0.0
            score += ROLE_BONUS if role else 0.0
            score += KIND_BONUS.get(kind, 0.0)
            if kind == "person" and role and _COMMENTATOR.search(role) and len(items) <= COMMENTATOR_MENTIONS:
                score -= COMMENTATOR_PENALTY  # an analyst quoted for colour is no party of the story
            if score < MIN_SCORE or (kind == "country" and score < MIN_COUNTRY_SCORE):
                continue
            scored.append((round(score, 3), first, name, kind, role, items))
        scored.sort(key=lambda entry: (-entry[0], entry[1], entry[2]))  # stable: ties keep entity order
        kept = [_info(*entry) for entry in scored[:MAX_ACTORS]]
        by_sentence: dict[int, list[str]] = {}
        for info in kept:
            for index in info.sentences:
                by_sentence.setdefault(index, []).append(info.name)
        return ActorSet(kept, by_sentence)


def _info(
    score: float, first: int, name: str, kind: str, role: str | None, items: list[_Mention]
) -> ActorInfo:
    """A ranked actor: its other written forms are its aliases."""
    aliases: list[str] = []
    for item in items:
        written = _unpossessive(item.written or item.surface)
        if item.kind != "ref" and written.lower() != name.lower() and written not in aliases:
            aliases.append(written)
    evidence = next((item.sentence for item in items if item.role), first)
    sentences = sorted({item.sentence for item in items})
    return ActorInfo(name, kind, role, aliases, score, sentences, evidence)


def _unpossessive(text: str) -> str:
    """`text` without a final "'s" or "'" (`_POSSESSIVE`), by string tests: this runs for every
    mention, and the regex tries its alternatives at every position of the text."""
    if text.endswith("\n"):
        return _POSSESSIVE.sub("", text)  # "$" matches before a final line break too
    if text.endswith(("'s", "’s")):
        return text[:-2]
    return text[:-1] if text.endswith(("'", "’")) else text


def _ends_with(text: str, words: tuple[str, ...]) -> bool:
    """`text` ends with one of `words` and then whitespace: what the `…\\s+$` patterns of `_mentions`
    need, tested first because a regex search that fails tries every position of the text."""
    return text[-1:].isspace() and text.rstrip().endswith(words)


def _pairs(sentences: Sequence[Sentence]) -> list[tuple[Sentence, Sentence | None]]:
    return [(sentence, sentences[i - 1] if i else None) for i, sentence in enumerate(sentences)]


def _tokens(text: str) -> list[_Token]:
    """Capitalized words, and the lowercase words that can join or precede a name (connectors, role
    words). Other words are left out: the gap they leave breaks adjacency just as they would, and
    skipping them halves the work."""
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        if not word[0].isupper() and word not in _KEEP_LOWER_FORMS:
            continue
        start = match.start()
        last = word[-1]
        if last == "." and not (word in _ABBREVIATED or _INITIALISM.fullmatch(word)):
            word = word.rstrip(".")
        elif last in "s'’" and len(word) > 2:
            if word.endswith(("'s", "’s")):
                word = word[:-2]
            elif last != "s":
                word = word[:-1]
        if word:
            tokens.append(_Token(word, start, start + len(word), word[0].isupper()))
    return tokens


def _groups(tokens: list[_Token], text: str) -> list[tuple[int, int]]:
    """Runs of capitalized tokens joined by single spaces (connectors such as "of" allowed inside)."""
    groups: list[tuple[int, int]] = []
    index = 0
    while index < len(tokens):
        if not tokens[index].capitalized:
            index += 1
            continue
        end = index + 1
        while end < len(tokens) and _adjacent(tokens[end - 1], tokens[end], text):
            if tokens[end].capitalized:
                end += 1
                continue
            # up to two connectors inside a name: "Bank of England", "Council for the Exploration"
            bridge = end
            while bridge < len(tokens) and bridge - end < 2 and tokens[bridge].text in _CONNECTORS:
                if bridge > end and not _adjacent(tokens[bridge - 1], tokens[bridge], text):
                    break
                bridge += 1
            if (
                bridge > end
                and bridge < len(tokens)
                and tokens[bridge].capitalized
                and _adjacent(tokens[bridge - 1], tokens[bridge], text)
            ):
                end = bridge + 1
            else:
                break
        groups.append((index, end))
        index = end
    return groups


def _adjacent(left: _Token, right: _Token, text: str) -> bool:
    gap = text[left.end : right.start]
    return gap == " " or (gap in _POSSESSIVE_GAPS and right.capitalized)


_CONTRACTION = re.compile(r"['’](?:m|re|ve|ll|d|t)$", re.IGNORECASE)


def _is_heading_or_contraction(words: list[str]) -> bool:
    """Section headings ("THE CASE", "REACTIONS") and contractions ("I'm") are no names."""
    text = " ".join(words)  # one substring / case test of the whole name first: most names fail it
    if ("'" in text or "’" in text) and any(_CONTRACTION.search(word) for word in words):
        return True
    return text.isupper() and all(word.isupper() for word in words) and any(len(word) > 5 for word in words)


def _is_thing(words: list[str]) -> bool:
    """A law, plan, building or place ("Clean Air Act", "Portage Exchange Tower"), unless an organization
    word says otherwise ("International Council for the Exploration of the Sea")."""
    return (
        len(words) > 1 and words[-1] in THING_WORDS and not any(word in INSTITUTION_HEADS for word in words)
    )


def _org_like(words: list[str]) -> bool:
    return bool(words) and (
        words[-1].rstrip(".") in ORG_WORDS
        or words[-1] in ORG_WORDS
        or (len(words) > 2 and words[0] in ORG_WORDS and words[1] in _CONNECTORS)
        or (len(words) > 2 and words[0] == "Friends" and words[1] == "of")
    )


def _find_title(words: list[str]) -> tuple[int | None, int]:
    for at, word in enumerate(words):
        for title in _TITLES_BY_FIRST.get(word, ()):
            if tuple(words[at : at + len(title)]) == title:
                return at, len(title)
    return None, 0


def _role_before(tokens: list[_Token], start: int, text: str) -> str | None:
    """A lowercase role right before a name ("Kremlin spokesperson Dmitry Peskov")."""
    index = start - 1
    role_start: int | None = None
    has_noun = False
    while index >= 0 and start - index <= 3:
        token = tokens[index]
        word = token.text
        if not _adjacent(token, tokens[index + 1], text) or word[:1].isupper():
            break
        if word in ROLE_NOUNS:
            has_noun = True
        elif word not in _ROLE_MODIFIERS:
            break
        role_start = index
        index -= 1
    if role_start is None or not has_noun:
        return None
    if index >= 0 and tokens[index].capitalized and _adjacent(tokens[index], tokens[index + 1], text):
        owner = index
        while (
            owner > 0 and tokens[owner - 1].capitalized and _adjacent(tokens[owner - 1], tokens[owner], text)
        ):
            owner -= 1
        if tokens[owner].text.lower() not in NON_ACTORS:
            role_start = owner
    role = text[tokens[role_start].start : tokens[start - 1].end]
    return _unpossessive(role).replace("'s ", " ").replace("’s ", " ")


def _role_before_comma(before: str, after: str) -> str | None:
    """A role set off before the name ("The union's general secretary, Tomas Ekberg, said")."""
    if not after.startswith(","):
        return None
    match = _ROLE_THEN_COMMA.search(before[-90:]) or _PORTFOLIO_THEN_COMMA.search(before[-120:])
    return _clean_role(match.group(1)) if match else None


def _has_role_noun(phrase: str) -> bool:
    words = phrase.split()
    return len(words) <= MAX_ROLE_WORDS and any(word.strip("'’s").lower() in ROLE_NOUNS for word in words)


def _clean_role(phrase: str) -> str:
    phrase = re.sub(r"['’]s\b", "", phrase.strip())
    return re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE)


def _merge_people(entities: dict[str, list[_Mention]]) -> None:
    """Fold shortened forms and spelling variants of one person's name into the longest form."""
    persons = sorted((k for k, v in entities.items() if v[0].kind == "person"), key=len, reverse=True)
    for index, key in enumerate(persons):
        if key not in entities:
            continue
        for other in persons[index + 1 :]:
            if other in entities and _same_person(key, other):
                entities[key].extend(entities.pop(other))


def _merge_org_short_forms(entities: dict[str, list[_Mention]]) -> None:
    """ "Port Authority" is "Halverstad Port Authority" when the longer name is in the story."""
    orgs = sorted((k for k, v in entities.items() if v[0].kind == "org"), key=len)
    for short in orgs:
        if " " not in short or short not in entities:
            continue
        longer = next(
            (
                k
                for k in reversed(orgs)
                if k != short
                and k in entities
                and (k.endswith(" " + short) or _named_after_its_head(k, short))
            ),
            None,
        )
        if longer is not None:
            entities[longer].extend(entities.pop(short))


def _acronyms_by_initials(entities: dict[str, list[_Mention]], known: dict[str, str]) -> dict[str, str]:
    """An acronym the article never spells out in brackets is the organisation whose words start with
    its letters ("NLRB" of "National Labor Relations Board"; "of", "for", "the" and "and" skipped)."""
    initials: dict[str, str] = {}
    for key, items in entities.items():
        words = [w for w in key.split() if w not in _CONNECTORS and w != "and"]
        if items[0].kind in {"org", "institution"} and len(words) >= 2:
            letters = "".join(w[0] for w in words)
            initials[letters] = "" if letters in initials else key  # two candidates: neither
    found: dict[str, str] = {}
    for key, items in entities.items():
        written = items[0].surface
        if key in known or " " in key or not (written.isupper() and 2 <= len(written) <= 6):
            continue
        if initials.get(key):
            found[key] = initials[key]
    return found


def _named_after_its_head(longer: str, short: str) -> bool:
    """ "Autoridad Portuaria" is "Autoridad Portuaria de Valencia": the longer name is the short one
    and a connector phrase (of / de / for … a place or field)."""
    if not longer.startswith(short + " "):
        return False
    rest = longer[len(short) + 1 :].split()
    return len(rest) >= 2 and rest[0] in _CONNECTORS


def _add_common_references(entities: dict[str, list[_Mention]], sentences: Sequence[Sentence]) -> None:
    """ "the union" / "the transit authority" count as mentions of the one organization named so."""
    heads: dict[str, str] = {}
    for key, items in entities.items():
        words = key.split()
        if items[0].kind in {"org", "institution"} and len(words) > 1 and words[-1].isalpha():
            heads[words[-1]] = "" if words[-1] in heads else key
    heads = {head: key for head, key in heads.items() if key}
    if not heads:
        return
    pattern = re.compile(r"\b[Tt]he (?:[a-z]+ )?(" + "|".join(map(re.escape, heads)) + r")\b(?!\s+[A-Z])")
    for sentence in sentences:
        if "he " not in sentence.text or not any(head in sentence.text for head in heads):
            continue  # no "the" or no head word: the pattern cannot match (substring tests are cheaper)
        for match in pattern.finditer(sentence.text):
            subject = bool(_SUBJECT_AFTER.match(sentence.text[match.end() :]))
            key = heads[match.group(1)]
            entities[key].append(_Mention(match.group(), "ref", key, sentence.index, 0.5, None, subject))


def _add_collectives(entities: dict[str, list[_Mention]], sentences: Sequence[Sentence]) -> None:
    """Collective actors ("European leaders", "Arab states"): one actor per phrase, which acts when it
    is the subject of a verb."""
    article = "\n".join(sentence.text for sentence in sentences)  # no adjective spans a line break
    named = [word for word in _COLLECTIVE_WORDS if word in article]
    for sentence in sentences:
        if "s " not in sentence.text or not any(word in sentence.text for word in named):
            continue  # the pattern needs one of its adjectives (most articles have none)
        for match in _COLLECTIVE.finditer(sentence.text):
            name = match.group()
            subject = bool(_SUBJECT_AFTER.match(sentence.text[match.end() :]))
            mention = _Mention(name, "org", name.lower(), sentence.index, 1.0, None, subject)
            entities.setdefault(f"collective:{name.lower()}", []).append(mention)


def _add_bodies(entities: dict[str, list[_Mention]], sentences: Sequence[Sentence]) -> None:
    """Bodies the article names only by a common noun ("the disciplinary tribunal", "Millbrook town
    council", "the works council"): one actor per head noun, when it recurs and no named
    organization of the article has that head (then "the council" is that one, counted above)."""
    named_heads = {
        key.split()[-1]
        for key, items in entities.items()
        if items[0].kind in {"org", "institution"} and " " in key
    }
    found: dict[str, list[tuple[str, int, bool]]] = {}
    for sentence in sentences:
        if not any(head in sentence.text for head in _BODY_HEADS):
            continue  # the regex is costlier than these substring tests
        for match in _BODY.finditer(sentence.text):
            head = match.group("head")
            if head in named_heads:
                continue
            subject = bool(_SUBJECT_AFTER.match(sentence.text[match.end() :]))
            place = match.group("place")
            if place and (
                place in _TITLES_BY_FIRST or place.lower() in NON_ACTORS or place.lower() in _FOREIGN_ARTICLES
            ):
                place = None  # "Today the council", "Mayor's council"
            name = f"{place} {match.group('name')}" if place else match.group("name")
            found.setdefault(head, []).append((name, sentence.index, subject))
    for head, uses in found.items():
        name = max((use[0] for use in uses), key=lambda text: (len(text.split()), text[0].isupper()))
        if len(uses) < BODY_MENTIONS or name == head:
            continue  # once, or never more than "the council": a reference to a named body
        key = f"body:{head}"
        for written, index, subject in uses:
            entities.setdefault(key, []).append(
                _Mention(name, "org", name.lower(), index, BODY_WEIGHT, None, subject, written=written)
            )


def _same_person(longer: str, shorter: str) -> bool:
    a, b = longer.split(), shorter.split()
    if a[-1] == b[-1] and (a[0][0] == b[0][0] or len(b) == 1):
        return True
    if len(a) >= 3 and b == [a[-2]]:
        return True  # the first of two surnames ("Mamani" of "Wilfredo Mamani Choque")
    if len(a) >= 3 and len(b) >= 2 and a[: len(b)] == b:
        return True  # the given names without the surname ("Nurul Ain" of "Nurul Ain Hashim")
    return len(a) == len(b) and a[0] == b[0] and fuzz.ratio(a[-1], b[-1]) >= 88


def _fuzzy_surname(word: str, surnames: dict[str, str]) -> str | None:
    if len(word) < 5:
        return None
    for surname, key in surnames.items():
        if abs(len(surname) - len(word)) <= 2 and fuzz.ratio(surname, word) >= 88:
            return key
    return None
