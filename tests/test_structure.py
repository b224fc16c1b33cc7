"""The shape of the package: rooms that import only what they may, no import cycles, and no
private name reaching across modules. Each test names the offending module and line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: room → the rooms it must never import (directly or lazily inside a function). Banning
#: "wams.api" bans the whole facade: wams.api and its parts wams.api_*.
SERVICE = "wams.service"
#: The facade (the Python API): ``wams.api`` and its parts ``wams.api_*`` (modules, not a
#: package); it reaches the rooms below through their front doors — the engine and the
#: privacy room's public operations — never the storage room's modules.
FACADE = "wams.api (facade)"
PURE_CORE_NEVER = ("wams.core.storage", "wams.core.privacy", "wams.core.engine",
                   "wams.core.scenario", "wams.api", "wams.cli", SERVICE)
FORBIDDEN = {
    "wams.core (pure)": PURE_CORE_NEVER,
    # The law is pure as the rest of the core is: no I/O, no room above it.
    "wams.core.law": PURE_CORE_NEVER,
    # The CLI is thin: parse, call the public API, print. What it does a Python caller can do.
    "wams.cli": ("wams.core.storage", "wams.core.privacy", "wams.core.engine"),
    FACADE: ("wams.core.storage", "wams.core.scenario", "wams.cli", SERVICE),
    "wams.core.storage": ("wams.core.privacy", "wams.core.engine", "wams.core.scenario",
                          "wams.api", "wams.cli", SERVICE),
    "wams.core.privacy": ("wams.core.engine", "wams.core.scenario", "wams.api", "wams.cli",
                          SERVICE),
    "wams.core.engine": ("wams.core.scenario", "wams.api", "wams.cli", SERVICE),
    "wams.core.scenario": ("wams.core.storage", "wams.core.privacy", "wams.core.engine",
                           "wams.cli", SERVICE),
    "wams.plugins": ("wams.core.storage", "wams.core.privacy", "wams.core.engine",
                     "wams.api", "wams.cli", SERVICE),
    # The reports are built on the public API only, never on the engine's insides.
    "wams.reports": ("wams.core.storage", "wams.core.privacy", "wams.core.engine",
                     "wams.cli", SERVICE),
    # The service is thin over the public API: wams.api, the pure core's records, commands
    # and reasons, and the engine package's public names (Authorize, Refused) only.
    SERVICE: ("wams.core.storage", "wams.core.privacy", "wams.core.scenario", "wams.cli",
              "wams.core.engine.core", "wams.core.engine.handlers", "wams.core.engine.cache",
              "wams.core.engine.unit_of_work", "wams.core.engine.decisions"),
}
#: Alembic migrations live inside the storage room and import nothing above it: what they need
#: of the privacy room (the sealing) their caller passes in (wams.core.storage.migrate.Sealing).
MIGRATIONS = ("wams", "core", "storage", "migrations")
MIGRATIONS_NEVER = ("wams.core.privacy", "wams.core.engine", "wams.core.scenario", "wams.api",
                    "wams.cli", SERVICE)
ROOMS = ("wams.core.law", "wams.cli", "wams.core.storage", "wams.core.privacy",
         "wams.core.engine", "wams.core.scenario", "wams.reports", SERVICE)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / "wams").rglob("*.py"))
            if "migrations" not in p.parts}


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imports(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(line, module, imported names) of every import that runs, at module level or lazily
    in a function; imports only for the type checker are left out (they never execute)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module_name(path, root) if path.name == "__init__.py" else \
        module_name(path, root).rpartition(".")[0]

    def walk(node: ast.AST) -> Iterator[tuple[int, str, tuple[str, ...]]]:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield child.lineno, alias.name, ()
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                yield child.lineno, base, tuple(a.name for a in child.names)
            yield from walk(child)

    yield from walk(tree)


def edges(known: dict[str, Path], root: Path = ROOT) -> dict[str, set[str]]:
    """module → wams modules it imports; ``from pkg import sub`` counts as importing the
    submodule ``pkg.sub`` when that is a module, else as importing ``pkg``."""
    graph: dict[str, set[str]] = {m: set() for m in known}
    for name, path in known.items():
        for _, target, names in imports(path, root):
            if not target.startswith("wams"):
                continue
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
            if subs and len(subs) == len(names):
                graph[name].update(subs)
            elif target in known:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's algorithm; the graph is small
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def private_imports(known: dict[str, Path], root: Path = ROOT) -> list[str]:
    """Every use of another module's private name: ``from m import _x``, or ``m._x`` on a
    name bound to a wams module by an import."""
    found = []
    for path in known.values():
        module_aliases: dict[str, str] = {}
        for line, target, names in imports(path, root):
            if not target.startswith("wams"):
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    found.append(f"{path.relative_to(root)}:{line}: from {target} import {n}")
                if f"{target}.{n}" in known:
                    module_aliases[n] = f"{target}.{n}"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.asname and alias.name in module_aliases:
                        module_aliases[alias.asname] = module_aliases[alias.name]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in module_aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                found.append(f"{path.relative_to(root)}:{node.lineno}: "
                             f"{module_aliases[node.value.id]}.{node.attr}")
    return found


def room_of(module: str) -> str | None:
    if module == "wams.api" or module.startswith("wams.api_"):
        return FACADE
    for room in ROOMS:
        if module == room or module.startswith(room + "."):
            return room
    if module.startswith("wams.plugins"):
        return "wams.plugins"
    if module.startswith("wams.core"):
        return "wams.core (pure)"
    return None


def within(target: str, banned: str) -> bool:
    """``target`` is the module ``banned`` or inside it (``wams.api`` covers ``wams.api_*``)."""
    return target == banned or target.startswith(banned + ".") or (
        banned == "wams.api" and target.startswith("wams.api_"))


def reached(target: str, names: tuple[str, ...]) -> list[str]:
    """What an import can reach: the module, or for ``from pkg import sub`` also ``pkg.sub``
    (``from wams.core import engine`` imports the engine room)."""
    return [target, *(f"{target}.{n}" for n in names)]


def forbidden_imports(known: dict[str, Path], root: Path = ROOT) -> list[str]:
    found = []
    for name, path in known.items():
        room = room_of(name)
        if room is None:
            continue
        for line, target, names in imports(path, root):
            hit = next((m for m in reached(target, names) for banned in FORBIDDEN[room]
                        if within(m, banned)), None)
            if hit is not None:
                found.append(f"{path.relative_to(root)}:{line}: {room} imports {hit}")
    return found


def migration_imports(root: Path = ROOT) -> list[str]:
    """Every import in a migration (env.py, the revisions) of a room above storage."""
    found = []
    for path in sorted(root.joinpath(*MIGRATIONS).rglob("*.py")):
        for line, target, names in imports(path, root):
            hit = next((m for m in reached(target, names) for banned in MIGRATIONS_NEVER
                        if within(m, banned)), None)
            if hit is not None:
                found.append(f"{path.relative_to(root)}:{line}: a migration imports {hit}")
    return found


def test_no_private_name_is_imported_across_modules() -> None:
    assert private_imports(modules()) == []


def test_there_is_no_import_cycle_inside_wams() -> None:
    assert cycles(edges(modules())) == []


def test_each_room_imports_only_what_it_may() -> None:
    assert forbidden_imports(modules()) == []


def test_no_migration_imports_a_room_above_storage() -> None:
    assert list(ROOT.joinpath(*MIGRATIONS).rglob("*.py")), "the migrations are where we look"
    assert migration_imports() == []


def test_every_room_says_what_lives_there_and_what_it_may_import() -> None:
    for room in ROOMS:
        init = ROOT.joinpath("wams", *room.split(".")[1:], "__init__.py")
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init.relative_to(ROOT)}: say what the room may import"


@pytest.mark.parametrize("path", sorted(modules().values()), ids=lambda p: module_name(p))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 500, f"{path.relative_to(ROOT)} has {lines} lines: split it by purpose"


# -- the checks themselves catch what they promise (a module tree written for the test) -------


def _tree(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return modules(root)


def test_a_private_import_across_rooms_is_caught(tmp_path: Path) -> None:
    known = _tree(tmp_path, {
        "wams/__init__.py": "", "wams/core/__init__.py": "",
        "wams/core/engine/__init__.py": "def _store():\n    pass\n",
        "wams/core/privacy/__init__.py": "",
        "wams/core/privacy/inzage.py": "from wams.core.engine import _store\n",
        "wams/core/privacy/register.py":
            "from wams.core import engine\n\ndef f():\n    return engine._store()\n"})
    found = private_imports(known, tmp_path)
    assert "wams/core/privacy/inzage.py:1: from wams.core.engine import _store" in found
    assert "wams/core/privacy/register.py:4: wams.core.engine._store" in found


def test_a_lazy_import_cycle_is_caught(tmp_path: Path) -> None:
    known = _tree(tmp_path, {
        "wams/__init__.py": "", "wams/core/__init__.py": "",
        "wams/core/a.py": "from wams.core import b\n",
        "wams/core/b.py": "def f():\n    from wams.core.a import x\n",
        "wams/core/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                          "    from wams.core import a\n"})
    assert cycles(edges(known, tmp_path)) == [["wams.core.a", "wams.core.b"]]


def test_a_room_importing_what_it_may_not_is_caught(tmp_path: Path) -> None:
    known = _tree(tmp_path, {
        "wams/__init__.py": "", "wams/core/__init__.py": "",
        "wams/core/storage/__init__.py": "", "wams/core/storage/audit.py": "",
        "wams/core/privacy/__init__.py": "", "wams/core/privacy/inzage.py": "",
        "wams/core/engine/__init__.py": "", "wams/core/engine/keys.py": "",
        "wams/core/engine/database.py": "from wams.core.storage import audit\n",
        "wams/cli/__init__.py": "",
        # the CLI reaching past the API, at module level and lazily
        "wams/cli/storage.py": "from wams.core.storage import audit\n\ndef f():\n"
                               "    from wams.core.engine.keys import key_store\n",
        "wams/cli/privacy.py": "import wams.core.privacy.inzage\nfrom wams.api import Wams\n"
                               "from wams.core import engine\n",
        "wams/cli/fine.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                            "    from wams.core.engine import keys\n",
        # the facade: its main module and its parts
        "wams/api.py": "def audit():\n    from wams.core.storage import audit\n",
        "wams/api_webhooks.py": "from wams.core.storage.audit import x\n"
                                "from wams.core.engine import database\n",
        "wams/api_admin.py": "from wams.core.privacy import inzage\n",
        # a room below the facade importing one of its parts is caught too
        "wams/core/engine/back.py": "from wams.api_admin import x\n"})
    assert sorted(forbidden_imports(known, tmp_path)) == [
        "wams/api.py:2: wams.api (facade) imports wams.core.storage",
        "wams/api_webhooks.py:1: wams.api (facade) imports wams.core.storage.audit",
        "wams/cli/privacy.py:1: wams.cli imports wams.core.privacy.inzage",
        "wams/cli/privacy.py:3: wams.cli imports wams.core.engine",
        "wams/cli/storage.py:1: wams.cli imports wams.core.storage",
        "wams/cli/storage.py:4: wams.cli imports wams.core.engine.keys",
        "wams/core/engine/back.py:1: wams.core.engine imports wams.api_admin"]


def test_a_migration_importing_a_room_above_storage_is_caught(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "wams/core/storage/migrations/env.py": "from wams.core.storage.tables import Base\n",
        "wams/core/storage/migrations/versions/0001_a.py":
            "from wams.core.errors import DatabaseError\nfrom wams.core.law import reasons\n"
            "def upgrade():\n    from wams.core.privacy.sealing import DataKeys\n",
        "wams/core/storage/migrations/versions/0002_b.py":
            "import wams.core.engine.keys\nfrom wams.api_admin import x\n"
            "from wams import cli\nfrom wams.service import app\n"})
    assert migration_imports(tmp_path) == [
        "wams/core/storage/migrations/versions/0001_a.py:4: a migration imports "
        "wams.core.privacy.sealing",
        "wams/core/storage/migrations/versions/0002_b.py:1: a migration imports "
        "wams.core.engine.keys",
        "wams/core/storage/migrations/versions/0002_b.py:2: a migration imports wams.api_admin",
        "wams/core/storage/migrations/versions/0002_b.py:3: a migration imports wams.cli",
        "wams/core/storage/migrations/versions/0002_b.py:4: a migration imports wams.service"]
