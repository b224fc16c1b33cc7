"""What ``wams demo`` prints: a legend, a summary per law, the rules tested, then the detail.

Written for a domain expert reading it once: the summary table comes first, so the shape of the
library is visible before any single refusal; a ✓ means "as the scenario expects", which for a
refusal the scenario tests is a refused step, so the legend says so.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import click

from wams.cli.common import marks, plural
from wams.core.law.rules import RULES
from wams.core.scenario.run import ScenarioResult
from wams.reports.runs import law_of

WIDTH = 100
SCENARIOS = "scenario's"


def _relative(result: ScenarioResult, root: Path) -> str:
    try:
        return Path(result.file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return result.file


def legend() -> list[str]:
    ok, bad = marks()
    return ["Legenda",
            f"  {ok}  de stap deed wat het scenario verwacht; ook een weigering die het "
            "scenario toetst",
            f"  {bad}  de stap deed iets anders dan het scenario verwacht",
            "  toegestaan / geweigerd   het besluit van wams, bij een weigering met de "
            "redencode",
            "  R01 …   de regels waarop het besluit rust (wams rules; docs/rules.md)"]


def table(results: list[ScenarioResult], root: Path) -> list[str]:
    rows: dict[str, Counter[str]] = {}
    rules: dict[str, set[str]] = {}
    for r in results:
        name = law_of(r, root)
        row = rows.setdefault(name, Counter())
        row["scenarios"] += 1
        row["passed"] += r.passed
        for s in r.steps:
            row["steps"] += 1
            row["allowed" if s.decision.allowed else "refused"] += 1
            rules.setdefault(name, set()).update(s.decision.rule_ids)
    head = f"  {'wet':<16} {SCENARIOS:>10} {'stappen':>8} {'toegestaan':>11} " \
           f"{'geweigerd':>10} {'regels':>7} {'geslaagd':>9}"
    out = ["Samenvatting per wet", head, "  " + "-" * (len(head) - 2)]
    total: Counter[str] = Counter()
    # The core's own rules first, then the laws in alphabetical order.
    for name, row in sorted(rows.items(), key=lambda item: (item[0] != "kern", item[0])):
        total.update(row)
        out.append(f"  {name:<16} {row['scenarios']:>10} {row['steps']:>8} "
                   f"{row['allowed']:>11} {row['refused']:>10} {len(rules[name]):>7} "
                   f"{row['passed']:>4}/{row['scenarios']:<4}")
    every = set().union(*rules.values()) if rules else set()
    out.append("  " + "-" * (len(head) - 2))
    out.append(f"  {'totaal':<16} {total['scenarios']:>10} {total['steps']:>8} "
               f"{total['allowed']:>11} {total['refused']:>10} {len(every):>7} "
               f"{total['passed']:>4}/{total['scenarios']:<4}")
    out += ["  kern: de regels van de kern zelf, los van één wet",
            f"  regels: hoeveel verschillende regels (van {len(RULES)}) de besluiten dragen"]
    return out


def rules_tested(results: list[ScenarioResult]) -> list[str]:
    counts: Counter[str] = Counter()
    for r in results:
        for rule_id in {i for s in r.steps for i in s.decision.rule_ids}:
            counts[rule_id] += 1
    width = max(len(rule.title) for rule in RULES.values())
    out = ["Regels en het aantal scenario's waarin een besluit erop rust"]
    for rule_id, rule in RULES.items():
        n = counts.get(rule_id, 0)
        out.append(f"  {rule_id}  {rule.title:<{width}} {n:>4}" if n else
                   f"  {rule_id}  {rule.title:<{width}}    — (geen scenario)")
    return out


def _titled(rule_ids: tuple[str, ...], indent: str) -> list[str]:
    """``regels: R01 title; R38 title`` wrapped only between rules, never inside a title."""
    items = [f"{i} {RULES[i].title}" if i in RULES else i for i in rule_ids]
    lines = [f"{indent}regels: "]
    for n, item in enumerate(items):
        text = item + (";" if n < len(items) - 1 else "")
        if len(lines[-1]) + len(text) > WIDTH and lines[-1].strip() != "regels:":
            lines.append(indent + " " * len("regels: "))
        lines[-1] += text if lines[-1].endswith(" ") else " " + text
    return lines


def detail(result: ScenarioResult, root: Path) -> list[str]:
    ok, bad = marks()
    out = ["", click.style(result.scenario, bold=True) + f"  ({_relative(result, root)})"]
    if result.omschrijving:
        out += [f"  {line}" for line in textwrap.wrap(" ".join(result.omschrijving.split()),
                                                      WIDTH - 8)]
    for s in result.steps:
        d = s.decision
        mark = bad if s.failures else ok
        verdict = "toegestaan" if d.allowed else f"geweigerd ({d.code})"
        phase = f" → {d.phase}" if d.phase else ""
        out.append(f"  {mark} {s.n:>2}. {s.step:<16} {verdict}{phase}")
        if not d.allowed:
            out += [f"         {line}" for line in textwrap.wrap(d.message, WIDTH - 12)]
        if d.rule_ids:
            out += _titled(d.rule_ids, " " * 9)
        out += [f"         ! {failure}" for failure in s.failures]
    return out


def print_demo(results: list[ScenarioResult], root: Path, url: str, with_detail: bool,
               html_dir: str | None = None) -> None:
    source = "de meegeleverde bibliotheek" if root.name == "scenarios" and \
        root.parent.name == "wams" else str(root)
    lines = [f"wams demo: {plural(len(results), 'scenario', SCENARIOS)} uit {source}, "
             f"afgespeeld op de echte engine (database {url})", "", *legend(), "",
             *table(results, root), ""]
    failed = [r for r in results if not r.passed]
    if failed:
        lines += ["Niet geslaagd:", *(f"  {_relative(r, root)}: {f}" for r in failed
                                       for f in r.failures), ""]
    lines += [*rules_tested(results), ""]
    if with_detail:
        for r in results:
            lines += detail(r, root)
        lines.append("")
    else:
        lines += ["Elke stap met besluit en regels: wams demo --detail; één scenario met "
                  "bronnen: wams scenario run --explain BESTAND", ""]
    if not html_dir:
        lines += ["Als pagina's, met een overzicht per wet en een pagina per scenario: "
                  "wams demo --html MAP", ""]
    for line in lines:
        click.echo(line.rstrip())
