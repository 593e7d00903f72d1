"""Settings: the one place where defaults live, read from the environment (prefix BRIEFING_).

The OpenAI SDK's own variables (OPENAI_API_KEY, OPENAI_BASE_URL) and DATABASE_URL are honoured
as well. Tests build a `Settings(...)` with overrides instead of patching globals.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from briefing.models import VerifyMode

EngineName = Literal["llm", "offline", "lead"]


def is_loopback(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFING_", extra="ignore", populate_by_name=True)

    # --- engine choice -------------------------------------------------------------------------
    engine: EngineName | None = Field(
        default=None, description="Engine to use; default: llm when an endpoint is configured, else offline."
    )

    # --- LLM endpoint (any OpenAI-compatible server) -------------------------------------------
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("BRIEFING_OPENAI_API_KEY", "OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("BRIEFING_OPENAI_BASE_URL", "OPENAI_BASE_URL")
    )
    model: str = Field(default="gpt-4o-mini", validation_alias=AliasChoices("BRIEFING_MODEL"))
    models: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Models a request may ask for (empty: any); BRIEFING_MODELS."
    )
    llm_timeout: float = Field(default=30.0, gt=0, description="Seconds per LLM request (one try).")
    llm_deadline: float = Field(
        default=120.0,
        gt=0,
        description="Seconds one brief (or merge) may take with the LLM: all tries, backoff and chunks.",
    )
    llm_max_retries: int = 4
    llm_backoff_base: float = 0.5
    llm_backoff_max: float = 30.0
    llm_max_concurrency: int = 16
    llm_temperature: float = 0.0
    structured_output: Literal["auto", "json_schema", "json_object"] = "auto"
    max_output_tokens: int = 2048
    brief_language: str = Field(
        default="English", description="Language the LLM writes briefs in; evidence stays verbatim."
    )
    context_windows: dict[str, int] = Field(default_factory=dict, description="Overrides of the model table.")
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="USD per 1M (prompt, completion) tokens; overrides the price table."
    )

    # --- chunking and prompts ------------------------------------------------------------------
    chunk_tokens: int | None = Field(default=None, description="Cap on chunk size; default: the budget.")
    chunk_overlap_tokens: int = 64
    prompts_dir: Path | None = None

    # --- grounding -----------------------------------------------------------------------------
    grounding: Literal["flag", "strict"] = "flag"
    grounding_min_score: float = Field(default=90.0, description="rapidfuzz partial_ratio to accept a quote.")
    verify: VerifyMode = Field(
        default="offline",
        description="Claim check: offline only; llm: the LLM also judges the items the offline check "
        "flags; llm-all: the LLM judges every item with found evidence.",
    )

    # --- storage -------------------------------------------------------------------------------
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("BRIEFING_DATABASE_URL", "DATABASE_URL")
    )
    cache: bool = True

    # --- HTTP service --------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Accepted API keys: a JSON list or comma-separated."
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names the service answers to besides the loopback names (and a concrete "
        "BRIEFING_HOST); JSON list or comma-separated; '*' turns the check off.",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs the web sign-in cookie; default: generated once and kept in "
        "data_dir/session.key. Set it when processes do not share data_dir.",
    )
    session_max_age: float = Field(default=12 * 3600.0, description="Seconds a web sign-in lasts.")
    allow_public_bind: bool = False
    max_body_bytes: int = 2_000_000
    client_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a client has to send a whole request (headers and body) before the "
        "connection is closed.",
    )
    wait_seconds: float = 30.0
    workers: int = Field(default=16, description="Jobs run at once per server process.")
    processes: int = Field(default=1, description="Server (uvicorn worker) processes; they share the DB.")
    queue_limit: int = 200
    allow_private_urls: bool = False
    fetch_timeout: float = 10.0
    fetch_max_bytes: int = 5_000_000
    log_level: str = "INFO"
    log_article_text: bool = False
    job_lease_seconds: float = Field(
        default=10.0,
        gt=0,
        description="A running job whose worker is silent this long is run again elsewhere "
        "(lease renewed, or procrastinate heartbeat sent, every third of it).",
    )
    job_max_attempts: int = Field(default=3, description="Crashed-worker restarts before a job is failed.")
    job_poll_seconds: float = Field(default=1.0, description="How often idle workers look for new jobs.")
    queue: Literal["auto", "procrastinate", "local"] = Field(
        default="auto",
        description="What runs durable work: procrastinate (PostgreSQL only), local (in-process over "
        "the jobs table), or auto (procrastinate on PostgreSQL, local on SQLite).",
    )

    # --- digests -------------------------------------------------------------------------------
    templates_dir: Path | None = None
    scheduler_enabled: bool = True
    worker_enabled: bool = Field(
        default=True,
        description="Run durable work (brief jobs, the digest scheduler) inside `briefing serve`; "
        "false (`--no-worker`) leaves it to `briefing worker` processes.",
    )
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ca_file: Path | None = Field(default=None, description="CA bundle to verify the SMTP server.")
    smtp_from: str = "briefing@localhost"
    webhook_secret: SecretStr | None = None
    delivery_max_attempts: int = 5
    delivery_dirs: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="Folders directory targets may write under (JSON list or comma-separated); "
        "empty: any folder the server can write. Set it when API callers must not choose server paths.",
    )
    delivery_backoff_base: float = Field(default=30.0, description="Seconds before the first delivery retry.")
    delivery_backoff_max: float = Field(default=3600.0, description="Cap on the delay between retries.")
    delivery_timeout: float = 20.0
    scheduler_poll_seconds: float = 30.0
    scheduler_lease_seconds: float = Field(default=600.0, description="Run lease; then others take over.")
    digest_cluster_threshold: float = Field(default=0.86, description="Average-linkage cut for stories.")
    brief_on_arrival: bool = Field(
        default=True,
        description="Brief articles stored without a brief (feed entries, POST /v1/articles) with the "
        "default engine right away, so their stories are ready before a digest needs them.",
    )
    feed_poll_minutes: int = 30
    feed_max_entries: int = 200
    feed_poll_budget: float = Field(
        default=120.0,
        gt=0,
        description="Seconds one poll may spend fetching its entries' pages; the rest are queued as "
        "retries (a feed of slow pages otherwise holds its poll for half an hour).",
    )
    feed_entry_max_attempts: int = Field(default=5, description="Page fetches of an entry before giving up.")
    feed_entry_backoff_base: float = Field(default=300.0, description="Seconds before an entry retry.")
    feed_entry_backoff_max: float = Field(
        default=21600.0, description="Cap on the delay between an entry's page fetches."
    )

    @field_validator("api_keys", "models", "delivery_dirs", "allowed_hosts", mode="before")
    @classmethod
    def _string_list(cls, value: Any) -> Any:
        """Environment lists may be JSON (`["a","b"]`) or comma-separated (`a,b`)."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as error:
                raise ValueError(f"not a valid JSON list ({error}); or give comma-separated values") from None
        return [item.strip() for item in text.split(",") if item.strip()]

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.chunk_overlap_tokens < 0:
            raise ValueError("chunk_overlap_tokens must be >= 0")
        if self.llm_max_concurrency < 1:
            raise ValueError("llm_max_concurrency must be >= 1")
        if self.verify != "offline" and not self.llm_configured:
            raise ValueError(
                f"BRIEFING_VERIFY={self.verify} asks the LLM for a second opinion, but no LLM endpoint is "
                "configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a server other than OpenAI), "
                "or set BRIEFING_VERIFY=offline"
            )
        return self

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or self.openai_base_url is not None

    @property
    def trusted_hosts(self) -> frozenset[str]:
        """Host names (lower case, no port) the service answers to: the loopback names, the bound
        address when it is a concrete one, and `allowed_hosts`. A foreign Host header is refused,
        so a DNS-rebinding page cannot talk to a local server under its own name."""
        names = {"localhost", "127.0.0.1", "::1"}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host.strip("[]").lower())
        names.update(name.strip().strip("[]").lower() for name in self.allowed_hosts if name.strip())
        return frozenset(names)

    @property
    def loopback_only(self) -> bool:
        """The service listens on a loopback address only (nobody else can send it requests)."""
        return is_loopback(self.host)

    @property
    def default_engine(self) -> EngineName:
        if self.engine:
            return self.engine
        return "llm" if self.llm_configured else "offline"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'briefing.db'}"


