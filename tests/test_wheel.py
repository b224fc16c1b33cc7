"""The wheel works without the source tree: build it, install it into a fresh virtual
environment, and run the demo from a folder that has nothing of this checkout in it.

The bundled scenario library ships inside the package (``wams/scenarios/``); before it did,
``pip install . && wams demo`` said "geen scenariobibliotheek gevonden". The wheel is built from
a copy of the tracked files (as an sdist would hold them), so the build leaves nothing behind
in the checkout. Packages come from the configured index or pip's cache; about half a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from isolated import run as _run

from wams.core.scenario.library import BUNDLED, files

ROOT = Path(__file__).resolve().parent.parent


def _tracked_copy(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in listed.splitlines():
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_wheel_installs_and_runs_the_demo(tmp_path: Path) -> None:
    source = _tracked_copy(tmp_path / "src")
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, source,
         cwd=tmp_path)
    (wheel,) = dist.glob("wams-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    library = [n for n in names if n.startswith("wams/scenarios/") and n.endswith(".yaml")]
    assert len(library) == len(files(BUNDLED)), "the wheel must carry the whole library"
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "scenarios/"))]

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run(bindir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"  # no source tree, no scenarios/ folder
    elsewhere.mkdir()

    demo = _run(bindir / "wams", "demo", cwd=elsewhere)
    lines = demo.stdout.splitlines()
    assert re.fullmatch(r"\d+ passed, 0 failed", lines[-1]), lines[-1]
    assert int(lines[-1].split()[0]) == len(library)
    assert "Samenvatting per wet" in demo.stdout and "meegeleverde bibliotheek" in lines[0]

    bundled = _run(bindir / "wams", "scenario", "check", "--bundled", cwd=elsewhere)
    assert bundled.stdout.strip() == f"{len(library)} geldig"
    version = _run(bindir / "wams", "--version", cwd=elsewhere)
    assert version.stdout.startswith("wams 0.1.0 ")
