"""The site's charts cannot be steered by the machine or the pull request: matplotlib
reads a `matplotlibrc` from the working directory, from `$MATPLOTLIBRC` and from its
config folder, any of which a contributor or a CI image can hold. campc draws with
matplotlib's own defaults whatever they say, never loads a backend they name, and the
charts come out byte for byte as on a clean machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.golden_build import tree

HOSTILE_RC = """\
backend: module://evil_backend
svg.hashsalt: pwned
svg.fonttype: none
font.family: monospace
axes.facecolor: red
savefig.directory: /
savefig.format: png
figure.dpi: 10
"""
EVIL_BACKEND = """\
from pathlib import Path
Path(__file__).with_name("backend-ran").write_text("ran")
"""


def _example(root: Path) -> Path:
    root.mkdir()
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _build(root: Path, env: dict[str, str]) -> dict[str, bytes]:
    done = subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--no-cache"],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {p: b for p, b in tree(root / "outputs").items() if p.startswith("site/")}


def test_a_hostile_matplotlibrc_changes_no_chart(tmp_path: Path) -> None:
    clean = _build(_example(tmp_path / "clean"), {"MPLCONFIGDIR": str(tmp_path / "mpl-clean")})
    root = _example(tmp_path / "hostile")
    (root / "matplotlibrc").write_text(HOSTILE_RC, encoding="utf-8")
    (root / "evil_backend.py").write_text(EVIL_BACKEND, encoding="utf-8")
    config = tmp_path / "mpl-config"
    config.mkdir()
    (config / "matplotlibrc").write_text(HOSTILE_RC, encoding="utf-8")
    elsewhere = tmp_path / "rc-elsewhere"
    elsewhere.write_text(HOSTILE_RC, encoding="utf-8")
    for env in (
        {"MPLCONFIGDIR": str(config)},  # the config folder's, and the working directory's
        {
            "MPLCONFIGDIR": str(config),
            "MATPLOTLIBRC": str(elsewhere),
            "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
        },
    ):
        hostile = _build(root, env)
        assert sorted(hostile) == sorted(clean)
        assert [p for p in clean if clean[p] != hostile[p]] == []
    assert not (root / "backend-ran").exists()
    assert any(path.endswith(".svg") for path in clean)


def test_a_dollar_in_a_name_is_a_dollar_not_tex(tmp_path: Path) -> None:
    """matplotlib reads `$...$` as maths (an unknown `\\foo` stopped the whole build):
    campc draws names as written."""
    root = _example(tmp_path / "dollars")
    spec = root / "campaigns" / "campagnes" / "pulse-launch-2027.yaml"
    text = spec.read_text(encoding="utf-8")
    old = "name: Fjord Pulse launch campaign"
    assert old in text
    spec.write_text(
        text.replace(old, 'name: "Promo $\\\\foo$ then $5 off $10"', 1), encoding="utf-8"
    )
    site = _build(root, {})
    assert "Promo $\\foo$ then $5 off $10" in site["site/index.html"].decode("utf-8")
