"""Prompt templates as files: one loader, one version hash.

Templates live in `prompts/` (in a wheel: `briefing/_prompts`). A user folder set in
`Settings.prompts_dir` is searched first, template by template, so overriding one file keeps the
others. Rendering is sandboxed with StrictUndefined: a typo in a template fails loudly instead of
sending the model an empty hole. `version` hashes the sources actually used, so a changed prompt
never reuses a brief cached under the old one.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from briefing.errors import ConfigError

BRIEF_TEMPLATES = ("brief/system.j2", "brief/single.j2", "brief/map.j2", "brief/reduce.j2", "brief/repair.j2")
ARTICLE_FENCE = ("<<<ARTICLE", "ARTICLE>>>")
BRIEFS_FENCE = ("<<<BRIEFS", "BRIEFS>>>")

_FENCE_RUN = re.compile(r"[<>]{3,}")


def fence(text: object) -> str:
    """Make data safe to put between fence lines: no run of three angle brackets survives."""
    return _FENCE_RUN.sub(lambda match: " ".join(match.group()), str(text))


def packaged_prompts_dir() -> Path | None:
    """The templates shipped inside an installed wheel (`briefing/_prompts`), if present."""
    candidate = resources.files("briefing") / "_prompts"
    return Path(str(candidate)) if candidate.is_dir() else None


def repo_prompts_dir() -> Path | None:
    candidate = Path(__file__).resolve().parent.parent / "prompts"
    return candidate if candidate.is_dir() else None


def search_path(prompts_dir: Path | None = None) -> list[Path]:
    """Where templates are looked up, first hit wins: user folder, wheel, repository."""
    if prompts_dir is not None and not Path(prompts_dir).is_dir():
        raise ConfigError(
            f"prompts folder {prompts_dir} does not exist; set BRIEFING_PROMPTS_DIR or --prompts to a folder"
        )
    folders = [Path(prompts_dir)] if prompts_dir is not None else []
    folders += [folder for folder in (packaged_prompts_dir(), repo_prompts_dir()) if folder is not None]
    return folders


class Prompts:
    """Loads and renders the brief templates; `version` is a short hash of their sources."""

    def __init__(self, prompts_dir: Path | None = None, templates: tuple[str, ...] = BRIEF_TEMPLATES) -> None:
        self.folders = search_path(prompts_dir)
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in self.folders]),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
        )
        self.env.filters["fence"] = fence
        self.templates = templates
        self.sources: dict[str, str] = {}
        digest = hashlib.sha256()
        for name in templates:
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            except TemplateNotFound:
                where = ", ".join(str(folder) for folder in self.folders) or "nowhere"
                raise ConfigError(f"prompt template {name} not found (searched: {where})") from None
            except UnicodeDecodeError:
                where = ", ".join(str(folder) for folder in self.folders)
                raise ConfigError(
                    f"prompt template {name} is not UTF-8 text (searched: {where}); save it as UTF-8"
                ) from None
            self.sources[name] = filename or name
            digest.update(name.encode() + b"\0" + source.encode() + b"\0")
        self.version = digest.hexdigest()[:12]

    def render(self, name: str, **values: object) -> str:
        try:
            return self.env.get_template(name).render(**values).strip()
        except TemplateError as error:
            raise ConfigError(f"prompt template {name} failed to render: {error}") from error
