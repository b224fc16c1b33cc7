"""``wams plugins``, ``wams catalogue`` and ``wams rules``: what the loaded plugins declare and
the rules they are checked against, for people (text) and tools (``--json``)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import attrs
import click

from wams.cli.common import plural
from wams.core.errors import InputError

WIDTH = 100


def _catalogue() -> Any:
    from wams.core.plugins import load_catalogue

    return load_catalogue()


def _codes(entries: list[dict[str, Any]], section: str) -> list[str]:
    return [f"{e['law']}→{e['domain']}" if section == "signals" else e["code"] for e in entries]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Eén JSON-document.")
def plugins(as_json: bool) -> None:
    """De geladen plugins (ingebouwd en van derden), met versie en de codes die ze bijdragen."""
    from wams.core.catalogue_listing import SECTIONS, listing

    cat = _catalogue()
    per_plugin = listing(cat)
    if as_json:
        click.echo(json.dumps([{
            "name": p.name, "distribution": p.distribution, "version": p.version,
            "contributions": dict(p.contributions),
            "contributes": {s: _codes(e, s) for s, e in per_plugin[p.name].items() if e},
        } for p in cat.plugins], ensure_ascii=False, indent=2))
        return
    for p in cat.plugins:
        click.echo(f"{p.name:<16} {p.distribution} {p.version}")
        sections = per_plugin[p.name]
        if not any(sections.values()):
            click.echo("    draagt niets bij")
        for section, label in SECTIONS.items():
            codes = _codes(sections[section], section)
            if codes:
                click.echo(textwrap.fill(", ".join(codes), WIDTH,
                                         initial_indent=f"    {label} ({len(codes)}): ",
                                         subsequent_indent=" " * 8, break_on_hyphens=False))
    click.echo(f"{plural(len(cat.plugins), 'plugin', 'plugins')}; de codes met uitleg: "
               "wams catalogue")


def _facts(section: str, e: dict[str, Any]) -> str:
    """The facts of an entry a scenario author needs, in one short line."""
    if section == "laws":
        return f"{e['kind']}, domein {e['domain'] or '—'}; {e['provision']}"
    if section == "domains":
        return e["kind"]
    if section == "party_kinds":
        return f"domein {e['domain']}" + (", justitiële partij (R12)" if e["justice"] else "")
    if section == "services":
        extra = f", gedwongen: {e['legal_basis']}" if e["coercive"] else ""
        return f"{e['kind']}, domein {e['domain']}{extra}"
    if section == "categories":
        special = ", ".join(e["special"]) or "—"
        return (f"domein {e['domain']}; bijzonder: {special}; regime: {e['regime'] or '—'}; "
                f"verstrekt door: {', '.join(e['suppliers'])}")
    if section == "provision_rules":
        suppliers = ", ".join(e.get("suppliers") or ()) or "elke partij"
        return f"{'; '.join(e['citation'])}; voor {', '.join(e['categories'])}" + (
            f"; doorbreekt {', '.join(e['overrides'])}" if e["overrides"] else "") + \
            f"; verstrekt door: {suppliers}"
    if section == "activities":
        part = f", onderdeel van {e['part_of']}" if e.get("part_of") else ""
        return f"{e['purpose']} (versie {e['version']}{part})"
    if section == "purposes":
        return purpose_facts(e)
    return ""


def purpose_facts(e: dict[str, Any]) -> str:
    activity = e["activiteit"] or "die van de stap"
    return (f"activiteit {activity}; grondslag {e['grondslag']}; bij: "
            + ", ".join(e["gebruik"])
            + (f"; in fase {', '.join(e['fasen'])} (R19)" if e.get("fasen") else "")
            + ("; justitiedoel (R12)" if e["justitie"] else ""))


@click.command("catalogue")
@click.option("--json", "as_json", is_flag=True, help="Eén JSON-document: plugin → sectie → "
              "records.")
@click.option("--plugin", "name", metavar="NAAM", help="Alleen wat deze plugin declareert.")
def catalogue_cmd(as_json: bool, name: str | None) -> None:
    """Elke code die scenario's en plugins gebruiken: wetten, domeinen, partijsoorten, diensten,
    gegevenscategorieën, verstrekkingsregels, signalen en verwerkingsactiviteiten."""
    from wams.core.catalogue_listing import SECTIONS, listing
    from wams.core.scenario.format import suggest

    cat = _catalogue()
    names = [p.name for p in cat.plugins]
    if name is not None and name not in names:
        raise InputError(f"--plugin '{name}' is niet geladen{suggest(name, names)}; geladen: "
                        + ", ".join(names))
    per_plugin = listing(cat, name)
    if as_json:
        click.echo(json.dumps(per_plugin, ensure_ascii=False, indent=2))
        return
    for plugin, sections in per_plugin.items():
        click.echo(click.style(f"{plugin}", bold=True))
        for section, label in SECTIONS.items():
            if not sections[section]:
                continue
            click.echo(f"  {label}")
            for e in sections[section]:
                if section == "signals":
                    click.echo(f"    {e['law']} → {e['domain']}: {e['question']}")
                    continue
                title = e.get("name") or e.get("description") or e.get("omschrijving") or ""
                click.echo(f"    {e['code']:<40} {title}")
                click.echo(textwrap.fill(_facts(section, e), WIDTH, initial_indent=" " * 8,
                                         subsequent_indent=" " * 8, break_on_hyphens=False))


@click.command()
@click.option("--scenarios", "folder", type=click.Path(file_okay=False),
              help="Map met scenario's (standaard: de meegeleverde bibliotheek).")
@click.option("--json", "as_json", is_flag=True, help="Eén JSON-document.")
def rules(folder: str | None, as_json: bool) -> None:
    """Elke regel van wams-2020 met bronnen en de scenario's die hem toetsen."""
    from wams.core.law.rules import RULES
    from wams.core.scenario import library as scenario_library

    root = Path(folder) if folder else scenario_library.BUNDLED
    cited = scenario_library.citing(root) if root.is_dir() else {}
    if as_json:
        click.echo(json.dumps([{"id": r.id, "title": r.title,
                                "sources": [attrs.asdict(c) | {"text": c.labelled()}
                                            for c in r.sources],
                                "scenarios": cited.get(r.id, [])} for r in RULES.values()],
                              ensure_ascii=False, indent=2))
        return
    for r in RULES.values():
        click.echo(f"{r.id}  {r.title}")
        files = cited.get(r.id, [])
        for label, text in (("bronnen", "; ".join(c.labelled() for c in r.sources)),
                            ("scenario's", ", ".join(files) if files else "(geen)")):
            click.echo(textwrap.fill(text, WIDTH, initial_indent=f"     {label}: ",
                                     subsequent_indent=" " * 8, break_on_hyphens=False))
    covered = sum(1 for r in RULES if cited.get(r))
    where = "de meegeleverde bibliotheek" if folder is None else str(root)
    click.echo(f"{len(RULES)} regels, {covered} getoetst door een scenario in {where}")


@click.command("doelen")
@click.option("--json", "as_json", is_flag=True, help="Eén JSON-document.")
def doelen(as_json: bool) -> None:
    """De gesloten lijst van doelcodes (kern en plugins): wat elke stap en elke inzage als
    'doel' noemt. Handhaving, opsporing en vervolging zijn geen doel (MvT §1.4, §2.2)."""
    from wams.core.catalogue_listing import purposes
    from wams.core.law.purposes import VOCABULARY_VERSION

    entries = purposes(_catalogue())
    if as_json:
        click.echo(json.dumps({"versie": VOCABULARY_VERSION, "doelen": entries},
                              ensure_ascii=False, indent=2))
        return
    for e in entries:
        click.echo(f"{e['code']:<40} {e['omschrijving']}")
        click.echo(textwrap.fill(purpose_facts(e), WIDTH, initial_indent=" " * 8,
                                 subsequent_indent=" " * 8, break_on_hyphens=False))
    click.echo(f"{plural(len(entries), 'doel', 'doelen')} (kernvocabulaire versie "
               f"{VOCABULARY_VERSION}); een uitleg hoort in 'toelichting', die beslist niets")


COMMANDS = (plugins, catalogue_cmd, rules, doelen)

__all__ = ["COMMANDS"]
