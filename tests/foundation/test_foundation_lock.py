"""uv.lock pins every dependency pyproject.toml declares, with hashes, and the Makefile installs it."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _lock() -> dict:
    return tomllib.loads((ROOT / "uv.lock").read_text())


def _declared() -> list[Requirement]:
    project = _pyproject()["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(spec) for spec in project["dependencies"] + extras.get("test", [])]


def test_lock_records_the_requirements_pyproject_declares():
    """A dependency edited without `make lock` would install stale pins (uv sync --locked refuses)."""
    (root,) = [package for package in _lock()["package"] if package["name"] == "briefing"]
    locked = {
        (
            canonicalize_name(entry["name"]),
            SpecifierSet(entry.get("specifier", "")),
            frozenset(entry.get("extras", [])),
        )
        for entry in root["metadata"]["requires-dist"]
    }
    declared = {(canonicalize_name(req.name), req.specifier, frozenset(req.extras)) for req in _declared()}
    assert declared == locked, "pyproject.toml changed without `make lock`"


def test_every_declared_dependency_is_pinned_inside_its_range():
    versions: dict[str, list[Version]] = {}
    for package in _lock()["package"]:
        versions.setdefault(canonicalize_name(package["name"]), []).append(Version(package["version"]))
    for requirement in _declared():
        pinned = versions.get(canonicalize_name(requirement.name))
        assert pinned, f"{requirement.name} is not in uv.lock"
        assert all(requirement.specifier.contains(v, prereleases=True) for v in pinned), requirement


def test_every_locked_artifact_has_a_sha256_hash():
    for package in _lock()["package"]:
        if "registry" not in package["source"]:
            continue  # the project itself (editable)
        artifacts = package.get("wheels", []) + ([package["sdist"]] if "sdist" in package else [])
        assert artifacts, package["name"]
        assert all(artifact["hash"].startswith("sha256:") for artifact in artifacts), package["name"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("changed", ["uv.lock", "pyproject.toml"])
def test_make_reinstalls_when_the_lock_or_pyproject_changes(changed):
    plan = subprocess.run(
        ["make", "-n", "-W", changed, "setup"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert plan.returncode == 0, plan.stderr
    assert "uv sync" in plan.stdout and "--locked" in plan.stdout
