"""The LLM client: one structured-output call, done carefully.

Wraps the official `AsyncOpenAI` SDK (any OpenAI-compatible server). One retry policy (tenacity;
the SDK's own retries are off so they do not multiply): 429, 5xx, timeouts and connection errors
are retried with exponential backoff, honouring Retry-After. A semaphore bounds the calls in
flight across everything that shares the client. Replies are validated with pydantic; an invalid
reply gets exactly one repair round that carries the validation error, and a reply cut at the
token limit is an error, never a silently shortened brief.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import re
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import httpx2
import openai
from openai import AsyncOpenAI
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from briefing.config import Settings
from briefing.errors import ConfigError, LLMError, LLMOutputError, LLMTruncatedError, LLMUnavailableError

if TYPE_CHECKING:
    from briefing.store.slots import SharedSlots

T = TypeVar("T", bound=BaseModel)
Messages = list[dict[str, str]]
StructuredMode = Literal["json_schema", "json_object"]

MAX_RETRY_AFTER_SECONDS = 120.0
_RETRY_STATUS = {408, 409, 429}
_SCHEMA_REJECTION = re.compile(r"response_format|json_schema|schema|strict", re.IGNORECASE)
_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass
class Usage:
    """Token usage summed over calls, as the API reported it."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> Usage:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        return self


@dataclass
class Reply(Generic[T]):
    value: T
    usage: Usage
    raw: str
    mode: StructuredMode
    repaired: bool = False
    timings: list[tuple[float, float]] = field(default_factory=list)


def retry_after_seconds(error: BaseException) -> float | None:
    """The server's requested wait (Retry-After / retry-after-ms), in seconds, if it sent one."""
    response = getattr(error, "response", None)
    if response is None:
        return None
    headers = response.headers
    if (value := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(error, json.JSONDecodeError):  # a body cut in transit (HTTP 200, not JSON)
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in _RETRY_STATUS or error.status_code >= 500
    return False


def strip_code_fence(text: str) -> str:
    """Some servers wrap JSON in a Markdown fence even in JSON mode."""
    match = _CODE_FENCE.match(text)
    return match.group(1) if match else text.strip()


def describe_validation_error(error: ValidationError, limit: int = 1500) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(piece) for piece in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)[:limit]