def env_file() -> Path | None:
    """The dotenv file `get_settings` reads: `BRIEFING_ENV_FILE`, else `.env` in the working
    directory; an empty `BRIEFING_ENV_FILE` reads none. A missing file is no error."""
    import os

    chosen = os.environ.get("BRIEFING_ENV_FILE")
    if chosen is None:
        return Path(".env")
    return Path(chosen) if chosen.strip() else None


def get_settings() -> Settings:
    """Read settings from the environment and the `.env` file; a FastAPI dependency and the CLI's entry point.

    Precedence: a variable set in the environment wins over the same one in `.env`, which wins
    over the default (a command-line option wins over all three). `Settings(...)` built directly,
    as tests do, reads no `.env`. A bad value becomes a `ConfigError` naming the variable, so the
    CLI prints one line, not a traceback.
    """
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from briefing.errors import ConfigError

    try:
        return Settings(_env_file=env_file())  # type: ignore[call-arg]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            if not item["loc"]:  # a rule across settings: its message names the variables
                problems.append(item["msg"].removeprefix("Value error, "))
                continue
            name = str(item["loc"][0])
            variable = name if name.isupper() else f"BRIEFING_{name.upper()}"
            problems.append(f"{variable}: {item['msg']}")
        raise ConfigError("invalid setting " + "; ".join(problems)) from None
    except SettingsError as error:
        # pydantic-settings fails before validation when a JSON-valued variable is not JSON.
        field = str(error).split('"')[1] if str(error).count('"') >= 2 else ""
        variable = f"BRIEFING_{field.upper()}" if field else "a BRIEFING_ variable"
        raise ConfigError(f"invalid setting {variable}: expected a JSON value ({error})") from None
