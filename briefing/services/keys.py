"""Use cases of `briefing keys`: what a key's name may be, and which key `revoke` means.

The CLI parses and prints, the store runs the SQL; the decisions a user can get wrong (an empty
name, a prefix shared by several keys, a prefix pasted with the list's ellipsis) are made here.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from briefing.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from briefing.store import ApiKeyInfo, Store


def check_key_name(name: str) -> str:
    """The name a key is saved with (trimmed); a blank one is an InputError: `keys list` shows
    names to tell keys apart, and an empty one tells nothing."""
    if not name.strip():
        raise InputError("keys create: give the key a name (who or what uses it), not an empty one")
    if any(unicodedata.category(char) == "Cc" for char in name.strip()):
        # an escape sequence or a line break would fake lines and colours in `keys list`
        raise InputError("keys create: a key's name must not hold control characters (tabs, line breaks)")
    return name.strip()


def create_key(store: Store, name: str) -> tuple[str, ApiKeyInfo]:
    """A new key for `name` (who uses it): (the key, shown once, its info)."""
    return store.create_api_key(check_key_name(name))


def revoke_key(store: Store, ref: str) -> ApiKeyInfo:
    """Revoke the one key whose id or prefix is, or starts with, `ref` (a trailing `…` or `...`,
    as `keys list` shows prefixes, is dropped). Several matches are an InputError listing them,
    so a short prefix never revokes a key the user did not mean."""
    wanted = ref.strip().removesuffix("…").removesuffix("...").strip()
    if not wanted:
        raise InputError("keys revoke: give a key's id or prefix (see `briefing keys list`)")
    matches = store.matching_api_keys(wanted)
    if not matches:
        raise NotFoundError(f"no API key with id or prefix {wanted!r} (see `briefing keys list`)")
    if len(matches) > 1:
        listed = "; ".join(f"{info.id} ({info.prefix}…, {info.name!r})" for info in matches)
        raise InputError(
            f"{wanted!r} is ambiguous: it matches {len(matches)} API keys: {listed}; give more of it"
        )
    return store.revoke_api_key(matches[0].id)
