"""Schedule validation: a bad cron expression or time zone is an input error that names the field."""

from __future__ import annotations

import os
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import CroniterBadDateError, croniter

from briefing.config import Settings
from briefing.digests.models import DirectoryTarget, EmailTarget, ScheduleIn, WebhookTarget, target_key
from briefing.engines import ENGINES
from briefing.errors import InputError, RefusedError

UNSIGNED_HINT = (
    'set BRIEFING_WEBHOOK_SECRET so it is signed, or add "allow_unsigned": true to the target '
    "to send it without a signature"
)


def _cron_field(number: str, names: str = "") -> str:
    value = f"(?:{number}{names})"
    item = rf"(?:\*|{value}(?:-{value})?)(?:/[1-9][0-9]?)?"
    return rf"{item}(?:,{item})*"


_MONTHS = "|" + "|".join(
    "".join(f"[{c.upper()}{c}]" for c in name)
    for name in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
)
_DAYS = "|" + "|".join(
    "".join(f"[{c.upper()}{c}]" for c in name) for name in ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
)
# The five-field grammar check_cron accepts, published in the API schema: minute, hour, day of
# month, month (1-12 or jan-dec), day of week (0-7 or sun-sat); `*`, lists, ranges and steps.
CRON_PATTERN = (
    "^ *"
    + " +".join(
        [
            _cron_field("[1-5]?[0-9]"),
            _cron_field("1?[0-9]|2[0-3]"),
            _cron_field("[1-9]|[12][0-9]|3[01]"),
            _cron_field("[1-9]|1[0-2]", _MONTHS),
            _cron_field("[0-7]", _DAYS),
        ]
    )
    + " *$"
)
_CRON = re.compile(CRON_PATTERN)


@cache
def time_zones() -> frozenset[str]:
    """The IANA names a schedule may use (what `zoneinfo` can load here)."""
    return frozenset(available_timezones())


def check_cron(expression: str) -> str:
    """Five fields only: seconds-level or year fields would silently change meaning between libraries.

    A well-formed expression naming no real date (`0 0 30 2 *`) is refused too: it has no slot,
    so the scheduler could never compute one for it.
    """
    if not _CRON.match(expression):
        raise InputError(
            f"cron: {expression!r} is not a valid five-field cron expression (e.g. '30 7 * * *')",
            field="cron",
        )
    expression = " ".join(expression.split())
    if len(expression.split(" ")) != 5 or not croniter.is_valid(expression):
        raise InputError(
            f"cron: {expression!r} is not a valid five-field cron expression (e.g. '30 7 * * *')",
            field="cron",
        )
    try:
        croniter(expression, datetime(2000, 1, 1)).get_next(datetime)
    except CroniterBadDateError as error:
        raise InputError(
            f"cron: {expression!r} never matches a real date (e.g. the 30th of February)", field="cron"
        ) from error
    return expression


def check_timezone(name: str) -> ZoneInfo:
    try:
        if not name or name != name.strip() or name not in time_zones():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InputError(
            f"timezone: {name!r} is not an IANA time zone (e.g. 'Europe/Berlin', 'UTC')", field="timezone"
        ) from error


def check_webhook_signing(schedule: ScheduleIn, settings: Settings) -> None:
    """A webhook is signed unless its target says otherwise: refuse one that could only go unsigned."""
    if settings.webhook_secret is not None:
        return
    for index, target in enumerate(schedule.targets):
        if isinstance(target, WebhookTarget) and not target.allow_unsigned:
            raise InputError(
                f"targets[{index}]: webhook {target.url} would be sent unsigned; {UNSIGNED_HINT}",
                field="targets",
            )


def check_email(schedule: ScheduleIn, settings: Settings) -> None:
    """An email target on a server with no SMTP server configured could never be delivered."""
    if settings.smtp_host:
        return
    for index, target in enumerate(schedule.targets):
        if isinstance(target, EmailTarget):
            raise InputError(
                f"targets[{index}]: email delivery needs BRIEFING_SMTP_HOST (and usually SMTP "
                "username/password) on the server",
                field="targets",
            )


def _delivery_roots(settings: Settings) -> list[Path]:
    return [Path(root).expanduser().resolve() for root in settings.delivery_dirs]


def check_directory(path: str, settings: Settings, *, field: str = "path") -> Path:
    """The resolved folder of a directory target, refused when it is outside `delivery_dirs` (if set).

    A server others can reach (not loopback-only) needs `delivery_dirs`: otherwise any API caller
    could choose where the server writes files. With `delivery_dirs`, a path is written out in full
    (absolute, no `..`): the caller does not know the server's working directory.
    """
    roots = _delivery_roots(settings)
    if not roots and not settings.loopback_only:
        raise RefusedError(
            f"{field}: directory targets on a server listening on {settings.host} need "
            "BRIEFING_DELIVERY_DIRS (the folders they may write under)",
            field=field,
        )
    if not path or "\0" in path:
        raise InputError(f"{field}: a directory path must be non-empty, without NUL characters", field=field)
    allowed = ", ".join(str(root) for root in roots)
    if roots and (not path.startswith("/") or ".." in Path(path).parts):
        raise RefusedError(
            f"{field}: give an absolute path without '..' under one of the allowed delivery folders "
            f"({allowed}); see BRIEFING_DELIVERY_DIRS",
            field=field,
        )
    # "~" and "~/…" are the home folder; "~name" is a folder of that name (no lookup of other users)
    written = Path(path).expanduser() if path == "~" or path.startswith("~/") else Path(path)
    try:
        folder = written.resolve()
    except (OSError, RuntimeError) as error:  # a symlink loop
        raise InputError(f"{field}: {path!r} cannot be resolved: {error}", field=field) from error
    if roots and not any(folder == root or folder.is_relative_to(root) for root in roots):
        raise RefusedError(
            f"{field}: directory {folder} is outside the allowed delivery folders ({allowed}); "
            "see BRIEFING_DELIVERY_DIRS",
            field=field,
        )
    _check_writable(folder, field)
    return folder


