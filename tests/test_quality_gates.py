"""The quality gates hold by configuration, not by good intentions: the project's mypy run
checks ``wams.core`` as ``mypy --strict`` does, ruff refuses a function more complex than 20,
and no function in ``wams/`` is over radon's rank C (complexity 20; radon also counts boolean
operators, which ruff's McCabe does not). Each gate is tried with code written to break it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

tomllib = pytest.importorskip("tomllib")

#: The flags ``mypy --strict`` turns on that can be set per module (mypy's documentation,
#: "--strict"); warn_unused_ignores and warn_redundant_casts are global and set globally.
STRICT_PER_MODULE = {
    "disallow_any_generics": True, "disallow_subclassing_any": True,
    "disallow_untyped_calls": True, "disallow_untyped_defs": True,
    "disallow_incomplete_defs": True, "check_untyped_defs": True,
    "disallow_untyped_decorators": True, "warn_return_any": True,
    "implicit_reexport": False, "strict_equality": True, "extra_checks": True,
}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_core_is_checked_with_every_strict_flag() -> None:
    mypy = _config()["tool"]["mypy"]
    assert mypy["warn_unused_ignores"] is True and mypy["warn_redundant_casts"] is True
    core = [o for o in mypy["overrides"] if o["module"] == "wams.core.*"]
    assert len(core) == 1, "one override for wams.core.* holds the strict flags"
    assert {k: core[0].get(k) for k in STRICT_PER_MODULE} == STRICT_PER_MODULE


def test_the_projects_mypy_refuses_loose_code_in_the_core(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the lint extra")
    core = tmp_path / "wams" / "core"
    core.mkdir(parents=True)
    (tmp_path / "wams" / "__init__.py").write_text("")
    (core / "__init__.py").write_text("")
    (core / "defined.py").write_text("from typing import Any\n\nName = 1\n\n"
                                     "def anything() -> Any:\n    return 1\n")
    (core / "loose.py").write_text(
        "from wams.core.defined import anything\n"
        "from wams.core.passing import Name\n\n"
        "def untyped(x):\n    return x\n\n"
        "def leaks() -> int:\n    return anything()\n")
    (core / "passing.py").write_text("from wams.core.defined import Name\n")
    # outside the core the same code is not held to --strict
    (tmp_path / "wams" / "edge.py").write_text("def untyped(x):\n    return x\n")
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file",
                           str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / ".cache"),
                           "wams"], cwd=tmp_path, capture_output=True, text=True, check=False)
    out = done.stdout
    assert done.returncode == 1, out
    assert "loose.py:2: error" in out and "does not explicitly export" in out
    assert "loose.py:4: error: Function is missing a type annotation" in out
    assert "loose.py:8: error: Returning Any" in out
    assert "edge.py" not in out


def test_ruff_refuses_a_function_over_complexity_20(tmp_path: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is in the lint extra")
    def function(branches: int) -> str:
        ifs = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(branches))
        return f"def f(x: int) -> int:\n{ifs}    return -1\n"

    (tmp_path / "complex.py").write_text(function(20))  # 21 paths
    (tmp_path / "fine.py").write_text(function(19))
    done = subprocess.run([str(ruff), "check", "--config", str(ROOT / "pyproject.toml"),
                           "--select", "C901", "--output-format", "concise", "complex.py",
                           "fine.py"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stdout
    assert "complex.py:1:5: C901 `f` is too complex (21 > 20)" in done.stdout
    assert "fine.py" not in done.stdout


#: radon's rank C ends at 20: a function above it is rank D or worse.
RADON_C = 20


def _radon() -> ModuleType:
    # In CI (CI=true) radon must be there (the test extra brings it): never a silent skip.
    if os.environ.get("CI"):
        import radon.complexity
        return radon.complexity
    return pytest.importorskip("radon.complexity", reason="radon is in the test extra")


def over_radon_c(root: Path) -> list[str]:
    """Every function and method under ``root`` above radon's rank C, as path:line name (n)."""
    complexity = _radon()
    found = []
    for path in sorted(root.rglob("*.py")):
        # functions and methods (a class's block only sums its methods, listed on their own)
        for f in complexity.cc_visit(path.read_text(encoding="utf-8")):
            if not hasattr(f, "methods") and f.complexity > RADON_C:
                found.append(f"{path.relative_to(root)}:{f.lineno} {f.name} ({f.complexity})")
    return found


def test_no_function_in_wams_is_over_radon_c() -> None:
    assert over_radon_c(ROOT / "wams") == []


def test_radon_c_catches_what_ruffs_mccabe_lets_through(tmp_path: Path) -> None:
    # 11 ifs, each testing two conditions: McCabe 12 (ruff passes it), radon 23.
    ifs = "".join(f"    if x == {i} or y == {i}:\n        return {i}\n" for i in range(11))
    (tmp_path / "wams").mkdir()
    (tmp_path / "wams" / "tangled.py").write_text(
        "class C:\n    def m(self, x: int, y: int) -> int:\n"
        + "".join("    " + line + "\n" for line in ifs.splitlines())
        + "        return -1\n")
    # the same branches without the boolean operators: 12, fine for both
    (tmp_path / "wams" / "plain.py").write_text(
        f"def f(x: int, y: int) -> int:\n{ifs}    return -1\n".replace(" or y == ", " + 0 * "))
    found = over_radon_c(tmp_path / "wams")
    assert found == ["tangled.py:2 m (23)"], found
