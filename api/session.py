"""The web sign-in session: a signed, expiring cookie that names a key by its digest, never the key.

itsdangerous signs `{"k": <sha256 of the key>}` with a timestamp; the middleware accepts the
cookie while the signature holds, it is younger than `Settings.session_max_age` and the key is
still valid (revoking a key ends its sessions). The signing secret comes from
`BRIEFING_SESSION_SECRET`, else it is generated once and kept in `data_dir/session.key`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from briefing.config import Settings
from briefing.errors import ConfigError

SESSION_COOKIE = "briefing_session"
SECRET_FILE = "session.key"


def session_secret(settings: Settings) -> str:
    """The configured secret, else the one in the data dir (created 0600 on first use)."""
    if settings.session_secret is not None:
        value = settings.session_secret.get_secret_value()
        if len(value) < 16:
            raise ConfigError("BRIEFING_SESSION_SECRET must be at least 16 characters long")
        return value
    path = Path(settings.data_dir) / SECRET_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process made it first: read theirs
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(32))
        value = path.read_text(encoding="ascii").strip()
    except OSError as error:
        raise ConfigError(
            f"cannot keep the session key in {path}: {error}; set BRIEFING_SESSION_SECRET"
        ) from error
    if len(value) < 16:
        raise ConfigError(f"{path} holds no usable session key; delete it or set BRIEFING_SESSION_SECRET")
    return value


class Sessions:
    """Issue and read sign-in cookies for one service instance."""

    def __init__(self, settings: Settings) -> None:
        self._serializer = URLSafeTimedSerializer(session_secret(settings), salt="briefing-session")
        self.max_age = settings.session_max_age

    def issue(self, key_hash: str) -> str:
        return self._serializer.dumps({"k": key_hash})

    def key_hash(self, value: str | None) -> str | None:
        """The key digest a cookie names, or None when it is missing, forged or expired."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:  # includes SignatureExpired
            return None
        digest = data.get("k") if isinstance(data, dict) else None
        return digest if isinstance(digest, str) else None
