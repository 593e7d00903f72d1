"""One error hierarchy, so the CLI and the API can turn any failure into a clear message.

Input errors (the caller can fix them) map to HTTP 4xx and CLI exit code 2; upstream errors
(LLM, SMTP, webhook, feed) map to 502/503 and are recorded where the work is recorded.
"""

from __future__ import annotations

from typing import Any


class BriefingError(Exception):
    """Base of every error the project raises on purpose."""

    http_status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


class InputError(BriefingError):
    """The request or file is unusable as given; the message says what to change."""

    http_status = 422
    exit_code = 2


class ConflictError(InputError):
    """The request conflicts with what is stored (it already exists)."""

    http_status = 409


class ConfigError(BriefingError):
    """Settings are missing or contradictory."""

    http_status = 500
    exit_code = 2


class RefusedError(InputError):
    """A target or address that the server's rules refuse (a private address, a folder outside the
    allow-list): trying again cannot help, so work that hits it fails at once instead of retrying."""


class UnknownEngineError(InputError):
    """An engine name that no implementation answers to."""


class UpstreamError(BriefingError):
    """A service we depend on (LLM, SMTP, webhook, feed) failed."""

    http_status = 502
    exit_code = 3


class LLMError(UpstreamError):
    """The LLM endpoint failed, after retries where retrying was safe."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 0,
        status_code: int | None = None,
        request_id: str | None = None,
        last_output: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, **context)
        self.attempts = attempts
        self.status_code = status_code
        self.request_id = request_id
        self.last_output = last_output


class LLMUnavailableError(LLMError):
    """The endpoint could not be reached or kept answering 429/5xx until retries ran out."""

    http_status = 503


class LLMOutputError(LLMError):
    """The model answered, but not with a valid brief (even after a repair round)."""


class LLMTruncatedError(LLMOutputError):
    """The reply was cut at the output token limit (finish_reason == "length")."""


class StoreError(BriefingError):
    """The database is unreachable or refused an operation."""

    http_status = 503
    exit_code = 3


class NotFoundError(BriefingError):
    """A resource id that does not exist."""

    http_status = 404
    exit_code = 2
