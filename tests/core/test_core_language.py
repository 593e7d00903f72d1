from __future__ import annotations

from briefing.config import Settings
from briefing.engines.llm import LLMEngine


def test_briefs_are_written_in_english_by_default(llm_settings: Settings) -> None:
    engine = LLMEngine(llm_settings)
    assert "Write in English" in engine.system_prompt
    on_openai = LLMEngine(llm_settings.model_copy(update={"openai_base_url": None}))
    assert on_openai.prompt_version == on_openai.prompts.version  # English adds no salt


def test_output_language_changes_prompt_and_cache_key(llm_settings: Settings) -> None:
    english = LLMEngine(llm_settings)
    german = LLMEngine(llm_settings.model_copy(update={"brief_language": "German"}))
    assert "Write in German" in german.system_prompt
    assert german.prompt_version != english.prompt_version
    assert len(german.prompt_version) == 12
