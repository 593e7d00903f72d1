"""Schemathesis hooks for the conformance run (SCHEMATHESIS_HOOKS=tests.service.schemathesis_hooks).

Three rules, each for what a schema cannot say, so that every remaining check stays strict:

- A body whose "violation" is not being a string is no violation on a text media type: the wire
  form of any value there is its text. Schemathesis 4 exempts text/plain from
  `negative_data_rejection` for this reason, but not text/html, so `{}` generated as a
  "non-string" HTML body arrives as the two-character page "{}", which the service rightly briefs.
  Such cases are dropped; every other negative case, text/html ones included (blank text), runs.
- An `Idempotency-Key` names one request: reusing it for another body is a 422 (the IETF
  Idempotency-Key draft's answer), which depends on an earlier request, not on the schema. Valid
  keys get the body's hash appended, as a client following the docs would use a new key per new
  request; the same body keeps the same key, so replays are still exercised. Invalid keys
  (negative cases) are sent as generated.
- A window (`since`, `until` on GET /v1/articles) must start before it ends, else it is a 422: a
  rule between two parameters. Schema-valid cases whose `since` (as the service reads it, the
  year clamp included) is not before their `until` are dropped; every other case runs.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation


def _negative(case: schemathesis.Case, location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


def _empty_window(case: schemathesis.Case) -> bool:
    """A schema-valid `since` that is not before its `until` (the service's 422)."""
    query = case.query or {}
    if "since" not in query or "until" not in query or _negative(case, ParameterLocation.QUERY):
        return False
    from pydantic import TypeAdapter, ValidationError

    from api.schemas import DateTimeQuery

    read = TypeAdapter(DateTimeQuery)
    try:
        return bool(read.validate_python(query["since"]) >= read.validate_python(query["until"]))
    except (ValidationError, TypeError):
        return False


@schemathesis.hook
def filter_case(context: Any, case: schemathesis.Case) -> bool:
    if _empty_window(case):
        return False
    if not _negative(case, ParameterLocation.BODY):
        return True
    media_type = (case.media_type or "").split(";")[0].strip().lower()
    return not (media_type.startswith("text/") and not isinstance(case.body, str))


@schemathesis.hook
def map_case(context: Any, case: schemathesis.Case) -> schemathesis.Case:
    headers = case.headers or {}
    name = next((key for key in headers if key.lower() == "idempotency-key"), None)
    key = headers.get(name) if name is not None else None
    if not isinstance(key, str) or _negative(case, ParameterLocation.HEADER):
        return case
    body = json.dumps(case.body, sort_keys=True, default=str)
    headers[name] = f"{key[:190]}-{hashlib.sha256(body.encode()).hexdigest()[:8]}"
    case.headers = headers
    return case
