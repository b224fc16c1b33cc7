"""The command line, the scenario runner and the archive loader are users of the Python API:
they never reach past a ``Wams`` handle to its engine (what they need is a method of the
handle, so an embedding supplier can do the same)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDGES = [*sorted((ROOT / "wams").glob("cli*.py")), ROOT / "wams" / "archive.py",
         *sorted((ROOT / "wams" / "core" / "scenario").glob("*.py"))]


def test_the_edges_use_the_handle_not_its_engine() -> None:
    assert len(EDGES) > 8
    reached = []
    for path in EDGES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "engine" and \
                    isinstance(node.value, ast.Name) and node.value.id in ("w", "wams"):
                reached.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert reached == [], "add a method to wams.api.Wams (or api_admin) instead"