class LLMClient:
    """Structured calls to one model on one endpoint; share one instance to share its call bound."""

    def __init__(
        self,
        settings: Settings,
        model: str | None = None,
        *,
        http_client: httpx2.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not settings.llm_configured:
            raise ConfigError(
                "no LLM endpoint configured: set OPENAI_API_KEY (plus OPENAI_BASE_URL for a server other "
                "than OpenAI), or use the offline engine (--engine offline)"
            )
        self.settings = settings
        self.model = model or settings.model
        api_key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
        self.base_url = settings.openai_base_url
        self._client = AsyncOpenAI(
            api_key=api_key,
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout,
            max_retries=0,
            http_client=http_client,
        )
        self._sleep = sleep
        self._mode: StructuredMode = (
            "json_object" if settings.structured_output == "json_object" else "json_schema"
        )
        self._backoff = wait_exponential_jitter(
            multiplier=settings.llm_backoff_base,
            max=settings.llm_backoff_max,
            jitter=settings.llm_backoff_base,
        )
        self._loop_semaphore: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        # Set by the runtime on PostgreSQL: the same bound across every process on the database.
        self.shared_slots: SharedSlots | None = None

    @property
    def mode(self) -> StructuredMode:
        """Structured-output mode in use; auto falls back to json_object once a server rejects schemas."""
        return self._mode

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop_semaphore is None or self._loop_semaphore[0] is not loop:
            self._loop_semaphore = (loop, asyncio.Semaphore(self.settings.llm_max_concurrency))
        return self._loop_semaphore[1]

    def _shared_slot(self) -> AbstractAsyncContextManager[None]:
        if self.shared_slots is None:
            return contextlib.nullcontext()
        return self.shared_slots.hold()

    async def aclose(self) -> None:
        await self._client.close()

    async def structured(
        self,
        messages: Messages,
        output: type[T],
        *,
        schema: dict[str, Any],
        schema_name: str,
        repair: Callable[[str], str],
        what: str = "brief",
    ) -> Reply[T]:
        """Ask for a JSON object of type `output`; one repair round if the first reply is invalid."""
        usage = Usage()
        timings: list[tuple[float, float]] = []
        content = await self._call(messages, schema, schema_name, usage, timings)
        try:
            value = output.model_validate_json(strip_code_fence(content))
            return Reply(value, usage, content, self._mode, timings=timings)
        except ValidationError as error:
            problem = describe_validation_error(error)
        repaired_messages = [
            *messages,
            {"role": "assistant", "content": content},
            {"role": "user", "content": repair(problem)},
        ]
        content = await self._call(repaired_messages, schema, schema_name, usage, timings)
        try:
            value = output.model_validate_json(strip_code_fence(content))
        except ValidationError as error:
            raise LLMOutputError(
                f"the model {self.model} did not return a valid {what}, even after a repair round: "
                f"{describe_validation_error(error, 300)}",
                attempts=usage.calls,
                last_output=content,
            ) from None
        return Reply(value, usage, content, self._mode, repaired=True, timings=timings)

    async def _call(
        self,
        messages: Messages,
        schema: dict[str, Any],
        schema_name: str,
        usage: Usage,
        timings: list[tuple[float, float]],
    ) -> str:
        while True:
            try:
                completion = await self._create(messages, schema, schema_name, timings)
                break
            except openai.APIStatusError as error:
                if error.status_code in (400, 422) and self._should_fall_back(error):
                    self._mode = "json_object"
                    continue
                raise self._status_error(error) from None
        usage.calls += 1
        if completion.usage is not None:
            usage.prompt_tokens += completion.usage.prompt_tokens or 0
            usage.completion_tokens += completion.usage.completion_tokens or 0
        if not completion.choices:
            raise LLMOutputError(f"the model {self.model} returned no choices", attempts=usage.calls)
        choice = completion.choices[0]
        content = choice.message.content or ""
        if choice.finish_reason == "length":
            raise LLMTruncatedError(
                f"the model's reply was cut at {self.settings.max_output_tokens} output tokens; "
                "raise BRIEFING_MAX_OUTPUT_TOKENS or lower BRIEFING_CHUNK_TOKENS",
                attempts=usage.calls,
                last_output=content,
            )
        if choice.finish_reason == "content_filter":
            raise LLMOutputError(
                f"the model {self.model} stopped on its content filter",
                attempts=usage.calls,
                last_output=content,
            )
        refusal = getattr(choice.message, "refusal", None)
        if refusal:
            raise LLMOutputError(f"the model {self.model} refused: {refusal}", attempts=usage.calls)
        return content

    def _should_fall_back(self, error: openai.APIStatusError) -> bool:
        """In auto mode, a server that rejects json_schema is asked again in JSON mode."""
        if self.settings.structured_output != "auto" or self._mode != "json_schema":
            return False
        return bool(_SCHEMA_REJECTION.search(f"{error.message} {error.body}"))

    def _response_format(self, schema: dict[str, Any], schema_name: str) -> dict[str, Any]:
        if self._mode == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        return {"type": "json_object"}

    async def _create(
        self,
        messages: Messages,
        schema: dict[str, Any],
        schema_name: str,
        timings: list[tuple[float, float]],
    ) -> Any:
        attempts = 0
        retrying = AsyncRetrying(
            stop=stop_after_attempt(1 + self.settings.llm_max_retries),
            wait=self._wait,
            retry=retry_if_exception(is_retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    async with self._semaphore(), self._shared_slot():
                        started = time.perf_counter()
                        try:
                            return await self._client.chat.completions.create(
                                model=self.model,
                                messages=messages,  # type: ignore[arg-type]
                                temperature=self.settings.llm_temperature,
                                max_tokens=self.settings.max_output_tokens,
                                response_format=self._response_format(schema, schema_name),  # type: ignore[arg-type]
                            )
                        finally:
                            timings.append((started, time.perf_counter()))
        except (openai.APIConnectionError, openai.APIStatusError) as error:
            if not is_retryable(error):
                raise
            raise self._unavailable(error, attempts) from None
        except (json.JSONDecodeError, openai.APIResponseValidationError) as error:
            raise LLMError(
                f"LLM {self._where()} sent a reply that is not valid JSON "
                f"({type(error).__name__}: {error}) on all {attempts} attempts; try again later",
                attempts=attempts,
                status_code=getattr(error, "status_code", None),
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        requested = retry_after_seconds(error) if error else None
        if requested is not None:
            return min(requested, MAX_RETRY_AFTER_SECONDS)
        return self._backoff(state)

    def _where(self) -> str:
        return f"{self.model} at {self.base_url or 'api.openai.com'}"

    def _unavailable(self, error: Exception, attempts: int) -> LLMUnavailableError:
        if isinstance(error, openai.APITimeoutError):
            reason = f"timed out after {self.settings.llm_timeout:g}s (BRIEFING_LLM_TIMEOUT)"
        elif isinstance(error, openai.APIConnectionError):
            reason = f"could not be reached ({error.__cause__ or error})"
        else:
            reason = f"answered {getattr(error, 'status_code', '?')}"
        status = getattr(error, "status_code", None)
        request_id = getattr(error, "request_id", None)
        return LLMUnavailableError(
            f"LLM {self._where()} {reason} on all {attempts} attempts; try again later",
            attempts=attempts,
            status_code=status,
            request_id=request_id,
        )

    def _status_error(self, error: openai.APIStatusError) -> LLMError:
        status = error.status_code
        if status in (401, 403):
            message = (
                f"LLM {self._where()} rejected the credentials ({status}); check OPENAI_API_KEY "
                "or BRIEFING_OPENAI_API_KEY"
            )
        elif status == 404:
            message = f"LLM endpoint has no model {self.model!r} ({status}); set BRIEFING_MODEL or --model"
        else:
            detail = error.message if isinstance(error.message, str) else json.dumps(error.body)
            message = f"LLM {self._where()} refused the request ({status}): {detail}"
        return LLMError(message, attempts=1, status_code=status, request_id=error.request_id)
