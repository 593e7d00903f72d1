"""The faithfulness set: minimal perturbations of true gold statements, to measure the claim check.

Built by code from the gold briefs and their articles, deterministically: every gold statement
(headline, summary sentences, status texts, next-step actions) is kept untouched, and each rule
below that applies to it makes one perturbed copy, labelled with its type:

* `number`: a number changed (digits +1 or x2, a written number to another);
* `date`: a weekday, month or year changed;
* `name_not_in_article`: a name replaced by one the article never mentions;
* `name_same_article`: a name replaced by another actor's name from the same article;
* `negation`: a negation added after an auxiliary ("will" → "will not"), removed, or an opposite
  verb swapped in ("approved" → "rejected");
* `who_did_what`: the first two names swapped.

Each statement is checked as a free-standing claim against its article (`briefing.claims.
verify_claim`: evidence sentences are found, then facts checked). Detection is the verdict
`unsupported`; a false alarm is `unsupported` on an untouched statement. Figures are reported per
gold split: tune the checker on `dev` only; `test` is measured, never tuned on. `variant="caseless"`
lower-cases and PTB-tokenizes every statement first.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from briefing.claims import ANTONYMS, analyse, verify_claim
from briefing.evaluation.dataset import Dataset, EvalCase

KINDS = ("number", "date", "name_not_in_article", "name_same_article", "negation", "who_did_what")
TARGETS = {
    "number": 0.90,
    "date": 0.90,
    "name_not_in_article": 0.90,
    "negation": 0.60,
    "name_same_article": 0.60,
}
MAX_FALSE_ALARMS = 0.05
OUTSIDE_NAMES = (
    "Halvard Quenneville", "Oksana Pemberton-Ruiz", "Tadeusz Okonkwo", "Marisol Vandermeer",
    "Ingrid Achebe-Lindqvist", "Benedikt Oyelaran", "Zofia Castellanos", "Leopold Nakashima",
)  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_WRITTEN = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "twenty")
_AUX = re.compile(r"\b(is|are|was|were|will|would|has|have|had|can|could|should|must)\b(?! not\b)")
_NEGATED = re.compile(
    r"\b(?:(is|are|was|were|will|would|has|have|had|can|could|should|must|did|does|do) not|no longer)\b"
)
_NAME = re.compile(r"(?<=[\w,;] )(?:[A-Z][\w'’-]+)(?: (?:[A-Z][\w'’-]+))*")


@dataclass(frozen=True)
class Statement:
    case_id: str
    split: str
    kind: str  # "untouched" or one of KINDS
    text: str
    original: str


def _pick(seed: str, options: list[str]) -> str:
    return options[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(options)]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip()) if s]


def gold_statements(case: EvalCase) -> list[str]:
    """The true statements of a gold brief, as the annotator wrote them."""
    gold = case.gold
    if gold is None:
        return []
    texts = [gold.headline, *_sentences(gold.summary), *(s.text for s in gold.status)]
    texts += [step.action for step in gold.next_steps]
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


def _number(text: str, seed: str) -> str | None:
    digits = list(re.finditer(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])", text))
    digits = [m for m in digits if not (1900 <= _int(m.group()) <= 2100)]
    if digits:
        match = digits[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(digits)]
        value = match.group()
        head, _, tail = value.rpartition(".") if "." in value else ("", "", "")
        if head:  # 7.8 -> 7.9
            changed = f"{head}.{(int(tail) + 1) % 10 ** len(tail):0{len(tail)}d}"
        else:
            number = int(value.replace(",", ""))
            changed = f"{number * 2 if number < 10 else number + number // 10 + 1:,}"
            if "," not in value:
                changed = changed.replace(",", "")
        return text[: match.start()] + changed + text[match.end() :]
    for word in _WRITTEN:
        found = re.search(rf"\b{word}\b", text, re.IGNORECASE)
        if found:
            other = _pick(seed, [w for w in _WRITTEN if w != word])
            other = other.capitalize() if found.group()[0].isupper() else other
            return text[: found.start()] + other + text[found.end() :]
    return None


def _int(value: str) -> int:
    try:
        return int(value.replace(",", ""))
    except ValueError:
        return -1


def _date(text: str, seed: str) -> str | None:
    for names in (_WEEKDAYS, _MONTHS):
        for name in names:
            found = re.search(rf"\b{name}\b", text)
            if found and not (name == "May" and found.start() == 0):
                other = _pick(seed, [n for n in names if n != name])
                return text[: found.start()] + other + text[found.end() :]
    year = re.search(r"\b(19|20)\d\d\b", text)
    if year:
        changed = str(int(year.group()) + (1 if int(seed[-1], 16) % 2 else -1))
        return text[: year.start()] + changed + text[year.end() :]
    return None


def _names_in(text: str, article: str) -> list[re.Match[str]]:
    return [m for m in _NAME.finditer(text) if m.group() in article and len(m.group()) > 2]


def _not_in_article(text: str, case: EvalCase, seed: str) -> str | None:
    names = _names_in(text, case.article)
    if not names:
        return None
    match = names[0]
    pool = [n for n in OUTSIDE_NAMES if not set(n.split()) & set(case.article.split())]
    replacement = _pick(seed, pool)
    if len(match.group().split()) == 1:
        replacement = replacement.split()[-1]
    return text[: match.start()] + replacement + text[match.end() :]


def _actor_names(case: EvalCase) -> list[str]:
    if case.gold is None:
        return []
    return [name for actor in case.gold.actors for name in actor.names if name in case.article]


def _same_article(text: str, case: EvalCase, seed: str) -> str | None:
    names = _names_in(text, case.article)
    if not names:
        return None
    match = names[0]
    group = (
        next((a.names for a in case.gold.actors if match.group() in a.names), [match.group()])
        if case.gold
        else []
    )
    words = {w for name in group for w in name.split()}
    others = [
        n for n in _actor_names(case) if not set(n.split()) & words and n not in text and n[0].isupper()
    ]
    if not others:
        return None
    replacement = _pick(seed, sorted(set(others)))
    return text[: match.start()] + replacement + text[match.end() :]


def _negation(text: str, seed: str) -> str | None:
    negated = _NEGATED.search(text)
    if negated:
        if negated.group(1):
            kept = negated.group(1)
            return (
                text[: negated.start()]
                + ("" if kept in {"did", "does", "do"} else kept)
                + text[negated.end() :]
            )
        return text[: negated.start()] + "still" + text[negated.end() :]
    for word in re.findall(r"[A-Za-z]+", text):
        opposites = ANTONYMS.get(word.lower())
        if opposites and word.lower() not in {"more", "before", "after", "above", "up", "down"}:
            other = sorted(opposites)[0]
            return re.sub(rf"\b{word}\b", other, text, count=1)
    aux = _AUX.search(text)
    if aux:
        return text[: aux.end()] + " not" + text[aux.end() :]
    return None


def _who_did_what(text: str, case: EvalCase) -> str | None:
    names = _names_in(text, case.article)
    if len(names) < 2 or names[0].group() == names[1].group():
        return None
    first, second = names[0], names[1]
    return (
        text[: first.start()] + second.group() + text[first.end() : second.start()] + first.group()
        + text[second.end() :]
    )  # fmt: skip


def caseless(text: str) -> str:
    """Lower-case and PTB-tokenize a statement, as many summarization datasets store claims."""
    text = text.lower()
    text = re.sub(r"[;:!?%()\"]|(?<!\d)[.,]|[.,](?!\d)", lambda m: f" {m.group()} ", text)
    text = re.sub(r"(\w)('s|n't)\b", r"\1 \2", text)
    return " ".join(text.split())


def build(dataset: Dataset) -> list[Statement]:
    """Every gold statement untouched, plus one perturbed copy per rule that applies to it."""
    statements: list[Statement] = []
    for case in dataset.cases:
        if (case.language or "en") != "en":
            continue  # the check compares words: claim and article must share a language
        for index, text in enumerate(gold_statements(case)):
            seed = hashlib.sha256(f"{case.id}:{index}".encode()).hexdigest()
            statements.append(Statement(case.id, case.split, "untouched", text, text))
            made = {
                "number": _number(text, seed),
                "date": _date(text, seed),
                "name_not_in_article": _not_in_article(text, case, seed),
                "name_same_article": _same_article(text, case, seed),
                "negation": _negation(text, seed),
                "who_did_what": _who_did_what(text, case),
            }
            for kind, changed in made.items():
                if changed and changed != text:
                    statements.append(Statement(case.id, case.split, kind, changed, text))
    return statements


@dataclass
class Figures:
    """Detection recall per kind and the false-alarm rate, for one split and variant."""

    split: str
    variant: str
    recall: dict[str, float]
    counts: dict[str, int]
    false_alarm_rate: float
    untouched: int
    misses: dict[str, list[str]]
    false_alarms: list[str]

    def failures(self) -> list[str]:
        """Targets this split misses (empty when every target is met)."""
        out = [
            f"{kind} recall {self.recall[kind]:.3f} < {target}"
            for kind, target in TARGETS.items()
            if kind in self.recall and self.recall[kind] < target
        ]
        if self.false_alarm_rate > MAX_FALSE_ALARMS:
            out.append(f"false alarms {self.false_alarm_rate:.3f} > {MAX_FALSE_ALARMS}")
        return out


def measure(dataset: Dataset, *, variant: str = "cased") -> list[Figures]:
    """Figures per split (in the dataset's order of splits)."""
    articles = {case.id: case.article for case in dataset.cases}
    by_split: dict[str, list[Statement]] = defaultdict(list)
    for statement in build(dataset):
        by_split[statement.split].append(statement)
    results = []
    for split, statements in by_split.items():
        hits: dict[str, list[bool]] = defaultdict(list)
        misses: dict[str, list[str]] = defaultdict(list)
        alarms: list[str] = []
        for statement in statements:
            text = caseless(statement.text) if variant == "caseless" else statement.text
            result = verify_claim(text, analyse(_article(articles[statement.case_id])))
            flagged = result.verdict == "unsupported"
            hits[statement.kind].append(flagged)
            if statement.kind == "untouched" and flagged:
                alarms.append(f"{statement.case_id}: {text} -> {result.reasons}")
            elif statement.kind != "untouched" and not flagged:
                misses[statement.kind].append(f"{statement.case_id}: {text}")
        untouched = hits.pop("untouched", [])
        results.append(
            Figures(
                split=split,
                variant=variant,
                recall={kind: sum(v) / len(v) for kind, v in hits.items() if v},
                counts={kind: len(v) for kind, v in hits.items()},
                false_alarm_rate=sum(untouched) / len(untouched) if untouched else 0.0,
                untouched=len(untouched),
                misses=dict(misses),
                false_alarms=alarms,
            )
        )
    return results


def _article(text: str) -> str:
    from briefing.models import normalize_text

    return normalize_text(text)


def table(figures: Iterable[Figures]) -> str:
    """A Markdown table: one row per split and variant."""
    rows = ["| split | variant | untouched (false alarms) | " + " | ".join(KINDS) + " |"]
    rows.append("|" + " --- |" * (3 + len(KINDS)))
    for f in figures:
        cells = [f"{f.recall[k]:.2f} (n={f.counts[k]})" if k in f.recall else "–" for k in KINDS]
        rows.append(
            f"| {f.split} | {f.variant} | {f.false_alarm_rate:.3f} (n={f.untouched}) | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    from pathlib import Path

    from briefing.evaluation.dataset import load_gold_dir

    gold = load_gold_dir(Path(__file__).resolve().parents[2] / "evals" / "gold")
    print(table([*measure(gold), *measure(gold, variant="caseless")]))
