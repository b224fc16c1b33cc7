"""The reference documents are generated from the code and kept current by CI.

Every hook in ``wams/core/law/hookspecs.py`` must have a docstring with an ``Example::`` block and a
section in ``docs/hooks.md``; every generated document in ``docs/`` (hooks, reason codes, rules,
catalogue, settings, the generated blocks of scenarios.md) must be exactly what
``python -m wams.refdoc`` renders now (run it when this fails). No file in the repository
points at a document outside it.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from wams import refdoc
from wams.core import hookdoc
from wams.core.law import hookspecs
from wams.core.law.reasons import REASONS
from wams.core.law.rules import RULES
from wams.core.scenario import docs as scenario_docs
from wams.core.scenario.format import ACTIONS, Header, Verwacht

ROOT = Path(__file__).resolve().parent.parent
HOOKS_MD = ROOT / "docs" / "hooks.md"
HOOK_NAMES = [f.__name__ for f in hookdoc.hooks()]
REGENERATE = "regenerate every generated document with: python -m wams.refdoc"


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
        f"docs/hooks.md is out of date with wams/core/law/hookspecs.py; {REGENERATE}")


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
    for name in ("hooks.md", "plugins.md", "embedding.md", "scale.md", "glossary.md", "api.md",
                 "contributing.md", *refdoc.DOCS):
        assert (ROOT / "docs" / name).is_file(), f"docs/{name} is missing"


@pytest.mark.parametrize("name", list(refdoc.DOCS))
def test_generated_doc_is_current(name: str) -> None:
    path = ROOT / "docs" / name
    text = path.read_text(encoding="utf-8")
    assert refdoc.DOCS[name](text) == text, f"docs/{name} is out of date; {REGENERATE}"


def test_check_command_names_a_stale_doc(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    """The regeneration command fails (exit 1) on a stale copy and then repairs it."""
    for name in refdoc.DOCS:
        (tmp_path / name).write_text((ROOT / "docs" / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    assert refdoc.main(["--check", "--docs", str(tmp_path)]) == 0
    stale = tmp_path / "reason-codes.md"
    stale.write_text(stale.read_text(encoding="utf-8").replace("`entry.law_unknown`", "`x`"),
                     encoding="utf-8")
    assert refdoc.main(["--check", "--docs", str(tmp_path)]) == 1
    assert "reason-codes.md: verouderd; voer 'python -m wams.refdoc' uit" in \
        capsys.readouterr().err
    assert refdoc.main(["--docs", str(tmp_path)]) == 0
    assert refdoc.stale(tmp_path) == []


def test_reference_docs_cover_the_tables() -> None:
    docs = ROOT / "docs"
    reasons = (docs / "reason-codes.md").read_text(encoding="utf-8")
    assert all(f"| `{code}` |" in reasons for code in REASONS)
    rules = (docs / "rules.md").read_text(encoding="utf-8")
    assert all(f"## {rule_id}\n" in rules for rule_id in RULES)
    catalogue = (docs / "catalogue.md").read_text(encoding="utf-8")
    for code in ("wgs.schuldhulpverlener", "aanpalend.politiegegevens", "wvggz", "schuldhulp",
                 "wgs.verstrekking_schuldhulp"):
        assert f"`{code}`" in catalogue, code
    settings = (docs / "settings.md").read_text(encoding="utf-8")
    assert "| `bewaartermijn_maanden` | 12 | whole months ≥ 0 |" in settings
    assert "| `indicatoren_extra` | none | a list of codes" in settings


def test_every_part_of_the_format_has_a_sentence() -> None:
    """The step, header and verwacht tables (and the JSON Schema's descriptions) need one
    sentence per key: a step or key added to the format without one fails here."""
    assert set(scenario_docs.STEPS) == set(ACTIONS)
    assert set(scenario_docs.HEADER) == {f.name for f in attrs.fields(Header)} | {"stappen"}
    assert set(scenario_docs.VERWACHT) == {f.name for f in attrs.fields(Verwacht)}
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert refdoc.blocks_in(text) == set(refdoc.BLOCKS)
    for step in ACTIONS:
        assert f"| `{step}` |" in text, step


def test_the_json_schema_carries_the_sentences() -> None:
    from wams.core.scenario.schema import json_schema

    schema = json_schema()
    for key, sentence in scenario_docs.HEADER.items():
        assert schema["properties"][key]["description"] == sentence, key
    for branch in schema["$defs"]["Stap"]["oneOf"]:
        (step,) = branch["required"]
        assert branch["properties"][step]["description"] == scenario_docs.STEPS[step]
        assert branch["properties"]["verwacht"]["description"]
    verwacht = schema["$defs"]["Verwacht"]["properties"]
    assert {k: v["description"] for k, v in verwacht.items()} == scenario_docs.VERWACHT


def test_a_step_without_a_sentence_says_where_to_write_it() -> None:
    with pytest.raises(KeyError, match="'nieuwe_stap' has no sentence in its record in "
                                       "wams/core/law/steps.py"):
        scenario_docs.sentence("STEPS", "nieuwe_stap")
    with pytest.raises(KeyError, match="'nieuw' has no sentence in VERWACHT of "
                                       "wams/core/scenario/docs.py"):
        scenario_docs.sentence("VERWACHT", "nieuw")


def test_an_unknown_block_in_scenarios_md_is_an_error() -> None:
    with pytest.raises(KeyError, match="unknown generated block 'nope'"):
        refdoc.fill("<!-- generated: nope -->\n<!-- end: nope -->")


def test_codes_named_in_scenarios_md_exist() -> None:
    import re

    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", text)) - {
        c for c in re.findall(r"`([a-z_]+\.[a-z_]+)`", text) if c.split(".")[0] in (
            "wgs", "aanpalend", "participatiewet", "wmo", "jeugdwet", "wams", "verwacht")}
    unknown = named - set(REASONS)
    assert named and not unknown, f"docs/scenarios.md names reason codes that do not exist: " \
        f"{unknown}"


def test_no_pointer_outside_the_repository() -> None:
    """Nothing tracked may point at the specification outside the repository."""
    import re
    import subprocess

    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    pattern = re.compile(r"shared/spec|\.\./shared|(?<![\w/-])(?:docs/)?"
                         r"(scenarios|architecture|domain|quality|style)\.md")
    bad = []
    for name in files:
        path = ROOT / name
        if name == "tests/test_docs.py" or path.suffix in (".png", ".db") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            for m in pattern.finditer(line):
                if m.group(0).startswith(("shared/spec", "../shared")) or \
                        not (ROOT / "docs" / f"{m.group(1)}.md").is_file():
                    bad.append(f"{name}:{n}: {line.strip()}")
    assert not bad, "pointers to documents outside the repository:\n" + "\n".join(bad)
