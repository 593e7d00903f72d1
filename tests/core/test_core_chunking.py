"""Chunker properties (hypothesis): token bound, nothing lost, bounded overlap, cuts between words."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.chunking import chunk_text
from briefing.tokens import load_tokenizer

TOKENIZER = load_tokenizer("gpt-4o-mini")

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüßАБВ0123456789,'’-", min_size=1, max_size=12)
sentences = st.builds(
    lambda ws, end: " ".join(ws).capitalize() + end,
    st.lists(words, min_size=1, max_size=25),
    st.sampled_from([".", "!", "?", ".”", "…", ""]),
)
paragraphs = st.builds(" ".join, st.lists(sentences, min_size=1, max_size=6))
texts = st.builds(
    lambda ps, sep: sep.join(ps),
    st.lists(paragraphs, min_size=1, max_size=12),
    st.sampled_from(["\n\n", "\n"]),
)


@settings(max_examples=150, deadline=None)
@given(text=texts, max_tokens=st.integers(min_value=12, max_value=300), overlap=st.integers(0, 150))
def test_chunk_properties(text: str, max_tokens: int, overlap: int) -> None:
    chunks = chunk_text(text, TOKENIZER, max_tokens, overlap)
    effective_overlap = min(overlap, max_tokens // 2)
    words_fit = all(
        TOKENIZER.count(word + gap) <= max_tokens for word in text.split() for gap in (" ", "\n", "\n\n")
    )

    # nothing lost: the chunks start at 0, end at the end, and leave no gap
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end] and chunk.text
        # token bound, on the chunk's own text
        assert TOKENIZER.count(chunk.text) == chunk.tokens <= max_tokens
    for previous, current in itertools.pairwise(chunks):
        assert previous.start < current.start <= previous.end  # progress, no gap
        shared = text[current.start : previous.end]
        assert TOKENIZER.count(shared) <= effective_overlap
        # cut between words (every chunk but the last ends in whitespace) unless a word alone is too long
        if words_fit:
            assert text[previous.end - 1].isspace()
            assert text[current.start - 1].isspace()
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))


def test_small_text_is_one_chunk():
    chunks = chunk_text("One sentence. Two sentences.", TOKENIZER, 100, 10)
    assert [(c.start, c.end) for c in chunks] == [(0, 28)]


def test_overlap_repeats_whole_trailing_sentences():
    text = " ".join(f"Sentence number {i} is short." for i in range(60))
    chunks = chunk_text(text, TOKENIZER, 60, 20)
    assert len(chunks) > 3
    for previous, current in itertools.pairwise(chunks):
        shared = text[current.start : previous.end]
        assert shared.startswith("Sentence number") and shared.rstrip().endswith("short.")
        assert 0 < TOKENIZER.count(shared) <= 20


def test_prefers_paragraph_breaks():
    paragraph = " ".join(["The committee reviewed the plan in detail."] * 6)
    text = "\n\n".join([paragraph] * 6)
    per_paragraph = TOKENIZER.count(paragraph + "\n\n")
    chunks = chunk_text(text, TOKENIZER, int(per_paragraph * 2.5), 0)
    assert len(chunks) == 3
    assert all(chunk.text.endswith("\n\n") for chunk in chunks[:-1])


def test_space_less_blob_is_cut_only_as_a_last_resort():
    blob = "x" * 3000
    text = f"Start of text. {blob} End of text."
    chunks = chunk_text(text, TOKENIZER, 50, 0)
    assert "".join(chunk.text for chunk in chunks) == text
    assert all(chunk.tokens <= 50 for chunk in chunks)
    assert chunks[0].text == "Start of text. "


def test_empty_text_has_no_chunks():
    assert chunk_text("", TOKENIZER, 10) == []


class WordTokenizer:
    """One token per word, plus `join_cost` tokens for each sentence boundary inside the text:
    a joined chunk counts more than the sum of its sentences, which only the final fit check sees."""

    def __init__(self, join_cost: int = 0) -> None:
        self.join_cost = join_cost

    def count(self, text: str) -> int:
        return len(text.split()) + self.join_cost * text.rstrip().count(". ")

    def count_many(self, texts: list[str]) -> list[int]:
        return [self.count(text) for text in texts]


def _sentences(n: int) -> tuple[str, list[int]]:
    """n three-word sentences and the offset where each starts."""
    parts = [f"Item {i} ok. " for i in range(n)]
    starts = list(itertools.accumulate((len(p) for p in parts), initial=0))[:-1]
    return "".join(parts), starts


def test_chunk_is_trimmed_when_the_joined_text_counts_more_than_its_sentences() -> None:
    text, starts = _sentences(10)
    tokenizer = WordTokenizer(join_cost=2)
    # three sentences sum to 9 <= 10 tokens, but joined they count 9 + 2 * 2 = 13: trimmed to two (8)
    chunks = chunk_text(text, tokenizer, 10)  # type: ignore[arg-type]
    assert [c.start for c in chunks] == starts[::2]
    assert all(c.tokens == tokenizer.count(c.text) == 8 for c in chunks)
    assert "".join(c.text for c in chunks) == text


def test_chunk_is_trimmed_down_to_one_sentence_if_need_be() -> None:
    text, starts = _sentences(4)
    tokenizer = WordTokenizer(join_cost=2)
    chunks = chunk_text(text, tokenizer, 7)  # type: ignore[arg-type]  # two sentences joined count 8
    assert [c.start for c in chunks] == starts
    assert [c.tokens for c in chunks] == [3, 3, 3, 3]


def test_overlap_is_the_most_whole_sentences_that_fit() -> None:
    text, starts = _sentences(12)
    tokenizer = WordTokenizer()
    # 12-token chunks hold four 3-token sentences; the overlap (capped at half a chunk, 6 tokens)
    # repeats as many whole trailing sentences as fit in it, so each chunk moves 4 - shared ahead
    expected = {0: [0, 4, 8], 2: [0, 4, 8], 3: [0, 3, 6, 9], 5: [0, 3, 6, 9], 6: [0, 2, 4, 6, 8]}
    expected |= {7: expected[6], 100: expected[6]}
    for overlap, first_sentences in expected.items():
        chunks = chunk_text(text, tokenizer, 12, overlap)  # type: ignore[arg-type]
        assert [c.start for c in chunks] == [starts[i] for i in first_sentences], overlap
        assert [c.tokens for c in chunks] == [3 * min(4, 12 - i) for i in first_sentences], overlap
        assert chunks[-1].end == len(text)


# --- survivors of the full mutation run (`make mutation`) ---------------------------------------


class _Offsets:
    def decode_with_offsets(self, tokens: list[int]) -> tuple[str, list[int]]:
        return "".join(map(chr, tokens)), list(range(len(tokens)))


class PaddedCharTokenizer:
    """One token per character plus one framing token per text: a piece cut at `max_tokens`
    characters counts one more than the limit, the worst case the chunker must still get through."""

    encoding = _Offsets()

    def encode(self, text: str) -> list[int]:
        return [ord(char) for char in text]

    def count(self, text: str) -> int:
        return len(text) + 1

    def count_many(self, texts: list[str]) -> list[int]:
        return [self.count(text) for text in texts]


def test_a_piece_over_the_limit_still_makes_a_chunk_of_its_own() -> None:
    chunks = chunk_text("abcdef", PaddedCharTokenizer(), 2)  # type: ignore[arg-type]
    assert [(c.text, c.tokens) for c in chunks] == [("ab", 3), ("cd", 3), ("ef", 3)]


def test_hard_cuts_fall_every_max_tokens_tokens() -> None:
    from briefing.chunking import _hard_pieces

    text = "x" * 3000
    tokens = TOKENIZER.encode(text)
    cuts = _hard_pieces(text, 0, len(text), TOKENIZER, 50)
    assert len(cuts) == -(-len(tokens) // 50)  # ceil: one cut per 50 tokens, then the end
    assert cuts[-1] == len(text) and cuts == sorted(set(cuts))


def test_a_leading_line_break_is_a_unit_of_its_own() -> None:
    from briefing.chunking import _units

    units = _units("\nOne. Two.", WordTokenizer(), 10)  # type: ignore[arg-type]
    assert [(u.start, u.end) for u in units] == [(0, 1), (1, 6), (6, 10)]


def test_a_sentence_of_exactly_max_tokens_stays_whole_for_the_overlap() -> None:
    text, starts = _sentences(3)
    # each 3-token sentence fills a 3-token chunk; the 1-token overlap cannot hold a whole sentence
    chunks = chunk_text(text, WordTokenizer(), 3, 1)  # type: ignore[arg-type]
    assert [c.start for c in chunks] == starts


def test_overlap_can_repeat_the_second_unit_of_a_two_unit_chunk() -> None:
    text, starts = _sentences(4)
    chunks = chunk_text(text, WordTokenizer(), 6, 3)  # type: ignore[arg-type]
    assert [c.start for c in chunks] == starts[:3]
    assert [c.tokens for c in chunks] == [6, 6, 6]


def test_paragraph_break_of_an_over_long_sentence_is_kept() -> None:
    # the first paragraph's only sentence (6 words) is longer than a chunk (4): it is cut between
    # words, and the chunk holding its last word still ends at the paragraph break after it
    text = "A b c d e f.\n\nG h. I j. K l."
    chunks = chunk_text(text, WordTokenizer(), 4)  # type: ignore[arg-type]
    assert [c.text for c in chunks] == ["A b c d ", "e f.\n\n", "G h. I j. ", "K l."]


def test_words_of_an_over_long_sentence_are_not_paragraph_breaks() -> None:
    text = "W1 w2 w3 w4 w5 w6 w7 w8 w9 w10. I. J. K. L."
    chunks = chunk_text(text, WordTokenizer(), 6)  # type: ignore[arg-type]
    assert [c.text for c in chunks] == ["W1 w2 w3 w4 w5 w6 ", "w7 w8 w9 w10. I. J. ", "K. L."]


def test_the_paragraph_break_is_chosen_within_the_chunk_that_fits() -> None:
    text = "A b.\n\nC. D. E f.\n\nG h. I j."
    chunks = chunk_text(text, WordTokenizer(), 4)  # type: ignore[arg-type]
    assert chunks[0].text == "A b.\n\n"


def test_a_paragraph_break_just_under_half_a_chunk_is_not_preferred() -> None:
    text = "A b.\n\nC d e. F. G."
    chunks = chunk_text(text, WordTokenizer(), 5)  # type: ignore[arg-type]
    assert chunks[0].text == "A b.\n\nC d e. "  # the break after 2 of 5 tokens is under half


def test_no_overlap_by_default_nor_when_asked_for_none() -> None:
    text = "A. B. C. D."
    for chunks in (
        chunk_text(text, WordTokenizer(), 2),  # type: ignore[arg-type]
        chunk_text(text, WordTokenizer(), 2, 0),  # type: ignore[arg-type]
        chunk_text(text, WordTokenizer(), 2, -5),  # type: ignore[arg-type]
    ):
        assert [c.text for c in chunks] == ["A. B. ", "C. D."]
    overlapping = chunk_text(text, WordTokenizer(), 2, 1)  # type: ignore[arg-type]
    assert [c.text for c in overlapping] == ["A. B. ", "B. C. ", "C. D."]


def test_one_token_chunks_are_allowed_and_zero_is_refused() -> None:
    chunks = chunk_text("A. B.", WordTokenizer(), 1)  # type: ignore[arg-type]
    assert [c.text for c in chunks] == ["A. ", "B."]
    with pytest.raises(ValueError, match=r"^max_tokens must be >= 1$"):
        chunk_text("A. B.", WordTokenizer(), 0)  # type: ignore[arg-type]


def test_a_paragraph_break_at_exactly_half_a_chunk_is_preferred() -> None:
    chunks = chunk_text("A b.\n\nC d. E.", WordTokenizer(), 4)  # type: ignore[arg-type]
    assert [c.text for c in chunks] == ["A b.\n\n", "C d. E."]
