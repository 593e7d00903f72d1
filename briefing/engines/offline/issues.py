"""Phrasing a dispute's issue as a neutral question from the contested clause of its sentence.

Gold briefs (and readers) state a dispute as what is contested ("Whether the offer undervalues the
company"), not as one side's sentence ("The board said the offer undervalues the company"). The rules
below find the contested clause behind a conflict or reporting cue and turn it into a "Whether …"
question; `docs/offline.md` lists them. A sentence that matches no rule keeps its conflict clause
(`classify.conflict_focus`).
"""

from __future__ import annotations

import re

from briefing.engines.offline.stopwords import ENGLISH_STOP_WORDS
from briefing.engines.offline.trim import strip_dateline

MAX_ISSUE_WORDS = 18


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile`, with a lookahead of the first letters of a leading `\\b(?:a|b|…)` alternation:
    most positions then fail on one character test instead of trying every word (a necessary
    condition, so the matches are the same; ~3x faster on these cue-word patterns)."""
    if pattern.startswith(r"\b(?:"):
        depth, end = 0, None
        for index in range(2, len(pattern)):
            char = pattern[index]
            if char == "\\":
                continue
            if char == "(" and pattern[index - 1] != "\\":
                depth += 1
            elif char == ")" and pattern[index - 1] != "\\":
                depth -= 1
                if depth == 0:
                    end = index
                    break
        body = pattern[5:end] if end else ""
        alternatives = _top_level(body)
        firsts = {alternative[:1].lower() for alternative in alternatives}
        if alternatives and all(first.isalpha() for first in firsts):
            pattern = r"\b(?=[" + "".join(sorted(firsts)) + "])" + pattern[2:]
    return re.compile(pattern, flags)


def _top_level(body: str) -> list[str]:
    """The alternatives of a group body split at its top-level `|`."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(body):
        escaped = index > 0 and body[index - 1] == "\\"
        if char == "(" and not escaped:
            depth += 1
        elif char == ")" and not escaped:
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(body[start:index])
            start = index + 1
    parts.append(body[start:])
    return parts


_NP = r"(?P<np>(?:[\w'’\-.]+\s){0,5}?[\w'’\-.]+)"  # a short noun phrase: up to 6 words, no punctuation
_CLAUSE = r"(?P<clause>[^;]{8,})"

# 1. A named disagreement: "a dispute over whether …", "divided on whether …", "a row over the levy".
_OVER_WHETHER = _compile(
    r"\b(?:dispute|disagreement|row|split|standoff|fight|clash|argument|debate|controversy|battle|"
    r"divided|at odds|disagree|disagreed|disagrees|quarrel|tension|tensions)\s+(?:\w+\s)?(?:over|about|on)\s+"
    r"(?P<clause>whether\s[^;]{8,})",
    re.IGNORECASE,
)
# A clause capped at so many characters ends where a word ends: the cap never cuts "would" to "woul".
_WORD_END = r"(?<=[\w'’)\]%])(?![\w'’\-])"
_OVER_NP = _compile(
    r"\b(?:dispute|disagreement|row|standoff|fight|clash|feud|quarrel|battle|controversy|disagree|disagreed|"
    r"disagrees|differ|differed|clashed|clashing|sparred|wrangled|wrangling|split|divided)\s+"
    r"(?:(?:on|late on|again|publicly|sharply|openly)\s(?:\w+day\s)?)?(?:over|about)\s+"
    r"(?P<clause>(?:the\s|a\s|an\s|its\s|their\s)?[^,;.\"“”]{4,80}" + _WORD_END + r")",
    re.IGNORECASE,
)
# 2. A denied or disputed claim: "rejected the accusation that …", "disputed that …".
_DENIED_THAT = _compile(
    r"\b(?:denied|denies|deny|disputed|disputes|dispute|rejected|rejects|reject|dismissed|dismisses|contested|"
    r"contests|challenged|challenges|questioned|questions|doubted|doubts|refuted|refutes|rebuffed|rebuffs|"
    r"denounced|denounces|disagreed with|disagrees with|pushed back on|pushed back against)\s+"
    r"(?:(?:the|its|their|his|her|this|that|any)\s+)?(?:[\w\-]+\s+)?(?:claims?|accusations?|allegations?|"
    r"suggestions?|assertions?|arguments?|idea|charges?|reports?|findings?|view|notion|"
    r"characteri[sz]ation)?\s*that\s+" + _CLAUSE,
    re.IGNORECASE,
)
# 2b. A denial that states the counter-claim: "disputed that, saying the rival could not supply …".
_DENIED_SAYING = _compile(
    r"\b(?:denied|denies|disputed|disputes|rejected|rejects|dismissed|dismisses|contested|contests|challenged|"
    r"questioned|disagreed|disagrees|refuted|refutes)\b[^;]{0,60}?,\s(?:saying|arguing|insisting|claiming|"
    r"countering|adding)\s(?:that\s)?" + _CLAUSE,
    re.IGNORECASE,
)
# 2c. An open question named in the sentence: "would study whether the plan was compatible with …",
#     "a question about how many jobs the buyer intends to cut".
_EMBEDDED_WHETHER = _compile(r"\bwhether\s(?P<clause>(?!to\s)[^;]{8,})", re.IGNORECASE)
_QUESTION_WH = _compile(
    r"\bquestions?\s(?:about|of|over|as to)\s(?P<clause>(?:how|who|what|which|when|why)\s[^;]{8,})",
    re.IGNORECASE,
)
# 2d. A denied part in a deed: "denied any involvement in the decision to exclude …" → who is responsible.
_DENIED_ROLE = _compile(
    r"\b(?:denied|denies|deny|rejected|rejects)\s(?:any|all|his|her|its|their)?\s?(?:personal\s)?"
    r"(?:involvement|role|part|responsibility|wrongdoing)\s(?:in|for)\s"
    r"(?P<clause>[^,;.\"“”]{6,90}" + _WORD_END + r")",
    re.IGNORECASE,
)
# 2e. A divisive thing: "The takeover has split the club's supporters."
_DIVIDES = _compile(
    r"^(?P<clause>(?:the|a|an|its|their|this|that)\s[^,;]{3,60}?)\s(?:has|have|had|is|was)?\s?"
    r"(?:split|divided|polarized|polarised)\s",
    re.IGNORECASE,
)
# 2f. A contested thing as the subject: "The plan was opposed by …", "The levy has drawn criticism
#     from …", "The ruling sparked protests" → the thing is the issue.
_CONTESTED_SUBJECT = _compile(
    r"^(?P<clause>(?:the|a|an|its|their|this|that)\s[^,;]{3,60}?)\s(?:(?:has|have|had)\s(?:been\s)?|"
    r"(?:is|are|was|were)\s)?(?:\w+ly\s)?(?:(?:criticised|criticized|condemned|opposed|rejected|challenged|"
    r"contested|disputed|attacked|denounced|questioned)\sby\s|(?:faced|faces|face|drew|draws|drawn|met with|"
    r"meets with|sparked|sparks|triggered|triggers|provoked|provokes|came under|comes under|come under)\s"
    r"(?:\w+\s)?(?:opposition|criticism|resistance|backlash|protests?|outrage|fire|objections|anger|"
    r"legal challenges?|lawsuits?))",
    re.IGNORECASE,
)
_CONTESTED_WORDS = (" by ", "opposition", "critic", "resistance", "backlash", "protest", "outrage", "fire")
# 2g. A lawsuit or appeal over something: "sued the city over the school closure" → the closure.
_SUED_OVER = _compile(
    r"\b(?:sued|sues|suing|lawsuit|lawsuits|suit|legal action|legal challenge|court challenge|appeal|"
    r"appealed|complaint)\b[^,;.\"“”]{0,60}?\s(?:over|against)\s"
    r"(?P<clause>(?:the|a|an|its|their|his|her)\s[^,;.\"“”]{4,80}" + _WORD_END + r")",
    re.IGNORECASE,
)
# 3. An accusation: "accused Y of firing two organizers" → "Whether Y fired two organizers".
_ACCUSED_OF = _compile(
    r"\b(?:accused|accuses|accusing|accuse|suspected|suspects)\s+" + _NP + r"\s+of\s+(?P<verb>\w+ing)\b"
    r"(?P<rest>[^;]*)",
    re.IGNORECASE,
)
# 4. Blame or criticism of a deed: "criticised the authority for granting …".
_BLAMED_FOR = _compile(
    r"\b(?P<cue>criticised|criticized|criticises|criticizes|blamed|blames|faulted|faults|attacked|attacks|"
    r"condemned|condemns)\s+" + _NP + r"\s+for\s+(?P<rest>[^;]{4,})",
    re.IGNORECASE,
)
# 5. A demand or proposal: "called for the state to declare …", "proposed that costs be split …",
#    "pushed for mandatory reporting by 2029".
_CALLED_FOR_TO = _compile(
    r"\b(?:called on|calls on|called for|calls for|urged|urges|urging|pushed for|pushing for|push for|"
    r"demanded|demands|demanding|asked|wants|want|wanted|insisted on|insists on|pressed|pressing)\s+"
    + _NP
    + r"\s+to\s+(?!(?:the|a|an|its|their|his|her|this|that|these|those)\b)(?P<verb>[a-z]+)\b(?P<rest>[^;]*)",
    re.IGNORECASE,
)
_PROPOSED_THAT = _compile(
    r"\b(?:proposed|proposes|proposing|propose|suggested|suggests|suggest|demanded|demands|demand|insisted|"
    r"insists|insisting|insist|recommended|recommends|recommend|argued|argues|arguing|argue|asked|ask)\s+that\s+"
    + _NP
    + r"\s+(?P<be>be|not be)\s+(?P<rest>[^;]{3,})",
    re.IGNORECASE,
)
_CALLED_FOR_NP = _compile(
    r"\b(?:called for|calls for|calling for|pushed for|pushing for|push for|demanded|demands|proposed|"
    r"proposes|insisted on|insists on|insisting on|sought|seeks|seeking|argued for|"
    r"lobbied for|wanted|wants)\s+"
    r"(?P<clause>(?:a|an|the|its|their|his|her|mandatory|new|further|more|stricter|full)\s"
    r"[^,;.\"“”]{4,90}" + _WORD_END + r")",
    re.IGNORECASE,
)
# 5b. An opposed or criticised thing: "Human rights groups criticised the cut in troop numbers."
_OPPOSED_NP = _compile(
    r"\b(?:criticised|criticized|criticises|criticizes|condemned|condemns|opposed|opposes|objected to|"
    r"objects to|protested against|protested|protest against|rejected|rejects|contested|contests|challenged|"
    r"challenges|denounced|denounces|decried|decries|vetoed|vetoes|appealed against|appealed|"
    r"voted against|campaigned against|lobbied against|sued over|resisted|resists|opposing|"
    r"rejecting|criticising|criticizing|condemning|challenging)\s"
    r"(?P<clause>(?:the|a|an|its|their|his|her|plans?|proposals?)\s[^,;.\"“”]{4,80}" + _WORD_END + r")",
    re.IGNORECASE,
)
# Substrings one of which each verb of the pattern above contains (gates of `phrase_issue`).
_OPPOSED_STEMS = (
    *("critici", "condemn", "oppos", "object", "protest", "reject", "contest", "challeng"),
    *("denounc", "decri", "veto", "appeal", "against", "sued", "resist"),
)
# 6. A reported stance: "warned that …", "insisted that …", "was concerned that …", "says …".
_REPORTED_THAT = _compile(
    r"\b(?:said|says|say|argued|argues|argue|insisted|insists|insist|maintained|maintains|maintain|warned|warns|"
    r"warn|claimed|claims|claim|contended|contends|believes|believe|countered|counters|counter|"
    r"concerned|worried|fears|feared|alleged|alleges|acknowledged|stressed|stresses|noted|objected|"
    r"complained|complains|suggested|suggests|arguing|saying|insisting|claiming|warning|contending|"
    r"told \w+(?: \w+)?|evidence|proof|indications|signs|fears|testified|retorted|responded|replied|"
    r"concerns|allegations|suspicions)\s+(?:on \w+day\s+|in \w+\s+)?that\s+" + _CLAUSE,
    re.IGNORECASE,
)
# 6b. A reported stance without "that": "Parcelway says the two were dismissed for attendance violations".
_REPORTED_BARE = _compile(
    r"\b(?:said|says|argued|argues|insisted|insists|maintained|maintains|claimed|claims|contended|contends|"
    r"countered|counters|testified|believes|told (?:\w+\s){0,2}?(?:reporters|lawmakers|journalists|the \w+))"
    r"(?:\s(?:on \w+day|in a statement|last week|this week|at the time|again))?\s+"
    r"(?P<clause>(?:the|a|an|its|their|his|her|this|these|those|some|most|many|he|she|it|they|we|"
    r"[A-Z][\w'’\-]+)\s[^;]{8,})",
)
_REPORTED_BARE_VERBS = (
    *("said", "says", "argue", "insist", "maintain", "claim", "contend", "counter", "testified"),
    *("believes", "told"),
)
# 6c. A claim called false: "called the claim that wages fell "baseless"" → "Whether wages fell".
_CALLED_FALSE = _compile(
    r"\b(?:called|calls|branded|brands|described|describes|labelled|labeled|dismissed|dismisses)\s+"
    r"(?:the|its|their|his|her|this|that|these|those|such|[A-Z][\w\-]*['’]s)\s+(?:[\w\-'’]+\s){0,3}?"
    r"(?:claims?|accusations?|allegations?|suggestions?|assertions?|reports?|charges?|statements?|"
    r"idea|notion|argument)\s+that\s+(?P<clause>.+?)\s+(?:as\s+)?(?:false|untrue|baseless|unfounded|"
    r"misleading|inaccurate|wrong|nonsense|absurd|ridiculous|fabricated|a lie|lies|groundless)\b",
    re.IGNORECASE,
)
_CALLED_FOR_STEMS = ("for", "demand", "propos", "insist", "sought", "seek", "want")
# 7. A contested claim stated outright, with a modal or a negation: "The Council should have agreed a
#    clear end date", "The law does not give him the power to rewrite our strike" (a negation only in a
#    quoted claim: a plain "The verdict is not final" is a fact).
_MODAL_CLAIM = _compile(
    r"^(?P<clause>(?:[\w'’\-.]+\s){1,6}?(?:should|must|cannot|can't|would|could|will|won't)\s(?:not\s)?[^;]{6,})$",
    re.IGNORECASE,
)
_NEGATED_CLAIM = _compile(
    r"^(?P<clause>(?:[\w'’\-.]+\s){1,6}?(?:does|do|did|is|are|was|were|has|have)(?:\s(?:not|never)|n['’]t)\s"
    r"[^;]{6,})$",
    re.IGNORECASE,
)

_NEGATIONS = (
    (re.compile(r"\b(can)not\b|\b(can)'t\b|\b(can)’t\b", re.IGNORECASE), r"\1\2\3"),
    (re.compile(r"\bwon['’]t\b", re.IGNORECASE), "will"),
    (
        re.compile(r"\b(do|does|did|is|are|was|were|has|have|had|would|could|should)n['’]t\b", re.IGNORECASE),
        r"\1",
    ),
    (re.compile(r"\s(?:not)\s", re.IGNORECASE), " "),
)
# Every negation above contains one of these ("cannot", "can't", "won’t", "isn't", " not "): without
# one, the four substitutions change nothing.
_NEGATION_HINTS = ("not", "n't", "n’t")
_SUBORDINATE = _compile(r"\s(?:because|since|although|though|if|unless|when|after|before|until|as|while)\s")
_BREAK = _compile(
    r",\s(?:saying|adding|arguing|which|who|while|whereas|although|though|but|and said|citing|as)\s|"
    r";|\s[—–]\s|\.\s|,\s(?:said|says|told|added)\s|,\s(?:he|she|they|it|the \w+) (?:said|says|added)"
)
# "… the budget and Prime Minister Rui Valente said he …": a new speaker opens a new clause.
_NEW_SPEAKER = _compile(r"\s(?:and|but)\s(?=[A-Z][\w'’.\- ]{0,60}?\s(?:said|says|told|added)\b)")
_QUOTES = _compile(r"[\"“”‘’]|(?<!\w)'|'(?!\w)")
_QUOTE_MARKS = "\"“”‘’'"


def _unquoted(text: str) -> str:
    """`text` without its quote marks (`_QUOTES`); text with none is returned as it is, without the
    regex's pass over every position."""
    return _QUOTES.sub("", text) if any(mark in text for mark in _QUOTE_MARKS) else text


def _may_match(text: str, lower: str, *parts: str) -> bool:
    """Whether a case-insensitive pattern that needs one of `parts` (lower case) can match `text`: a
    substring test of `lower` (`text.lower()`), exact for ASCII text; other text is always tried (a
    non-ASCII character such as the Kelvin sign "K" matches an ASCII letter case-insensitively)."""
    return not text.isascii() or any(part in lower for part in parts)


# A section heading glued to the sentence by a blank line or double space ("Fans divided  The takeover …").
_HEADING = _compile(r"^[^.!?:;\s][^.!?:;]{0,58}?\s{2,}(?=[A-Z\"“])")
_LEADING = _compile(
    r"^(?:but|and|however|meanwhile|still|also|yet|instead|in response|in a statement)\s*,?\s+", re.IGNORECASE
)
# A clause that starts with one of these has no subject of its own.
_NO_SUBJECT = frozenset(
    {"had", "has", "have", "was", "were", "is", "are", "would", "will", "could", "should", "to", "be", "been"}
)
_PRONOUNS = frozenset({"He", "She", "It", "They", "We", "I", "You", "This", "That", "There", "Our", "Its"})
# "blamed each other for …": the issue is who is to blame.
_RECIPROCAL = frozenset({"each other", "one another"})
_IRREGULAR = {
    "taking": "took",
    "making": "made",
    "giving": "gave",
    "running": "ran",
    "holding": "held",
    "breaking": "broke",
    "hiding": "hid",
    "stealing": "stole",
    "selling": "sold",
    "buying": "bought",
    "paying": "paid",
    "leaving": "left",
    "misleading": "misled",
    "spending": "spent",
    "keeping": "kept",
    "sending": "sent",
    "bringing": "brought",
    "telling": "told",
    "saying": "said",
    "getting": "got",
    "putting": "put",
    "letting": "let",
    "setting": "set",
    "cutting": "cut",
    "hitting": "hit",
    "winning": "won",
    "losing": "lost",
    "being": "was",
    "having": "had",
    "doing": "did",
    "going": "went",
    "seeing": "saw",
    "seeking": "sought",
    "building": "built",
    "lying": "lied",
    "shooting": "shot",
    "striking": "struck",
    "leading": "led",
    "choosing": "chose",
    "writing": "wrote",
    "meeting": "met",
    "standing": "stood",
    "withholding": "withheld",
}


def past_of(gerund: str) -> str:
    """The simple past of an -ing form: "launching" → "launched", "firing" → "fired" (the dropped e
    comes back with -ed), "stopping" → "stopped", "carrying" → "carried"; a table for irregular verbs."""
    lower = gerund.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    stem = lower[:-3]
    if len(stem) >= 2 and stem.endswith("y") and stem[-2] not in "aeiou":
        return stem[:-1] + "ied"
    return stem + "ed"


def _clean(clause: str) -> str:
    """Quote marks out, negation neutralized (a question has no side), cut at the first break."""
    text = _unquoted(clause).strip()
    speaker = _NEW_SPEAKER.search(text) if " and " in text or " but " in text else None
    if speaker and len(text[: speaker.start()].split()) >= 2:
        text = text[: speaker.start()]
    cut = _BREAK.search(text)
    if cut and len(text[: cut.start()].split()) >= 4:
        text = text[: cut.start()]
    # only the main clause's negation: "… because the union had not given notice" keeps its "not"
    subordinate = _SUBORDINATE.search(text)
    head, tail = (text[: subordinate.start()], text[subordinate.start() :]) if subordinate else (text, "")
    if _may_match(head, head.lower(), *_NEGATION_HINTS):
        for pattern, replacement in _NEGATIONS:
            head = pattern.sub(replacement, head)
    text = head + tail
    words = text.split()
    if len(words) > MAX_ISSUE_WORDS:
        text = " ".join(words[:MAX_ISSUE_WORDS])
    return text.strip(" ,.;:!?—–-")


def _question(clause: str) -> str:
    """ "Whether <clause>", or "" when the clause has no subject ("that had threatened …" is a relative
    clause, not a claim)."""
    body = _clean(clause)
    if body.lower().startswith("whether "):
        body = body[8:]
    first = body.split(" ", 1)[0].lower()
    if len(body.split()) < 3 or first in _NO_SUBJECT:
        return ""
    raw = body.split(" ", 1)[0]
    if raw in _PRONOUNS and raw != "I":
        body = raw.lower() + body[len(raw) :]
    return f"Whether {body}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def phrase_issue(sentence: str, claim: str | None = None) -> str | None:
    """The issue of a dispute sentence as a neutral question or noun phrase; None when no rule applies.

    `claim` is the sentence without its attribution (`trim`): a modal claim is judged on it alone.
    The rules are tried from the most explicit statement of the contested point to the least: a named
    disagreement, a denied claim, an accusation, blame, a demand or proposal, a reported stance, a
    modal claim. See docs/offline.md for examples of each.
    """
    text = _LEADING.sub("", _HEADING.sub("", strip_dateline(sentence.strip()), count=1), count=1)
    plain = _unquoted(text)
    issue = ""
    lower = plain.lower()
    # Each rule is tried only when a word it needs is present (a substring test is ~50x cheaper than a
    # regex search that fails); the gates are necessary conditions, so the result is the same.
    whether = "whether" in lower
    that = "that" in lower
    if (
        (whether and (match := _OVER_WHETHER.search(plain)))
        or (that and (match := _CALLED_FALSE.search(plain)))
        or (that and (match := _DENIED_THAT.search(plain)))
        or ("," in plain and (match := _DENIED_SAYING.search(plain)))
        or (whether and (match := _EMBEDDED_WHETHER.search(plain)))
    ):
        issue = _question(match.group("clause"))
    elif "question" in lower and (match := _QUESTION_WH.search(plain)):
        issue = _capital(_clean(match.group("clause")))
    elif ("den" in lower or "reject" in lower) and (match := _DENIED_ROLE.search(plain)):
        issue = _capital(_clean(f"who was responsible for {match.group('clause')}"))
    elif (
        (_has(lower, "split", "divided", "polari") and (match := _DIVIDES.search(plain)))
        or (_has(lower, *_CONTESTED_WORDS) and (match := _CONTESTED_SUBJECT.search(plain)))
        or (_has(lower, "su", "appeal", "complaint", "legal") and (match := _SUED_OVER.search(plain)))
    ):
        issue = _capital(_clean(match.group("clause")))
    elif _has(lower, "accus", "suspect") and (match := _ACCUSED_OF.search(plain)):
        issue = _question(f"{match.group('np')} {past_of(match.group('verb'))}{match.group('rest')}")
    elif "for" in lower and (match := _BLAMED_FOR.search(plain)):
        cue = match.group("cue").lower()
        np, rest = match.group("np"), match.group("rest")
        if np.lower() in _RECIPROCAL:
            issue = _capital(_clean(f"who is to blame for {rest}")) if cue.startswith("blame") else ""
        elif cue.startswith("blame"):
            issue = _question(f"{np} is to blame for {rest}")
        elif re.match(r"\w+ing\b", rest):
            issue = _question(f"{np} was right in {rest}")
        else:
            issue = _question(f"{np} is at fault for {rest}")
    elif that and (match := _PROPOSED_THAT.search(plain)):
        issue = _question(f"{match.group('np')} should {match.group('be')} {match.group('rest')}")
    elif "to" in lower and (match := _CALLED_FOR_TO.search(plain)):
        issue = _question(f"{match.group('np')} should {match.group('verb')}{match.group('rest')}")
    elif (_has(lower, "over", "about") and (match := _OVER_NP.search(plain))) or (
        _may_match(plain, lower, *_OPPOSED_STEMS)
        and (match := _OPPOSED_NP.search(plain))
        and len(match.group("clause").split()) >= 3
    ):
        issue = _capital(_clean(match.group("clause")))
    elif (that and (match := _REPORTED_THAT.search(plain))) or (
        _has(plain, *_REPORTED_BARE_VERBS)
        and (match := _REPORTED_BARE.search(plain))
        and _states_claim(match.group("clause"))
        and not _speaker_after_quote(text, match.group("clause"))
    ):
        issue = _question(match.group("clause"))
    elif _may_match(plain, lower, *_CALLED_FOR_STEMS) and (match := _CALLED_FOR_NP.search(plain)):
        issue = _question(f"there should be {match.group('clause')}")
    elif (
        claim
        and not claim.startswith("I ")
        and (match := _MODAL_CLAIM.match(_unquoted(claim).rstrip(".!? ")))
    ) or (
        claim
        and plain != text
        and not claim.startswith("I ")
        and (match := _NEGATED_CLAIM.match(_unquoted(claim).rstrip(".!? ")))
    ):
        issue = _question(_lower_first(match.group("clause"), plain))
    return issue or None


def _states_claim(clause: str) -> bool:
    """A clause after "said" that is a claim, not the speaker of an inverted attribution ("…, said its
    chairwoman, Maeve Ryan") nor the speaker's own "I"."""
    head = clause.split(",", 1)[0]
    return not clause.startswith("I ") and len(head.split()) >= 4


# An inverted attribution after a quote: '"You cannot cut what you refuse to measure," said X.'
_INVERTED_SAY = _compile(
    r"[,.!?][\"”’]\s+(?:said|says|argued|argues|insisted|insists|told|added)\s+(?P<who>[^\"“”]+)$"
)


def _speaker_after_quote(text: str, clause: str) -> bool:
    """The clause after "said" is who said the quote before it, not a claim of theirs."""
    inverted = _INVERTED_SAY.search(text.rstrip())
    return inverted is not None and inverted.group("who").rstrip(" .").startswith(clause.rstrip(" .")[:20])


def _has(text: str, *parts: str) -> bool:
    return any(part in text for part in parts)


def _lower_first(text: str, sentence: str = "") -> str:
    """Lowercase a claim's first word unless it looks like a name: a determiner is lowered, and so is
    a word the sentence it was trimmed from writes in lower case ("… said guidance should remain …"
    trims to "Guidance should remain …"; the question is "Whether guidance should remain …")."""
    first = text.split(" ", 1)[0]
    low = first.lower()
    if low in {"the", "a", "an", "this", "these", "those"} or (
        first != low and re.search(rf"(?<![\w'’]){re.escape(low)}(?![\w'’])", sentence)
    ):
        return low + text[len(first) :]
    return text


# A denial whose object points back ("Sabiá denied the claim.", "Meridian rejected that account."):
# the contested claim is the sentence before it.
_ANSWERS_PREVIOUS = _compile(
    r"\b(?:denied|denies|deny|rejected|rejects|reject|disputed|disputes|dispute|dismissed|dismisses|contested|"
    r"contests|challenged|challenges|questioned|questions|refuted|refutes|disagreed with|disagrees with|"
    r"pushed back on|pushed back against)\s+(?:the|that|this|these|those|such|his|her|their|its)\s+"
    r"(?:[\w\-]+\s)?(?:claims?|accounts?|accusations?|allegations?|criticisms?|figures?|comparisons?|"
    r"suggestions?|characteri[sz]ations?|charges?|assertions?|arguments?|view|version|warnings?|"
    r"estimates?|numbers?|findings?|reports?|conclusions?|descriptions?|interpretation|reading|"
    r"account|narrative|timeline|criticism)\b(?!\s+that\b)",
    re.IGNORECASE,
)


# A counter-claim: a sentence led by "But" / "However" that reports what another side says
# ("But residents said the water smelled of chlorine.") answers the claim just before it.
_COUNTERS_PREVIOUS = _compile(
    r"^(?:But|However|Yet|In response|Responding|In reply)\b,?\s+"
    r"(?:[^,;\"“]{2,60}?|[^,;\"“]{2,40}?,\s[^,;\"“]{2,60}?,)\s+"
    r"(?:said|says|argued|argue|argues|insisted|insist|insists|maintained|maintain|maintains|countered|"
    r"counter|counters|contended|contend|contends|claimed|claim|claims|disputed|dispute|disputes|denied|"
    r"deny|denies|rejected|reject|rejects)\b"
)
# The previous sentence states a claim someone makes (a reporting verb or a stance).
_STATES_CLAIM = _compile(
    r"\b(?:said|says|argued|argues|insisted|insists|claimed|claims|alleged|alleges|maintained|maintains|"
    r"warned|warns|accused|accuses|told|believes|contended|contends|according to)\b"
)


_HOWEVER_SAID = _compile(
    r"^[^,;\"“]{2,60},\s(?:however|though|for (?:its|his|her|their) part),\s(?:\w+\s)?"
    r"(?:said|says|argued|argues|insisted|insists|maintained|maintains|countered|counters|contended|contends|claimed|claims)\b"
)


def counters_previous(sentence: str, previous: str) -> bool:
    """The sentence sets another side's claim against the claim made in the sentence before ("But
    residents said …", "The ministry, however, said …", "In response, the company said …")."""
    return (
        _COUNTERS_PREVIOUS.match(sentence) is not None or _HOWEVER_SAID.match(sentence) is not None
    ) and _STATES_CLAIM.search(previous) is not None


_SAY_VERB = (
    r"(?:said|says|argued|argues|insisted|insists|maintained|maintains|claimed|claims|contended|contends)"
)
# "X said A, but Y said B": two sides and their positions in one sentence.
_TWO_CLAIMS = re.compile(
    r"^(?P<first>[^,;\"“]{2,80}?)\s"
    + _SAY_VERB
    + r"\s(?:that\s)?(?P<one>[^;]{8,}?),?\s(?:but|while|whereas)\s"
    r"(?P<second>[^,;\"“]{2,80}?)\s" + _SAY_VERB + r"\s(?:that\s)?(?P<other>[^;]{8,}?)[.!?]?$"
)


def two_claims(sentence: str) -> tuple[str, str, str, str] | None:
    """(first speaker, first claim, second speaker, second claim) of "X said A, but Y said B"."""
    if "but" not in sentence and "while" not in sentence and "whereas" not in sentence:
        return None  # the pattern needs one of them (a substring test is far cheaper than its match)
    match = _TWO_CLAIMS.match(strip_dateline(sentence).strip())
    if match is None:
        return None
    return (
        match.group("first"),
        _capital(match.group("one")),
        match.group("second"),
        _capital(match.group("other")),
    )


# Verbs by which one side opposes another: such a dispute has two sides even when only one is named.
_OPPOSING = _compile(
    r"\b(?:reject|den(?:y|ied|ies|ial)|disput|critici[sz]|accus|condemn|oppos|object|challeng|contest|"
    r"refut|rebuff|denounc|decr(?:y|ied|ies)|dismiss|blam|sued\b|sues\b|suing|lawsuit|appeal|veto|"
    r"counter|disagre|pushed back|push back|hit back|hits back|slammed|attack)",
    re.IGNORECASE,
)


def opposes(sentence: str) -> bool:
    """The sentence states one side acting against another (a rejection, accusation, lawsuit, veto …)."""
    return _OPPOSING.search(sentence) is not None


# Substrings one of which each verb of `_ANSWERS_PREVIOUS` (and so of `_ANSWERS_BARE`) contains.
_ANSWER_STEMS = (
    *("den", "reject", "disput", "dismiss", "contest", "challeng", "question", "refut", "disagree"),
    "pushed back",
)
# The same with a bare pointer as the object, ending the clause: "Brightwell denies that.",
# "Otieno rejected this, saying …" (not "denied that it had …", a claim of its own).
_ANSWERS_BARE = _compile(
    r"\b(?:denied|denies|deny|rejected|rejects|reject|disputed|disputes|dispute|dismissed|dismisses|contested|"
    r"contests|refuted|refutes|disagreed with|disagrees with)\s+(?:that|this|it)\s*(?=[.,;:!?—–\"“]|$)",
    re.IGNORECASE,
)


# "<Who> says <claim>": a claim and whoever makes it, from the start of a sentence.
_SIDE_SAYS = _compile(
    r"^(?P<who>(?:[\w'’.-]+\s){1,6}?)(?:says|said|argues|argued|insists|insisted|maintains|maintained|"
    r"contends|contended|claims|claimed)\s(?:that\s)?(?P<claim>[^;]{12,})"
)
_LONG_WORD = _compile(r"[a-z]{4,}")
_SAYS_HINTS = ("says", "said", "argue", "insist", "mainta", "conten", "claim")  # in every `_SIDE_SAYS` verb
CLAIM_OVERLAP = 2  # content words two sides' claims share when they are about one thing


def contests_claim(sentence: str, previous: str) -> bool:
    """Two sides state claims about one thing, one sentence each ("Lithmar says the boats were in
    its waters." / "Savonia says the boats were in Savonian waters."): another speaker, and at least
    `CLAIM_OVERLAP` content words of four letters or more in common."""
    if not (_has(sentence, *_SAYS_HINTS) and _has(previous, *_SAYS_HINTS)):
        return False
    mine, theirs = _SIDE_SAYS.match(strip_dateline(sentence)), _SIDE_SAYS.match(strip_dateline(previous))
    if mine is None or theirs is None:
        return False
    if mine.group("who").strip().lower() == theirs.group("who").strip().lower():
        return False
    words = [set(_LONG_WORD.findall(m.group("claim").lower())) - ENGLISH_STOP_WORDS for m in (mine, theirs)]
    return len(words[0] & words[1]) >= CLAIM_OVERLAP


def answers_previous(sentence: str) -> bool:
    """The sentence rejects a claim it only points to ("rejected that account", "denies that."),
    stated just before."""
    if not _may_match(sentence, sentence.lower(), *_ANSWER_STEMS):
        return False
    return _ANSWERS_PREVIOUS.search(sentence) is not None or _ANSWERS_BARE.search(sentence) is not None


def claim_issue(sentence: str, claim: str) -> str:
    """The issue of a claim that the next sentence rejects: its contested clause when a rule finds
    one, else the claim itself (without attribution) as a "Whether …" question."""
    return (
        phrase_issue(sentence, claim)
        or _question(_lower_first(claim, _unquoted(sentence)))
        or _capital(_clean(claim))
    )
