"""HTTP-only failures, as `BriefingError`s so one handler renders every error the same way."""

from __future__ import annotations

from briefing.errors import BriefingError, InputError


class BadEncoding(BriefingError):
    http_status = 400
    exit_code = 2


class PayloadTooLarge(InputError):
    http_status = 413


class UnsupportedMediaType(InputError):
    http_status = 415


class Unauthorized(BriefingError):
    http_status = 401
    exit_code = 2


class Forbidden(BriefingError):
    http_status = 403
    exit_code = 2


class Conflict(InputError):
    http_status = 409
