"""A brief as Markdown, for terminals, e-mail digests and the API's text/markdown responses.

Evidence is shown as block quotes under each item so a reader can check every claim at a glance;
a quote not found in the article says so in words, and an item the claim check does not back
carries its reasons (strict mode has already dropped both if asked).
"""

from __future__ import annotations

from briefing.models import Brief, Evidence, _Item

_UNGROUNDED = " *(evidence not found in the article)*"


def _escape(text: str) -> str:
    """Keep article text from turning into Markdown structure (headings, lists, HTML)."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for char in "*_`[]":
        text = text.replace(char, "\\" + char)
    return text


NOT_FOUND = "not found in the article"


def _evidence(evidence: list[Evidence]) -> list[str]:
    """One block quote per quote; an unfound one says so before its words, never as plain evidence."""
    lines = []
    for item in evidence:
        quote = _escape(" ".join(item.quote.split()))
        lines.append(f"  > **({NOT_FOUND})** ~~{quote}~~" if item.grounded is False else f"  > {quote}")
    return lines


def _mark(item: _Item) -> str:
    mark = _UNGROUNDED if item.grounded is False else ""
    if item.supported is False and item.evidence and any(e.grounded for e in item.evidence):
        mark += f" *(unsupported: {_escape('; '.join(item.reasons))})*"
    opinion = item.second_opinion
    if opinion is not None and opinion.verdict == "supported" and item.supported and item.reasons:
        mark += f" *(supported in the LLM's second opinion: {_escape(opinion.reason)})*"
    return mark


def brief_to_markdown(brief: Brief) -> str:
    """Markdown with one section per non-empty part of the brief and a metadata footer."""
    lines = [f"# {_escape(brief.headline)}", "", _escape(brief.summary), ""]
    for part, reasons in (("headline", brief.meta.headline_reasons), ("summary", brief.meta.summary_reasons)):
        if reasons:
            lines += [f"*(the {part} is not supported by the article: {_escape('; '.join(reasons))})*", ""]

    if brief.actors:
        lines += ["## Key actors", ""]
        for actor in brief.actors:
            head = f"**{_escape(actor.name)}**"
            if actor.role:
                head += f" — {_escape(actor.role)}"
            if actor.aliases:
                head += f" (also: {', '.join(_escape(alias) for alias in actor.aliases)})"
            if actor.stance:
                head += f". Stance: {_escape(actor.stance)}"
            lines += [f"- {head}{_mark(actor)}", *_evidence(actor.evidence)]
        lines.append("")

    if brief.status:
        lines += ["## Status", ""]
        for item in brief.status:
            lines += [f"- {_escape(item.text)}{_mark(item)}", *_evidence(item.evidence)]
        lines.append("")

    if brief.disputes:
        lines += ["## Disputes", ""]
        for dispute in brief.disputes:
            head = f"**{_escape(dispute.issue)}**"
            if dispute.parties:
                head += f" ({', '.join(_escape(party) for party in dispute.parties)})"
            lines.append(f"- {head}{_mark(dispute)}")
            lines += [f"  - {_escape(p.party)}: {_escape(p.position)}" for p in dispute.positions]
            lines += _evidence(dispute.evidence)
        lines.append("")

    if brief.next_steps:
        lines += ["## Next steps", ""]
        for step in brief.next_steps:
            details = [part for part in (step.who, step.when, step.certainty) if part]
            suffix = f" ({'; '.join(_escape(part) for part in details)})" if details else ""
            lines += [f"- {_escape(step.action)}{suffix}{_mark(step)}", *_evidence(step.evidence)]
        lines.append("")

    lines += ["---", _footer(brief)]
    return "\n".join(lines) + "\n"


def _footer(brief: Brief) -> str:
    meta = brief.meta
    parts = [f"engine: {meta.engine}"]
    if meta.model:
        parts.append(f"model: {meta.model}")
    if meta.grounded_ratio is not None:
        parts.append(f"grounded: {meta.grounded_ratio:.0%}")
    if meta.quotes_total:
        parts.append(f"quotes found: {meta.quotes_found}/{meta.quotes_total}")
    if meta.supported_ratio is not None:
        parts.append(f"supported: {meta.supported_ratio:.0%}")
    if meta.llm_calls:
        parts.append(f"LLM calls: {meta.llm_calls}")
        parts.append(f"tokens: {meta.prompt_tokens} in / {meta.completion_tokens} out")
    if meta.cost_usd is not None and (meta.llm_calls or meta.cost_usd):
        parts.append(f"cost: ${meta.cost_usd:.4f}")
    if meta.cached:
        parts.append("cached")
    footer = "*" + " · ".join(parts) + "*"
    for warning in meta.warnings:
        footer += f"\n\n> warning: {_escape(warning)}"
    return footer
