"""The web sign-in session: a signed, expiring cookie that names a key by a tag, never the key.

itsdangerous signs `{"t": <HMAC of the key's sha256 under the server secret>}` with a timestamp;
the tag reveals nothing about the key (its plain digest would let anyone who reads the cookie test
guesses of a weak key offline). The middleware accepts the cookie while the signature holds, it is
younger than `Settings.session_max_age` and the tag is that of a key still valid (revoking a key
ends its sessions). Signing out clears the browser's cookie; a copy taken before stays valid until
it expires or its key is revoked (the cookie is HttpOnly, SameSite=Lax, and Secure over https).
The signing secret comes from `BRIEFING_SESSION_SECRET`, else it is generated once and kept in
`data_dir/session.key`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
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
        secret = session_secret(settings)
        self._serializer = URLSafeTimedSerializer(secret, salt="briefing-session")
        self._tag_key = hashlib.sha256(b"briefing-session-tag:" + secret.encode("utf-8")).digest()
        self.max_age = settings.session_max_age

    def tag(self, key_hash: str) -> str:
        """What a cookie names a key by: a MAC of its digest under the server's secret, so the cookie
        says nothing about the key to whoever reads it (a person's weak key cannot be guessed from it)."""
        return hmac.new(self._tag_key, key_hash.encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self, key_hash: str) -> str:
        return self._serializer.dumps({"t": self.tag(key_hash)})

    def tag_of(self, value: str | None) -> str | None:
        """The key tag a cookie carries, or None when it is missing, forged or expired."""
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except BadSignature:  # includes SignatureExpired
            return None
        tag = data.get("t") if isinstance(data, dict) else None
        return tag if isinstance(tag, str) else None
