"""The bundled scenario library: where it lives, and which scenarios cite which rule.

The library ships *inside* the package (``wams/scenarios/``, package data) so ``wams demo`` and
``wams scenario run --bundled`` work from an installed wheel as from a source tree. Reading it
needs no engine: the rule table and the generated reference (``docs/rules.md``) use
:func:`citing` without loading a plugin.
"""

from __future__ import annotations

from pathlib import Path

#: The library folder inside the installed package; one subfolder per law plus ``kern/``.
BUNDLED = Path(__file__).resolve().parents[2] / "scenarios"
SUFFIXES = (".yaml", ".yml")


def files(folder: Path = BUNDLED) -> list[Path]:
    """Every scenario file under ``folder``, sorted."""
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def citing(folder: Path = BUNDLED) -> dict[str, list[str]]:
    """rule id → scenario files (relative to ``folder``) whose ``verwacht.citeert`` names it.

    Lenient on purpose: a broken file is `wams scenario check`'s business, not a reason to hide
    the rule table.
    """
    import yaml

    cited: dict[str, list[str]] = {}
    for path in files(folder):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
            continue
        steps = data.get("stappen") if isinstance(data, dict) else None
        for step in steps if isinstance(steps, list) else ():
            verwacht = step.get("verwacht") if isinstance(step, dict) else None
            ids = verwacht.get("citeert") if isinstance(verwacht, dict) else None
            for rule_id in ids if isinstance(ids, list) else ():
                names = cited.setdefault(str(rule_id), [])
                name = path.relative_to(folder).as_posix()
                if name not in names:
                    names.append(name)
    return cited


__all__ = ["BUNDLED", "citing", "files"]
