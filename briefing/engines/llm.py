"""The LLM engine: one call when the article fits, map-reduce when it does not.

Map: the article is cut into token-bounded chunks that are briefed concurrently (the client's
semaphore bounds how many at once). Reduce: partial briefs are merged with the reduce prompt,
in as many rounds as it takes for each round's input to fit the context window. Quotes stay
verbatim through the reduce step; grounding happens once, on the final brief, in the pipeline.
Every message list starts with the same static system prompt so provider prompt caching applies.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx2

from briefing import progress
from briefing.chunking import Chunk, chunk_text
from briefing.config import Settings
from briefing.engines.llm_schema import DraftBrief, brief_to_draft, draft_json_schema, draft_to_brief
from briefing.errors import ConfigError, InputError, LLMUnavailableError
from briefing.grounding import fold
from briefing.llm import LLMClient, Messages, Reply, Usage
from briefing.models import Article, Brief, BriefMeta, BriefOptions
from briefing.pricing import model_info
from briefing.prompts import Prompts
from briefing.tokens import load_tokenizer

T = TypeVar("T")

# Chat formatting costs a few tokens per message plus the reply priming (OpenAI's published rule).
MESSAGE_OVERHEAD_TOKENS = 11
# When our tokenizer only approximates the model's, keep this share of the budget in reserve.
APPROXIMATION_MARGIN = 0.9


@dataclass(frozen=True)
class CallPlan:
    """The LLM calls a brief would make (see `LLMEngine.estimate`); completion and cost are upper bounds."""

    model: str
    chunks: int
    calls: int
    prompt_tokens: int
    completion_tokens_max: int
    cost_usd_max: float | None


class LLMEngine:
    """Briefs with any OpenAI-compatible model (see the module docstring for the strategy)."""

    name = "llm"

    def __init__(
        self,
        settings: Settings,
        model: str | None = None,
        *,
        http_client: httpx2.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self._model = model or settings.model
        self.prompts = Prompts(settings.prompts_dir)
        self.client = LLMClient(settings, self._model, http_client=http_client, sleep=sleep)
        self.tokenizer = load_tokenizer(self._model)
        self.info = model_info(self._model, settings)
        self.schema = draft_json_schema()
        self.system_prompt = self.prompts.render("brief/system.j2", language=settings.brief_language)
        self._system_tokens = self.tokenizer.count(self.system_prompt)

    @property
    def model(self) -> str:
        return self._model

    async def aclose(self) -> None:
        """Close the HTTP connections of the client (and of an injected `http_client`)."""
        await self.client.aclose()

    @property
    def prompt_version(self) -> str:
        """The templates' hash, salted with the output language when it is not the default and
        with the endpoint when it is not OpenAI's: it is part of the cache key, and the same model
        name on another server (or another language) is another brief."""
        salt = []
        if self.settings.brief_language != "English":
            salt.append(self.settings.brief_language)
        if self.settings.openai_base_url:
            salt.append(self.settings.openai_base_url.strip().rstrip("/"))
        if not salt:
            return self.prompts.version
        salted = ":".join([self.prompts.version, *salt]).encode()
        return hashlib.sha256(salted).hexdigest()[:12]

    # --- prompts and budgets -------------------------------------------------------------------

    def messages(self, template: str, **values: object) -> Messages:
        return [
            {"role": "system", "content": self.system_prompt},
            {"role": "user", "content": self.prompts.render(template, **values)},
        ]

    def budget(self, template: str, **values: object) -> int:
        """Tokens left for the data in `template`: window − prompt − reserved output."""
        prompt = self._system_tokens + self.tokenizer.count(self.prompts.render(template, **values))
        room = self.info.context_window - prompt - MESSAGE_OVERHEAD_TOKENS - self.settings.max_output_tokens
        if self.tokenizer.approximate:
            room = int(room * APPROXIMATION_MARGIN)
        if room < 1:
            raise ConfigError(
                f"the context window of {self._model} ({self.info.context_window} tokens) leaves no room "
                "for the article; lower BRIEFING_MAX_OUTPUT_TOKENS or set BRIEFING_CONTEXT_WINDOWS"
            )
        return room

    async def _ask(self, messages: Messages, usage: Usage) -> DraftBrief:
        reply: Reply[DraftBrief] = await self.client.structured(
            messages,
            DraftBrief,
            schema=self.schema,
            schema_name="brief",
            repair=lambda problem: self.prompts.render("brief/repair.j2", error=problem),
        )
        usage.add(reply.usage)
        progress.call_done(
            reply.usage.prompt_tokens,
            reply.usage.completion_tokens,
            self.info.cost(reply.usage.prompt_tokens, reply.usage.completion_tokens),
        )
        return reply.value

    # --- brief ---------------------------------------------------------------------------------

    def plan(self, article: Article) -> list[Chunk] | None:
        """None when the article fits one call; otherwise the chunks the map step will brief."""
        limit = self.budget("brief/single.j2", article="", title=article.title)
        if self.settings.chunk_tokens:
            limit = min(limit, self.settings.chunk_tokens)
        if self.tokenizer.count(article.text) <= limit:
            return None
        size = self.budget("brief/map.j2", article="", title=article.title, part=999, parts=999)
        if self.settings.chunk_tokens:
            size = min(size, self.settings.chunk_tokens)
        return chunk_text(article.text, self.tokenizer, size, self.settings.chunk_overlap_tokens)

    def estimate(self, article: Article) -> CallPlan:
        """What briefing `article` would take, without calling the LLM (`briefing brief --dry-run`).

        Prompt tokens are counted as the calls would send them. Completion tokens are not known
        before the model answers, so each call is counted at its cap (BRIEFING_MAX_OUTPUT_TOKENS):
        the completion figure, the reduce calls (whose input is the map calls' output) and the
        cost are upper bounds.
        """
        title = article.title
        overhead = self._system_tokens + MESSAGE_OVERHEAD_TOKENS
        cap = self.settings.max_output_tokens
        chunks = self.plan(article)
        if chunks is None:
            prompts = [
                overhead
                + self.tokenizer.count(
                    self.prompts.render("brief/single.j2", article=article.text, title=title)
                )
            ]
        else:
            prompts = [
                overhead
                + self.tokenizer.count(
                    self.prompts.render(
                        "brief/map.j2", article=chunk.text, title=title, part=i + 1, parts=len(chunks)
                    )
                )
                for i, chunk in enumerate(chunks)
            ]
            prompts += self._reduce_estimate(len(chunks), overhead)
        prompt_tokens = sum(prompts)
        completion_tokens = cap * len(prompts)
        return CallPlan(
            model=self._model,
            chunks=len(chunks or [article]),
            calls=len(prompts),
            prompt_tokens=prompt_tokens,
            completion_tokens_max=completion_tokens,
            cost_usd_max=self.info.cost(prompt_tokens, completion_tokens),
        )

    def _reduce_estimate(self, drafts: int, overhead: int) -> list[int]:
        """Prompt tokens of each reduce call when every partial brief is as long as allowed."""
        size = self.settings.max_output_tokens + 1
        template = self.tokenizer.count(
            self.prompts.render("brief/reduce.j2", briefs="", count=drafts, sources=1)
        )
        budget = self.budget("brief/reduce.j2", briefs="", count=drafts, sources=1)
        per_call = max(2, budget // size)
        prompts: list[int] = []
        while drafts > 1:
            groups = [min(per_call, drafts - start) for start in range(0, drafts, per_call)]
            prompts += [overhead + template + members * size for members in groups if members > 1]
            drafts = len(groups)
        return prompts

    async def _bounded(self, work: Awaitable[T], what: str) -> T:
        """Run `work` within BRIEFING_LLM_DEADLINE, so an endpoint that never answers costs a bounded
        wait (all tries, backoff sleeps and chunks together), then a clear error."""
        deadline = self.settings.llm_deadline
        scope = asyncio.timeout(deadline)
        try:
            async with scope:
                return await work
        except TimeoutError:
            if not scope.expired():
                raise
            where = self.settings.openai_base_url or "api.openai.com"
            raise LLMUnavailableError(
                f"LLM {self._model} at {where} gave no {what} within {deadline:g}s "
                "(BRIEFING_LLM_DEADLINE, all tries and chunks together); try again later",
            ) from None

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        return await self._bounded(self._brief(article), "brief")

    async def _brief(self, article: Article) -> Brief:
        usage = Usage()
        warnings = self._model_warnings()
        title = article.title
        chunks = self.plan(article)
        progress.calls_planned(len(chunks or [article]))
        if chunks is None:
            draft = await self._ask(
                self.messages("brief/single.j2", article=article.text, title=title), usage
            )
        else:
            partials = await _all(
                self._ask(
                    self.messages(
                        "brief/map.j2", article=chunk.text, title=title, part=i + 1, parts=len(chunks)
                    ),
                    usage,
                )
                for i, chunk in enumerate(chunks)
            )
            draft = await self._reduce(partials, usage, sources=1)
        if self.tokenizer.approximate and chunks is not None:
            warnings.append(
                f"tokens counted with {self.tokenizer.name} (the {self.tokenizer.wanted} encoding is not "
                "available offline); chunk budgets keep a 10% margin"
            )
        meta = self._meta(usage, chunks=len(chunks or [1]), warnings=warnings, as_of=article.published_at)
        return draft_to_brief(draft, meta, article_id=article.id)

    # --- merge (reduce) ------------------------------------------------------------------------

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        """One brief from several (parts of one article, or articles of one story).

        Each evidence item keeps the `article_id` of the brief its quote came from. The merged
        brief's usage counts the merge calls only (the inputs carry their own).
        """
        if not briefs:
            raise InputError("nothing to merge: give at least one brief")
        if len(briefs) == 1:
            return briefs[0].model_copy(deep=True)
        return await self._bounded(self._merge(briefs), "merged brief")

    async def _merge(self, briefs: Sequence[Brief]) -> Brief:
        article_ids = {brief.article_id for brief in briefs}
        usage = Usage()
        draft = await self._reduce([brief_to_draft(b) for b in briefs], usage, sources=len(article_ids))
        dates = [brief.meta.as_of for brief in briefs if brief.meta.as_of is not None]
        meta = self._meta(
            usage, chunks=len(briefs), warnings=self._model_warnings(), as_of=max(dates, default=None)
        )
        only_article = next(iter(article_ids)) if len(article_ids) == 1 else None
        return draft_to_brief(
            draft, meta, article_id=only_article, quote_source=_quote_sources(briefs, draft)
        )

    async def _reduce(self, drafts: list[DraftBrief], usage: Usage, *, sources: int) -> DraftBrief:
        """Merge drafts in rounds; each round's groups fit the context window."""
        while len(drafts) > 1:
            groups = self._group(drafts, sources)
            progress.calls_planned(sum(1 for members in groups if len(members) > 1))
            drafts = await _all(
                self._ask(self._reduce_messages(members, sources), usage)
                if len(members) > 1
                else _ready(members[0])
                for members in groups
            )
        return drafts[0]

    def _reduce_messages(self, drafts: list[DraftBrief], sources: int) -> Messages:
        return self.messages(
            "brief/reduce.j2", briefs=_drafts_json(drafts), count=len(drafts), sources=sources
        )

    def _group(self, drafts: list[DraftBrief], sources: int) -> list[list[DraftBrief]]:
        budget = self.budget("brief/reduce.j2", briefs="", count=len(drafts), sources=sources)
        sizes = [self.tokenizer.count(_drafts_json([draft])) + 1 for draft in drafts]
        groups: list[list[DraftBrief]] = []
        current: list[DraftBrief] = []
        used = 0
        for draft, size in zip(drafts, sizes, strict=True):
            if current and used + size > budget:
                groups.append(current)
                current, used = [], 0
            current.append(draft)
            used += size
        groups.append(current)
        if all(len(members) == 1 for members in groups):
            raise ConfigError(
                f"partial briefs are too long to merge within the context window of {self._model} "
                f"({self.info.context_window} tokens); lower BRIEFING_CHUNK_TOKENS or "
                "BRIEFING_MAX_OUTPUT_TOKENS, or set BRIEFING_CONTEXT_WINDOWS for this model"
            )
        return groups

    # --- meta ----------------------------------------------------------------------------------

    def _model_warnings(self) -> list[str]:
        if self.info.context_window_known:
            return []
        return [
            f"model {self._model} is not in the context-window table; assumed {self.info.context_window} "
            "tokens (set BRIEFING_CONTEXT_WINDOWS)"
        ]

    def _meta(self, usage: Usage, *, chunks: int, warnings: list[str], as_of: datetime | None) -> BriefMeta:
        return BriefMeta(
            engine=self.name,
            model=self._model,
            prompt_version=self.prompt_version,
            as_of=as_of,
            chunks=chunks,
            llm_calls=usage.calls,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=self.info.cost(usage.prompt_tokens, usage.completion_tokens),
            warnings=warnings,
        )


async def _all(calls: Iterable[Coroutine[Any, Any, DraftBrief]]) -> list[DraftBrief]:
    """Run calls concurrently; the first failure cancels the rest and is raised as itself.

    (A TaskGroup would raise an ExceptionGroup, which the CLI and API could not map to a message.)
    """
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as failures:
        first = failures.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return [task.result() for task in tasks]


async def _ready(draft: DraftBrief) -> DraftBrief:
    return draft


def _drafts_json(drafts: list[DraftBrief]) -> str:
    return json.dumps([draft.model_dump() for draft in drafts], ensure_ascii=False, separators=(",", ":"))


def _quote_sources(briefs: Sequence[Brief], merged: DraftBrief) -> dict[str, str | None]:
    """Which article each quote of the merged draft came from (exact, folded, then containment)."""
    known: dict[str, str | None] = {}
    for brief in briefs:
        for item in brief.items():
            for evidence in item.evidence:
                known.setdefault(fold(evidence.quote), evidence.article_id or brief.article_id)
    result: dict[str, str | None] = {}
    quotes = [
        quote
        for item in [*merged.actors, *merged.status, *merged.disputes, *merged.next_steps]
        for quote in item.evidence
    ]
    for quote in quotes:
        key = fold(quote.strip())
        if key in known:
            result[quote.strip()] = known[key]
            continue
        for candidate, article_id in known.items():
            if key and (key in candidate or candidate in key):
                result[quote.strip()] = article_id
                break
    return result
