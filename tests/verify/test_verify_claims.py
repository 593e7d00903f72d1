"""The offline claim check: each kind of fact, caseless and tokenized claims, and briefs in strict mode."""

from __future__ import annotations

import pytest

from briefing.claims import analyse, check_claim, detokenize, extract_facts, verify_claim
from briefing.grounding import ground_brief
from briefing.models import Actor, Brief, BriefMeta, Evidence, NextStep, StatusItem
from briefing.verify import check_brief, present_brief

EVIDENCE = (
    "Brazil's antitrust regulator on Wednesday blocked supermarket operator Grupo Sabiá's 7.8 billion "
    "reais acquisition of rival chain Rede Tropeiro, and Beatriz Lacerda said two councillors voted "
    "against it at 3 p.m. in August 2026."
)
SOURCE = analyse(EVIDENCE + " Rodrigo Figueiredo, the fifth-largest chain's chief, did not comment.")


def reasons(claim: str, evidence: str = EVIDENCE, **kwargs: object) -> list[str]:
    return check_claim(claim, [evidence], source=SOURCE, **kwargs)  # type: ignore[arg-type]


def test_a_faithful_claim_has_no_reasons() -> None:
    assert (
        reasons("The regulator blocked Grupo Sabiá's 7.8 billion reais acquisition of Rede Tropeiro.") == []
    )


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("The regulator blocked a 7.9 billion reais deal.", 'number "7.9 billion"'),
        ("The regulator blocked a 7.8 million reais deal.", 'number "7.8 million"'),
        ("Three councillors voted against it.", 'number "Three"'),
        ("The regulator acted on Thursday.", 'date "Thursday"'),
        ("Lacerda spoke in September.", 'date "September"'),
        ("The vote came in 2025.", 'year "2025"'),
        ("The vote came at 4 p.m.", 'time "4 p.m."'),
        ("Rodrigo Figueiredo said two councillors voted against it.", 'name "Rodrigo Figueiredo"'),
        ("Carlos Mendes said two councillors voted against it.", 'name "Carlos Mendes"'),
        ("The regulator did not block the acquisition.", "negation"),
        ("The regulator approved the acquisition.", 'polarity: "approved"'),
    ],
)
def test_each_kind_of_changed_fact_is_a_reason(claim: str, expected: str) -> None:
    found = reasons(claim)
    assert any(expected in reason for reason in found), found


def test_money_scales_and_written_numbers_compare_by_value() -> None:
    assert reasons("A R$7,800 million deal; 2 councillors were against it.") == []
    facts = extract_facts("$1.2bn, twenty-five people, 40 percent, the fifth round")
    assert {round(v) for _, v, _ in facts.numbers} == {1_200_000_000, 25, 40}
    assert facts.ordinals == {5}


def test_aliases_back_a_name_whose_other_name_is_quoted() -> None:
    assert reasons("CADE blocked the deal.", aliases=[["CADE", "antitrust regulator"]]) == []
    assert reasons("CADE blocked the deal.") != []


def test_evidence_negating_what_the_claim_affirms_is_a_reason() -> None:
    evidence = "Figueiredo did not comment on the ruling."
    assert any("negation" in r for r in reasons("Figueiredo commented on the ruling.", evidence))
    assert reasons("Figueiredo did not comment on the ruling.", evidence) == []


def test_confirmed_certainty_needs_evidence_without_a_hedge() -> None:
    evidence = "The companies are expected to appeal within 15 days."
    assert reasons("The companies appeal within 15 days.", evidence, confirmed=True)
    assert reasons("The companies appeal within 15 days.", evidence) == []


def test_lower_cased_and_ptb_tokenized_claims_are_checked_too() -> None:
    assert detokenize("sabiá 's shares fell 6.2 % on wednesday .") == "sabiá's shares fell 6.2% on wednesday."
    assert reasons("the regulator blocked grupo sabiá 's 7.8 billion reais acquisition .") == []
    assert any(
        "rodrigo figueiredo" in r for r in reasons("rodrigo figueiredo said two councillors objected .")
    )
    assert any('"7.5 billion"' in r for r in reasons("the regulator blocked a 7.5 billion reais deal ."))
    assert any("thursday" in r.lower() for r in reasons("the regulator acted on thursday ."))


