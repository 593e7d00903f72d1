"""The eval runner on a 3-case dataset: lead and fake engines, a mocked LLM, record then replay."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from briefing.config import Settings
from briefing.engines import ENGINES
from briefing.errors import InputError
from briefing.evaluation.dataset import load_dataset
from briefing.evaluation.report import write_reports
from briefing.evaluation.runner import EvalOptions, run_eval
from briefing.models import Actor, Article, Brief, BriefMeta, BriefOptions, Evidence

DATA = Path(__file__).parent / "data"
CHAT_URL = "http://llm.test/v1/chat/completions"
TIMING_KEYS = {"latency_ms_p50", "latency_ms_p95"}


class FakeEngine:
    """Names the first word of the article as an actor; fails on the library case."""

    name = "fake"
    model = None
    prompt_version = "fake-1"

    def __init__(self, settings: Settings, *, model: str | None = None) -> None:
        self.settings = settings

    async def brief(self, article: Article, options: BriefOptions) -> Brief:
        if "libraries" in article.text:
            raise RuntimeError("engine exploded")
        quote = article.text.split(".")[0]
        return Brief(
            headline=quote,
            summary=quote,
            actors=[Actor(name="Helen Ruiz", evidence=[Evidence(quote=quote)])],
            meta=BriefMeta(
                engine=self.name, llm_calls=2, prompt_tokens=100, completion_tokens=10, cost_usd=0.5
            ),
        )

    async def merge(self, briefs: Sequence[Brief], options: BriefOptions) -> Brief:
        return briefs[0]


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(ENGINES, "fake", f"{__name__}:FakeEngine")
    return "fake"


async def test_lead_run_scores_every_case_with_flat_aggregates(settings: Settings, tmp_path: Path) -> None:
    dataset = load_dataset(DATA / "gold")
    results = await run_eval(dataset, settings, EvalOptions(engine="lead"))

    assert [case["id"] for case in results["cases"]] == sorted(case.id for case in dataset.cases)
    aggregate = results["aggregate"]
    for name in (
        "schema_valid_rate",
        "actor_f1",
        "status_recall",
        "next_steps_precision",
        "rouge1",
        "rougeL",
    ):
        assert name in aggregate
    assert aggregate["schema_valid_rate"] == 1.0
    assert aggregate["actor_f1"] == 0.0  # the lead engine names nobody
    assert aggregate["grounded_rate"] is None  # ... and has no items to ground
    assert 0.0 < aggregate["rouge1"] < 1.0
    assert results["baseline"] is None  # lead is not compared with itself

    paths = write_reports(results, tmp_path / "out")
    saved = json.loads(paths["results"].read_text())
    assert saved["aggregate"]["rouge1"] == aggregate["rouge1"]
    html = paths["report"].read_text()
    assert "<svg" in html and "<script" not in html and "harbor-bridge-closure" in html
    assert "| rouge1 |" in paths["summary"].read_text()


async def test_failing_case_is_recorded_and_scored_zero(
    settings: Settings, fake_engine: str, tmp_path: Path
) -> None:
    dataset = load_dataset(DATA / "gold")
    results = await run_eval(dataset, settings, EvalOptions(engine=fake_engine, baseline="lead"))

    failed = [case for case in results["cases"] if not case["ok"]]
    assert [case["id"] for case in failed] == ["library-strike-vote"]
    assert "engine exploded" in failed[0]["error"]
    assert failed[0]["scores"]["actor_f1"] == 0.0
    assert results["errors"] == 1
    assert results["aggregate"]["schema_valid_rate"] == pytest.approx(2 / 3)
    # harbor: Helen Ruiz is 1 of 2 gold actors (F1 2/3); moscow: not a gold actor (0); library failed (0).
    assert results["aggregate"]["actor_f1"] == pytest.approx((2 / 3) / 3)
    assert results["aggregate"]["llm_calls"] == 4 and results["aggregate"]["cost_usd"] == 1.0
    assert results["baseline"]["engine"] == "lead"
    assert results["baseline"]["aggregate"]["schema_valid_rate"] == 1.0
    # grounding ran: the quote is the article's first sentence
    harbor = next(case for case in results["cases"] if case["id"] == "harbor-bridge-closure")
    assert harbor["brief"]["actors"][0]["grounded"] is True
    html = write_reports(results, tmp_path)["report"].read_text()
    assert "engine exploded" in html and "missed" in html


async def test_two_runs_give_identical_results(settings: Settings) -> None:
    dataset = load_dataset(DATA / "gold")
    first = await run_eval(dataset, settings, EvalOptions(engine="lead"))
    second = await run_eval(dataset, settings, EvalOptions(engine="lead"))

    def stable(results: dict) -> str:
        results = {
            **results,
            "aggregate": {k: v for k, v in results["aggregate"].items() if k not in TIMING_KEYS},
        }
        results["cases"] = [{k: v for k, v in case.items() if k != "cost"} for case in results["cases"]]
        return json.dumps(results, sort_keys=True)

    assert stable(first) == stable(second)


async def test_reference_dataset_uses_lead3_and_rouge_lsum(settings: Settings) -> None:
    dataset = load_dataset(DATA / "byo.jsonl")
    results = await run_eval(dataset, settings, EvalOptions(engine="lead", baseline=None))

    assert set(results["metrics"]) == {"schema_valid_rate", "rouge1", "rouge2", "rougeL", "rougeLsum"}
    assert "actor_f1" not in results["aggregate"]
    first = next(case for case in results["cases"] if case["id"] == "byo-1")
    assert first["brief"]["summary"] == (
        "The city council approved a new budget on Monday.\n"
        "It raises spending on schools by 4 percent.\n"
        "Opposition members voted against it."
    )
    russian = next(case for case in results["cases"] if case["id"] == "byo-3")
    assert russian["scores"]["rouge1"] > 0.5  # Cyrillic is scored, not dropped
    assert results["aggregate"]["rougeLsum"] > 0.3


# --- LLM engine: record, then replay with no network -----------------------------------------


def _answer(request: httpx.Request) -> httpx.Response:
    """A valid draft brief quoting the first sentence of whichever article was sent."""
    body = json.loads(request.content)
    prompt = body["messages"][-1]["content"]
    article = prompt.split("<<<ARTICLE", 1)[1].split("ARTICLE>>>", 1)[0].strip()
    first = article.split("\n")[0].split(". ")[0]
    draft = {
        "headline": first[:80],
        "summary": first,
        "actors": [{"name": "Helen Ruiz", "role": None, "aliases": [], "stance": None, "evidence": [first]}],
        "status": [{"text": first, "evidence": [first]}],
        "disputes": [],
        "next_steps": [],
    }
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(draft)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 500, "completion_tokens": 100, "total_tokens": 600},
        },
    )


async def test_record_then_replay_gives_identical_results_without_http(
    httpx2_mock, llm_settings: Settings, tmp_path: Path
) -> None:
    dataset = load_dataset(DATA / "gold")
    tapes = tmp_path / "tapes"
    route = httpx2_mock.post(CHAT_URL).mock(side_effect=_answer)
    recorded = await run_eval(dataset, llm_settings, EvalOptions(engine="llm", baseline=None, record=tapes))
    assert route.call_count == 3
    assert len(list(tapes.glob("*.json"))) == 3
    assert recorded["errors"] == 0
    assert recorded["aggregate"]["llm_calls"] == 3 and recorded["aggregate"]["prompt_tokens"] == 1500
    stored = json.loads(next(tapes.glob("*.json")).read_text())
    assert stored["case"] in {case.id for case in dataset.cases}
    assert "sk-test" not in json.dumps(stored)  # no credentials in recordings

    calls_before = len(httpx2_mock.calls)
    replayed = await run_eval(dataset, llm_settings, EvalOptions(engine="llm", baseline=None, replay=tapes))
    assert len(httpx2_mock.calls) == calls_before == 3  # nothing went over HTTP
    assert replayed["recording"]["served"] == 3

    def quality(results: dict) -> dict:
        return {k: v for k, v in results["aggregate"].items() if k not in TIMING_KEYS}

    assert quality(replayed) == quality(recorded)
    assert [c["brief"] for c in replayed["cases"]] == [c["brief"] for c in recorded["cases"]]


async def test_missing_recording_is_an_error_naming_the_case(
    httpx2_mock, llm_settings: Settings, tmp_path: Path
) -> None:
    dataset = load_dataset(DATA / "gold")
    tapes = tmp_path / "tapes"
    httpx2_mock.post(CHAT_URL).mock(side_effect=_answer)
    await run_eval(dataset, llm_settings, EvalOptions(engine="llm", baseline=None, record=tapes))
    moscow = next(
        p for p in tapes.glob("*.json") if json.loads(p.read_text())["case"] == "moscow-metro-extension"
    )
    moscow.unlink()

    calls_before = len(httpx2_mock.calls)
    with pytest.raises(InputError, match="moscow-metro-extension") as caught:
        await run_eval(dataset, llm_settings, EvalOptions(engine="llm", baseline=None, replay=tapes))
    assert "harbor-bridge-closure" not in str(caught.value)
    assert len(httpx2_mock.calls) == calls_before


async def test_replay_from_a_missing_folder_is_an_input_error(llm_settings: Settings, tmp_path: Path) -> None:
    dataset = load_dataset(DATA / "gold")
    with pytest.raises(InputError, match="--record"):
        await run_eval(dataset, llm_settings, EvalOptions(engine="llm", replay=tmp_path / "nowhere"))


def test_cli_replay_needs_no_api_key(httpx2_mock, llm_settings: Settings, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from briefing.cli import app

    dataset = load_dataset(DATA / "gold")
    tapes = tmp_path / "tapes"
    # The CLI replays against the default OpenAI URL, so record against it too.
    recording_settings = llm_settings.model_copy(update={"openai_base_url": None})
    httpx2_mock.post("https://api.openai.com/v1/chat/completions").mock(side_effect=_answer)
    asyncio.run(run_eval(dataset, recording_settings, EvalOptions(engine="llm", baseline=None, record=tapes)))
    calls_before = len(httpx2_mock.calls)

    result = CliRunner().invoke(
        app,
        ["eval", "--engine", "llm", "--dataset", str(DATA / "gold"), "--replay", str(tapes),
         "--no-gate", "--no-progress", "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(httpx2_mock.calls) == calls_before
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["errors"] == 0 and results["engine"]["name"] == "llm"
