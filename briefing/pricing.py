"""What a model can take and what it costs: a small table, overridable from settings.

Context windows are matched by the longest known prefix (dated snapshots share their family's
window); prices only by exact name, because snapshots are priced differently and an unknown price
must be reported as unknown (cost None), never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.config import Settings

DEFAULT_CONTEXT_WINDOW = 8192

# model → context window in tokens
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
    "gpt-4.1": 1_047_576,
    "gpt-4.1-mini": 1_047_576,
    "gpt-4.1-nano": 1_047_576,
    "gpt-4-turbo": 128_000,
    "gpt-4": 8_192,
    "gpt-3.5-turbo": 16_385,
    "o1": 200_000,
    "o3": 200_000,
    "o3-mini": 200_000,
    "o4-mini": 200_000,
}

# model → USD per 1M tokens (prompt, completion)
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
}


@dataclass(frozen=True)
class ModelInfo:
    name: str
    context_window: int
    context_window_known: bool
    prices: tuple[float, float] | None

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float | None:
        """USD for the given usage; None when the model's price is unknown."""
        if self.prices is None:
            return None
        prompt_price, completion_price = self.prices
        return round((prompt_tokens * prompt_price + completion_tokens * completion_price) / 1_000_000, 8)


def _by_prefix(table: dict[str, int], model: str) -> int | None:
    if model in table:
        return table[model]
    matches = [name for name in table if model.startswith(name + "-")]
    return table[max(matches, key=len)] if matches else None


def model_info(model: str, settings: Settings) -> ModelInfo:
    """Context window and prices for `model`; settings overrides win over the built-in table."""
    window = _by_prefix({**CONTEXT_WINDOWS, **settings.context_windows}, model)
    prices = settings.prices.get(model) or PRICES.get(model)
    return ModelInfo(
        name=model,
        context_window=window or DEFAULT_CONTEXT_WINDOW,
        context_window_known=window is not None,
        prices=tuple(prices) if prices else None,  # type: ignore[arg-type]
    )