def test_verify_claim_scores_rank_more_unsupported_content_lower() -> None:
    good = verify_claim("The regulator blocked Grupo Sabiá's 7.8 billion reais acquisition.", SOURCE)
    one = verify_claim("The regulator blocked Grupo Sabiá's 7.5 billion reais acquisition.", SOURCE)
    two = verify_claim("The regulator blocked Grupo Sabiá's 7.5 billion reais acquisition on Friday.", SOURCE)
    unrelated = verify_claim("Penguins migrate north.", SOURCE)
    assert good.verdict == "supported" and one.verdict == two.verdict == "unsupported"
    assert good.score > one.score > two.score >= 0
    assert unrelated.verdict in {"unsupported", "unverifiable"} and unrelated.score < good.score
    start, end = good.evidence[0]
    assert "7.8 billion" in SOURCE.text[start:end]


ARTICLE = (
    "The city council voted on Tuesday to close the old bridge for repairs. "
    "Mayor Jane Doe said work would begin in May and last six months. "
    "Officials said the repairs may cost 4 million euros."
)


def _brief() -> Brief:
    return Brief(
        headline="Council closes bridge for nine months",
        summary="The council voted on Friday to close the bridge.",
        actors=[Actor(name="Jane Doe", role="mayor", evidence=[Evidence(quote="Mayor Jane Doe said")])],
        status=[
            StatusItem(
                text="The council voted to close the bridge.", evidence=[Evidence(quote=ARTICLE[:70])]
            ),
            StatusItem(
                text="Work lasts eight months.",
                evidence=[Evidence(quote="work would begin in May and last six months")],
            ),
        ],
        next_steps=[
            NextStep(
                action="Repairs cost 4 million euros",
                certainty="confirmed",
                evidence=[Evidence(quote="the repairs may cost 4 million euros")],
            )
        ],
        meta=BriefMeta(engine="test"),
    )


def test_brief_items_headline_and_summary_are_checked() -> None:
    brief = check_brief(ground_brief(_brief(), ARTICLE), ARTICLE)
    assert [item.supported for item in brief.items()] == [True, True, False, False]
    assert brief.status[1].reasons == ['number "eight" not in its evidence']
    assert "hedges" in brief.next_steps[0].reasons[0]
    assert brief.meta.headline_supported is False and 'number "nine"' in brief.meta.headline_reasons[0]
    assert brief.meta.summary_supported is False and "Friday" in brief.meta.summary_reasons[0]
    assert brief.meta.supported_ratio == 0.5
    assert "claims: 2 item(s) state facts their evidence does not back" in brief.meta.warnings


def test_strict_drops_unsupported_items_and_replaces_headline_and_summary() -> None:
    flagged = check_brief(ground_brief(_brief(), ARTICLE), ARTICLE)
    strict = present_brief(flagged, ARTICLE, "strict")
    assert [item.supported for item in strict.items()] == [True, True]
    assert strict.headline == "The city council voted on Tuesday to close the old bridge for repairs."
    assert strict.summary.startswith(strict.headline) and "Mayor Jane Doe" in strict.summary
    assert any(w.startswith("claims: headline replaced") for w in strict.meta.warnings)
    assert any(w.startswith("claims: dropped 2 item(s)") for w in strict.meta.warnings)
    assert len(flagged.items()) == 4  # the stored (flagged) brief is untouched


def test_a_brief_stored_before_the_check_is_checked_when_presented() -> None:
    old = ground_brief(_brief(), ARTICLE)
    assert old.status[1].supported is None
    shown = present_brief(old, ARTICLE, "flag")
    assert shown.status[1].supported is False
