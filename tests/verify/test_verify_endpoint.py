"""POST /v1/verify and `briefing verify`: verdicts, ranking scores, and bad input as 4xx / exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from briefing.config import Settings
from briefing.errors import InputError
from briefing.models import Brief, normalize_text
from briefing.verify import (
    ClaimEvidence,
    ClaimVerdict,
    VerifyReport,
    report_markdown,
    verify_brief,
    verify_claims,
)

ARTICLE = (
    "Brazil's antitrust regulator on Wednesday blocked Grupo Sabiá's 7.8 billion reais acquisition of "
    "rival chain Rede Tropeiro. The tribunal voted 4-2 to reject the transaction. "
    "Sabiá shares fell 6.2 percent in São Paulo on Wednesday."
)
CLAIMS = [
    "The regulator blocked Grupo Sabiá's 7.8 billion reais acquisition of Rede Tropeiro.",
    "The regulator blocked Grupo Sabiá's 7.5 billion reais acquisition of Rede Tropeiro.",
    "The regulator blocked Grupo Sabiá's 7.5 billion reais acquisition of Rede Tropeiro on Friday.",
]
BRIEFING = Path(sys.executable).parent / "briefing"


@pytest.fixture
def client(settings: Settings) -> TestClient:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_verify_answers_verdicts_scores_and_evidence(client: TestClient) -> None:
    response = client.post("/v1/verify", json={"article": ARTICLE, "claims": CLAIMS})
    assert response.status_code == 200
    body = response.json()
    verdicts = [claim["verdict"] for claim in body["claims"]]
    scores = [claim["score"] for claim in body["claims"]]
    assert verdicts == ["supported", "unsupported", "unsupported"]
    assert scores[0] > scores[1] > scores[2]  # more unsupported content, lower score
    assert body["score"] == min(scores)
    evidence = body["claims"][0]["evidence"][0]
    assert ARTICLE[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert any('"7.5 billion"' in reason for reason in body["claims"][1]["reasons"])


@pytest.mark.parametrize(
    "payload",
    [
        {"article": "", "claims": ["x"]},
        {"article": "   ", "claims": ["A claim."]},
        {"article": ARTICLE, "claims": []},
        {"article": ARTICLE, "claims": ["  "]},
        {"article": ARTICLE, "claims": ["c"] * 201},
        {"article": ARTICLE},
        {"article": ARTICLE, "claims": "not a list"},
        {"article": ARTICLE, "claims": ["A claim."], "claim": "misspelt"},  # unknown fields are refused
    ],
)
def test_bad_verify_input_is_a_422_with_a_message(client: TestClient, payload: dict) -> None:
    response = client.post("/v1/verify", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"]


def _run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BRIEFING), "verify", *args], cwd=cwd, capture_output=True, text=True, timeout=60, input=stdin
    )


def test_cli_verify_exit_codes_and_formats(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "good.txt").write_text(CLAIMS[0] + "\n", encoding="utf-8")
    (tmp_path / "mixed.txt").write_text("\n".join(CLAIMS) + "\n", encoding="utf-8")
    good = _run("a.txt", "good.txt", "--format", "json", cwd=tmp_path)
    assert good.returncode == 0 and json.loads(good.stdout)["claims"][0]["verdict"] == "supported"
    mixed = _run("a.txt", "mixed.txt", cwd=tmp_path)
    assert mixed.returncode == 1 and "**unsupported**" in mixed.stdout
    assert _run("a.txt", "mixed.txt", "--no-fail", cwd=tmp_path).returncode == 0


def test_cli_verify_checks_a_brief_json_by_its_items(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    brief = {
        "headline": "h",
        "summary": "s",
        "status": [
            {"text": "Shares fell 9 percent.", "evidence": [{"quote": "Sabiá shares fell 6.2 percent"}]}
        ],
        "meta": {"engine": "x"},
    }
    (tmp_path / "b.json").write_text(json.dumps(brief), encoding="utf-8")
    result = _run("a.txt", "b.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    claims = json.loads(result.stdout)["claims"]
    assert [(c["part"], c["text"]) for c in claims] == [
        ("headline", "h"),
        ("summary", "s"),
        ("status", "Shares fell 9 percent"),
    ]
    assert claims[2]["verdict"] == "unsupported" and claims[2]["reasons"] == [
        'number "9" not in its evidence'
    ]
    assert claims[2]["evidence"][0]["quote"] == "Sabiá shares fell 6.2 percent"


def test_cli_verify_of_a_brief_reports_its_invented_quotes_headline_and_summary(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    made = _run_brief(tmp_path / "a.txt")
    brief = json.loads(made)
    assert _run("a.txt", "-", cwd=tmp_path, stdin=made).returncode == 0  # a fresh brief passes its own check
    brief["headline"] = "Regulator approves Sabiá takeover of Rede Tropeiro"
    brief["summary"] = "Sabiá shares rose 9 percent."
    brief["status"][0]["evidence"].append({"quote": "The tribunal voted unanimously to approve the deal."})
    (tmp_path / "b.json").write_text(json.dumps(brief), encoding="utf-8")
    result = _run("a.txt", "b.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    claims = {c["part"]: c for c in reversed(json.loads(result.stdout)["claims"])}
    assert claims["headline"]["verdict"] == claims["summary"]["verdict"] == "unsupported"
    assert 'number "9" not in the article' in claims["summary"]["reasons"]
    invented = 'quote "The tribunal voted unanimously to approve the deal." not found in the article'
    assert invented in claims["status"]["reasons"] and claims["status"]["verdict"] == "unsupported"
    markdown = _run("a.txt", "b.json", cwd=tmp_path).stdout
    assert "- **unsupported** " in markdown and "headline: Regulator approves" in markdown


def _run_brief(path: Path) -> str:
    made = subprocess.run(
        [str(BRIEFING), "brief", str(path), "--format", "json", "--engine", "offline"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=path.parent,
        env={**os.environ, "BRIEFING_DATA_DIR": str(path.parent / "data")},
    )
    assert made.returncode == 0, made.stderr
    return made.stdout


def test_cli_verify_reads_claims_as_arrays_lists_and_standard_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "arr.json").write_text(json.dumps(CLAIMS[:2]), encoding="utf-8")
    got = json.loads(_run("a.txt", "arr.json", "--format", "JSON", cwd=tmp_path).stdout)
    assert [c["text"] for c in got["claims"]] == CLAIMS[:2] and "part" not in got["claims"][0]
    # a BOM, list markers and a name-only claim (evidence found by the name alone)
    listed = "\ufeff1. " + CLAIMS[0] + "\n- Rede Tropeiro\n* " + CLAIMS[1] + "\n"
    (tmp_path / "list.txt").write_text(listed, encoding="utf-8")
    got = json.loads(_run("a.txt", "list.txt", "--format", "json", cwd=tmp_path).stdout)
    assert [c["text"] for c in got["claims"]] == [CLAIMS[0], "Rede Tropeiro", CLAIMS[1]]
    assert [c["verdict"] for c in got["claims"]] == ["supported", "supported", "unsupported"]
    piped = _run("a.txt", "-", "--format", "json", cwd=tmp_path, stdin=CLAIMS[0] + "\n")
    assert json.loads(piped.stdout)["claims"][0]["verdict"] == "supported"


def test_cli_verify_offsets_index_the_file_as_written(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(("Title\r\n\r\n" + ARTICLE + "\r\n").encode("utf-8"))
    (tmp_path / "c.txt").write_text(CLAIMS[0], encoding="utf-8")
    evidence = json.loads(_run("a.txt", "c.txt", "--format", "json", cwd=tmp_path).stdout)["claims"][0][
        "evidence"
    ]
    raw = (tmp_path / "a.txt").read_bytes().decode("utf-8")
    assert evidence and all(raw[e["start"] : e["end"]] == e["quote"] for e in evidence)
    assert evidence[0]["start"] == len("Title\r\n\r\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.txt", "c.txt"], "no such file"),
        (["a.txt", "empty.txt"], "no claims"),
        (["a.txt", "c.txt", "--format", "xml"], "--format must be one of"),
        (["a.txt", "bad.json"], "not a brief (headline: Input should be a valid string"),
        (["a.txt", "."], "is a directory"),
        (["a.txt", "mixed.json"], "a JSON array of claims must hold only strings"),
        (["a.txt", "broken.json"], "not valid JSON"),
        (["-", "-"], "only one of ARTICLE and CLAIMS_FILE"),
        (["a.txt", "empty.json"], "nothing to check"),
    ],
)
def test_cli_verify_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c.txt").write_text(CLAIMS[0], encoding="utf-8")
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"headline": 3}', encoding="utf-8")
    (tmp_path / "mixed.json").write_text('["A claim.", 3]', encoding="utf-8")
    (tmp_path / "broken.json").write_text('["A claim.",', encoding="utf-8")
    (tmp_path / "empty.json").write_text(
        '{"headline": " ", "summary": "", "meta": {"engine": "x"}}', encoding="utf-8"
    )
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def _input_error(article: str, claims: list[str]) -> InputError:
    with pytest.raises(InputError) as raised:
        verify_claims(article, claims)
    return raised.value


def test_verify_claims_refuses_unusable_input_naming_the_field() -> None:
    # the API's schema refuses most of these first; the CLI and other callers rely on these checks
    error = _input_error(" \n ", ["A claim."])
    assert (error.message, error.context) == (
        "article: must not be empty or whitespace",
        {"fields": ["article"]},
    )
    error = _input_error(ARTICLE, [])
    assert (error.message, error.context) == ("claims: give 1 to 200 claims (got 0)", {"fields": ["claims"]})
    error = _input_error(ARTICLE, ["A claim."] * 201)
    assert (error.message, error.context) == (
        "claims: give 1 to 200 claims (got 201)",
        {"fields": ["claims"]},
    )
    error = _input_error(ARTICLE, ["A claim.", "  "])
    assert (error.message, error.context) == (
        "claims[1]: must not be empty or whitespace",
        {"fields": ["claims"]},
    )
    error = _input_error(ARTICLE, ["x" * 5_001])
    assert (error.message, error.context) == (
        "claims[0]: longer than 5000 characters",
        {"fields": ["claims"]},
    )


def test_verify_claims_takes_up_to_200_claims_of_up_to_5000_characters() -> None:
    assert len(verify_claims(ARTICLE, [CLAIMS[0]] * 200).claims) == 200
    long_claim = ((CLAIMS[0] + " ") * 60)[:5_000]
    assert len(long_claim) == 5_000
    assert len(verify_claims(ARTICLE, [long_claim]).claims) == 1


def test_verify_claims_reports_each_claim_stripped_with_its_quoted_evidence() -> None:
    report = verify_claims(ARTICLE, ["  " + CLAIMS[0] + "\n", CLAIMS[1]])
    assert [claim.text for claim in report.claims] == CLAIMS[:2]
    assert report.score == report.claims[1].score < report.claims[0].score
    for claim in report.claims:
        assert claim.evidence and all(ARTICLE[e.start : e.end] == e.quote for e in claim.evidence)


def test_report_markdown_has_a_line_per_claim_then_its_reasons_and_evidence() -> None:
    report = VerifyReport(
        score=0.123,
        claims=[
            ClaimVerdict(
                text="Shares fell 9 percent.",
                verdict="unsupported",
                score=0.123,
                reasons=['number "9" not in its evidence', "polarity"],
                evidence=[ClaimEvidence(quote="Sabiá shares fell\n 6.2 percent", start=0, end=29)],
            ),
            ClaimVerdict(text="Sabiá shares fell.", verdict="supported", score=0.9),
        ],
    )
    assert report_markdown(report) == (
        "# Claim check: lowest score 0.12\n"
        "\n"
        "- **unsupported** (0.12): Shares fell 9 percent.\n"
        '  - number "9" not in its evidence\n'
        "  - polarity\n"
        "  > Sabiá shares fell 6.2 percent\n"
        "- **supported** (0.90): Sabiá shares fell.\n"
    )


# The article as a client may send it: CRLF, runs of spaces, trailing blanks, a decomposed accent.
RAW_ARTICLE = (
    "  The council  voted on Monday to close the old bridge.   \r\n\r\n\r\n"
    "Repairs would cost 4.2 million euros,\tofficials said.\r\n"
    "Cafe\u0301 owners on the bridge  protested the closure.  "
)


def test_evidence_offsets_index_the_article_as_it_was_sent(client: TestClient) -> None:
    claims = [
        "Repairs would cost 4.2 million euros.",
        "Café owners on the bridge protested the closure.",
        "The council voted on Monday to close the old bridge.",
    ]
    for report in (
        verify_claims(RAW_ARTICLE, claims),
        VerifyReport.model_validate(
            client.post("/v1/verify", json={"article": RAW_ARTICLE, "claims": claims}).json()
        ),
    ):
        assert [claim.verdict for claim in report.claims] == ["supported"] * 3
        for claim in report.claims:
            assert claim.evidence
            for evidence in claim.evidence:
                assert RAW_ARTICLE[evidence.start : evidence.end] == evidence.quote
        quotes = [" ".join(claim.evidence[0].quote.split()) for claim in report.claims]
        assert quotes[0].startswith("Repairs would cost 4.2 million euros,")
        assert "Cafe\u0301 owners on the bridge" in report.claims[1].evidence[0].quote  # as sent
        assert quotes[2] == "The council voted on Monday to close the old bridge."


def test_an_article_the_offsets_cannot_follow_gets_offsets_of_its_normalized_text() -> None:
    # conjoining jamo compose across characters that are not combining marks: no character map
    article = "\u1100\u1161 market opened on Monday. Shares fell 6.2 percent."
    report = verify_claims(article, ["Shares fell 6.2 percent."])
    (evidence,) = report.claims[0].evidence
    text = normalize_text(article)
    assert text != article and text[evidence.start : evidence.end] == evidence.quote
    assert evidence.quote == "Shares fell 6.2 percent."


def _brief(**sections: object) -> Brief:
    return Brief.model_validate({"headline": "", "summary": "", "meta": {"engine": "x"}, **sections})


def test_verify_brief_checks_each_part_against_what_it_is_checked_against() -> None:
    brief = _brief(
        headline="Brazil's regulator blocks Grupo Sabiá's takeover of Rede Tropeiro",
        summary="Sabiá shares rose 9 percent.",
        status=[
            {
                "text": "The tribunal voted 4-2 to reject the transaction.",
                "evidence": [
                    {"quote": "The tribunal voted 4-2 to reject the transaction."},
                    {"quote": "The tribunal voted unanimously."},
                ],
            },
            {
                "text": "Sabiá shares fell 6.2 percent.",
                "evidence": [{"quote": "Sabiá shares fell 6.2 percent"}],
            },
        ],
        next_steps=[
            {"action": "Sabiá will appeal.", "who": "Rede Tropeiro", "evidence": [{"quote": "nowhere"}]}
        ],
    )
    report = verify_brief(ARTICLE, brief)
    by_part = [(c.part, c.verdict) for c in report.claims]
    assert by_part == [
        ("headline", "supported"),
        ("summary", "unsupported"),
        ("status", "unsupported"),
        ("status", "supported"),
        ("next_steps", "unsupported"),
    ]
    headline, summary, invented, found, step = report.claims
    assert [ARTICLE[e.start : e.end] for e in headline.evidence] == [e.quote for e in headline.evidence]
    assert 'number "9" not in the article' in summary.reasons
    assert invented.reasons == ['quote "The tribunal voted unanimously." not found in the article']
    assert [e.quote for e in invented.evidence] == ["The tribunal voted 4-2 to reject the transaction."]
    assert (
        found.reasons == []
        and found.score == 1.0
        and found.evidence[0].start == ARTICLE.index("Sabiá shares fell")
    )
    assert step.reasons[0] == 'quote "nowhere" not found in the article' and step.evidence == []
    assert "no evidence found in the article" in step.reasons
    assert step.score == 0.0 and report.score == 0.0  # no found quote at all: the lowest score
    assert invented.score < found.score and summary.score < found.score


def test_verify_brief_shortens_a_long_unfound_quote_and_refuses_an_empty_brief() -> None:
    long = "An invented sentence " * 10
    brief = _brief(status=[{"text": "Shares fell.", "evidence": [{"quote": long}]}])
    (claim,) = verify_brief(ARTICLE, brief).claims
    shown = claim.reasons[0].removeprefix('quote "').removesuffix('" not found in the article')
    assert len(shown) == 80 and shown.endswith("…") and " ".join(long.split()).startswith(shown[:-1])
    with pytest.raises(InputError, match="nothing to check"):
        verify_brief(ARTICLE, _brief(headline="  "))
    with pytest.raises(InputError, match="article: must not be empty"):
        verify_brief("  ", brief)
