"""The prompt templates ship inside the wheel and are found by an installed copy."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import briefing
from briefing.prompts import Prompts
prompts = Prompts()
print(json.dumps({"module": briefing.__file__, "sources": prompts.sources, "version": prompts.version}))
"""


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import hatchling"], capture_output=True).returncode != 0,
    reason="hatchling (test extra) is needed to build the wheel offline",
)
def test_installed_wheel_finds_its_prompts(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("briefing-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("system", "single", "map", "reduce", "repair"):
        assert f"briefing/_prompts/brief/{template}.j2" in names

    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr

    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(site)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["module"].startswith(str(site))
    assert all(path.startswith(str(site / "briefing" / "_prompts")) for path in found["sources"].values())

    from briefing.prompts import Prompts

    assert found["version"] == Prompts().version  # same templates, same version
