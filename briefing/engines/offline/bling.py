"""blingfire's sentence splitter, called through its library without `import blingfire`.

The blingfire module imports numpy (~0.12 s of a CLI start-up, for a function that is one C call)
and reads its own source through `inspect` to find its folder. This loads the same
shared library from the same folder and calls the same entry point the same way (its
`text_to_sentences`, line for line), and falls back to the module if the library is not there.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache
from importlib.util import find_spec
from pathlib import Path

# The library file blingfire's own module loads on each platform.
_LIBRARY = {"win32": "blingfiretokdll.dll", "darwin": "libblingfiretokdll.dylib"}.get(
    sys.platform, "libblingfiretokdll.so"
)


def library_path() -> Path | None:
    """The shared library inside the installed blingfire package, found without importing it."""
    spec = find_spec("blingfire")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        candidate = Path(folder) / _LIBRARY
        if candidate.is_file():
            return candidate
    return None


@cache
def _splitter() -> Callable[[str], str]:
    path = library_path()
    if path is None:  # an unusual install: the module knows where its library is
        import blingfire

        return blingfire.text_to_sentences  # type: ignore[no-any-return]
    library = ctypes.cdll.LoadLibrary(str(path))

    def split(text: str) -> str:
        data = text.encode("utf-8")
        out = ctypes.create_string_buffer(len(data) * 2)
        size = library.TextToSentences(
            ctypes.c_char_p(data), ctypes.c_int(len(data)), ctypes.byref(out), ctypes.c_int(len(out))
        )
        if size == -1 or size > len(out):  # blingfire's own check: no result
            return ""
        return out.value.decode("utf-8")

    return split


def text_to_sentences(text: str) -> str:
    """The sentences of `text`, one per line (blingfire.text_to_sentences)."""
    return _splitter()(text)