def _check_writable(folder: Path, field: str) -> None:
    """Refuse a folder the server cannot create or write: its nearest existing part must be a
    folder this process may write in (a file there, or a read-only folder, fails every delivery
    the same way, so it is refused when the schedule is saved instead of retried for hours)."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        message = f"{field}: {existing} is a file, so directory {folder} cannot be made"
        raise RefusedError(message, field=field)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RefusedError(f"{field}: this server cannot write in {existing}", field=field)


def _literal(text: str) -> str:
    """`text` as a regular expression both Python and ECMA 262 (JSON Schema) read the same way."""
    return re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", text)


# A path segment other than "..": empty, or not starting with a dot, or "." then a non-dot, or
# ".." then more. Written without lookaheads, which test-data generators handle badly.
_SEGMENT = r"(?:[^/\x00.][^/\x00]*|\.(?:[^/\x00.][^/\x00]*)?|\.\.[^/\x00]+)?"
_END = r"(?![\s\S])"  # the end of the text in Python and ECMA 262 alike (Python's `$` allows a "\n")


def directory_pattern(settings: Settings) -> str | None:
    """The paths check_directory accepts, as the API schema publishes them; None: no directory
    target is accepted on this server. Symlinks inside a folder are checked only when saved."""
    roots = _delivery_roots(settings)
    if not roots:
        return rf"^[^\x00]+{_END}" if settings.loopback_only else None
    written = {str(Path(root).expanduser()) for root in settings.delivery_dirs}
    names = sorted({str(root) for root in roots} | {name for name in written if name.startswith("/")})
    if any(name.rstrip("/") == "" for name in names):  # "/" itself: any absolute path
        return rf"^(?:/{_SEGMENT})+{_END}"
    prefixes = "|".join(_literal(name.rstrip("/")) for name in names)
    return rf"^(?:{prefixes})(?:/{_SEGMENT})*{_END}"


def check_engine_available(engine: str | None, settings: Settings) -> None:
    """The llm engine needs an endpoint: refused when saved, not at the first scheduled run."""
    if engine == "llm" and not settings.llm_configured:
        raise InputError(
            "engine: 'llm' is not available on this server (no LLM endpoint configured: set "
            "OPENAI_API_KEY and/or OPENAI_BASE_URL); use offline or lead",
            field="engine",
        )


def validate_schedule(schedule: ScheduleIn, settings: Settings | None = None) -> ScheduleIn:
    """Return the schedule with its cron expression normalized; raise InputError naming a bad field.
    With `settings`, also refuse an engine this server lacks, webhook targets that could only be
    sent unsigned, email targets without an SMTP server and directory targets outside
    `delivery_dirs`."""
    cron = check_cron(schedule.cron)
    check_timezone(schedule.timezone)
    if schedule.engine is not None and schedule.engine not in ENGINES:
        # caught here, not at every scheduled run
        raise InputError(
            f"engine: unknown engine {schedule.engine!r}; choose one of: {', '.join(sorted(ENGINES))}",
            field="engine",
        )
    if settings is not None:
        check_engine_available(schedule.engine, settings)
        check_webhook_signing(schedule, settings)
        check_email(schedule, settings)
        targets = list(schedule.targets)
        for index, target in enumerate(targets):
            if isinstance(target, DirectoryTarget):
                folder = check_directory(target.path, settings, field=f"targets[{index}]")
                targets[index] = target.model_copy(update={"path": stored_directory(target.path, folder)})
        keys = [target_key(target) for target in targets]
        for index, key in enumerate(keys):
            if key in keys[:index]:  # "out" and "/here/out": two names of one folder
                raise InputError(
                    f"targets[{index}]: {key} is named twice; targets must be distinct", field="targets"
                )
        schedule = schedule.model_copy(update={"targets": targets})
    return schedule.model_copy(update={"cron": cron})


def stored_directory(path: str, folder: Path) -> str:
    """The path a directory target is saved with: an absolute path as written (with `~` expanded),
    a relative one made absolute against this process's working directory (`folder`, as
    check_directory resolved it). Saved relative, where files land would depend on the working
    directory of whichever process delivers (a scheduler started elsewhere, the server)."""
    written = Path(path).expanduser() if path == "~" or path.startswith("~/") else Path(path)
    return str(written) if written.is_absolute() else str(folder)
