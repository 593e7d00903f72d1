"""Reading request bodies by content type, with the precise 400/415/422 a client can act on."""

from __future__ import annotations

import asyncio
import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from api.problems import BadEncoding, UnsupportedMediaType
from briefing.errors import InputError
from briefing.fetch import html_to_text

TEXT_TYPES = ("application/json", "text/plain", "text/html")
M = TypeVar("M", bound=BaseModel)


def media_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type", "")
    kind, _, params = raw.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip('"').lower()
    return kind.strip().lower(), charset


def decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8")
    except LookupError as error:
        raise UnsupportedMediaType(f"unknown charset {charset!r}") from error
    except UnicodeDecodeError as error:
        raise BadEncoding(
            f"the body is not valid {charset or 'UTF-8'} (byte {error.start}); send UTF-8 text"
        ) from error


def validation_error(error: ValidationError, prefix: str = "") -> InputError:
    fields = [".".join(str(p) for p in item["loc"]) or "body" for item in error.errors()]
    message = "; ".join(f"{field}: {item['msg']}" for field, item in zip(fields, error.errors(), strict=True))
    return InputError(prefix + message, fields=fields)


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"body: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}", fields=["body"]
        ) from error
    except RecursionError:
        raise InputError("body: the JSON is nested too deeply to read", fields=["body"]) from None


def parse_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_error(error) from error


async def read_article_body(request: Request) -> tuple[str, dict[str, Any]]:
    """(media type, fields) from a JSON, text/plain or text/html body."""
    kind, charset = media_type(request)
    if kind not in TEXT_TYPES:
        accepted = ", ".join(TEXT_TYPES)
        raise UnsupportedMediaType(f"unsupported content type {kind or '(none)'!r}; send one of: {accepted}")
    body = await request.body()
    text = decode(body, charset)
    if kind == "application/json":
        data = parse_json(text)
        if not isinstance(data, dict):
            raise InputError("body: expected a JSON object", fields=["body"])
        return kind, data
    if kind == "text/html":
        # trafilatura parses the page: CPU work, kept off the event loop
        extracted, title = await asyncio.to_thread(html_to_text, text) if text.strip() else ("", None)
        return kind, {"text": extracted, "title": title}
    return kind, {"text": text}
