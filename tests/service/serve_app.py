"""Run the service with the fake test engine registered (used by subprocess tests: python -m ...)."""

from __future__ import annotations

import sys

import uvicorn

from api.main import create_app
from briefing import engines
from briefing.config import Settings

if __name__ == "__main__":
    engines.ENGINES["test"] = "tests.service.fake_engine:FakeEngine"
    uvicorn.run(create_app(Settings()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
