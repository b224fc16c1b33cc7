"""The hook reference is generated from the contract and kept current by CI.

Every hook in ``wams/core/hookspecs.py`` must have a docstring with an ``Example::`` block and a
section in ``docs/hooks.md``; and ``docs/hooks.md`` must be exactly what
``python -m wams.core.hookdoc`` renders now (regenerate it when this fails).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wams.core import hookdoc, hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS_MD = ROOT / "docs" / "hooks.md"
HOOK_NAMES = [f.__name__ for f in hookdoc.hooks()]
REGENERATE = "regenerate it with: python -m wams.core.hookdoc > docs/hooks.md"


def test_every_hookspec_is_found() -> None:
    declared = {name for name, value in vars(hookspecs).items()
                if name.startswith("wams_") and hasattr(value, "wams_spec")}
    assert declared and set(HOOK_NAMES) == declared
    # Contribution, entry, notification and CLI hooks named in the architecture.
    assert {"wams_laws", "wams_entry", "wams_after_step", "wams_commands"} <= declared


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_has_docstring_and_example(name: str) -> None:
    doc = getattr(hookspecs, name).__doc__
    assert doc and doc.strip(), f"hook {name} in hookspecs.py has no docstring"
    assert "Example::" in doc, f"hook {name} in hookspecs.py has no 'Example::' block"
    assert "Returns:" in doc or name in ("wams_after_step", "wams_commands"), (
        f"hook {name} does not say what it returns")


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hook_has_section_in_docs(name: str) -> None:
    text = HOOKS_MD.read_text(encoding="utf-8")
    assert f"### `{name}`" in text, f"docs/hooks.md has no section for {name}; {REGENERATE}"


def test_hooks_md_is_current() -> None:
    assert HOOKS_MD.read_text(encoding="utf-8") == hookdoc.render(), (
        f"docs/hooks.md is out of date with wams/core/hookspecs.py; {REGENERATE}")


def test_render_turns_examples_into_code_blocks() -> None:
    text = hookdoc.render()
    assert text.count("```python") >= len(HOOK_NAMES) * 2  # a signature and an example each
    assert "Example::" not in text and ":class:" not in text


def test_missing_docstring_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above fail for an undocumented hook: a hookspec added without a docstring."""

    @hookspecs.hookspec
    def wams_undocumented() -> list[object]:
        pass

    monkeypatch.setattr(hookspecs, "wams_undocumented", wams_undocumented, raising=False)
    assert "wams_undocumented" in [f.__name__ for f in hookdoc.hooks()]
    assert not wams_undocumented.__doc__
    assert "### `wams_undocumented`" not in HOOKS_MD.read_text(encoding="utf-8")
    assert HOOKS_MD.read_text(encoding="utf-8") != hookdoc.render()


def test_docs_exist() -> None:
    for name in ("hooks.md", "plugins.md", "embedding.md"):
        assert (ROOT / "docs" / name).is_file(), f"docs/{name} is missing"
