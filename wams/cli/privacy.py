"""CLI commands for the privacy operations: ``log export``, ``register``, ``inzage``,
``retention run`` and ``case list/show``.

The lead wires them into :mod:`wams.cli` (``register_commands(cli)``). Each command opens the
database itself and turns every error a user can act on into one Dutch line on stderr with exit
code 2, never a traceback (``WAMS_DEBUG=1`` shows it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from wams.cli.common import MappedErrors, plural
from wams.core.errors import InputError
from wams.core.settings import SETTINGS

DB_ENV = "WAMS_DATABASE_URL"
#: R33: how long a closed case is kept; a municipal choice
BEWAARTERMIJN_SETTING = "bewaartermijn_maanden"
#: R27: how often the coordinator reports to the college; a municipal choice (default 3 months)
VOORTGANG_SETTING = "voortgang_interval_maanden"
DEFAULT_VOORTGANG_MAANDEN = SETTINGS[VOORTGANG_SETTING].default

F = TypeVar("F", bound=Callable[..., Any])



def open_database(url: str | None, *, must_exist: bool = True) -> Any:
    from wams.api import Wams
    from wams.api_database import Database

    if must_exist and url is not None and not url.strip():  # an unset $WAMS_DATABASE_URL
        raise InputError(f"--db is leeg (of ${DB_ENV} is leeg); geef de URL van een bestaande "
                        "wams-database op")
    missing = Database(url).missing_file() if url and must_exist else None
    if missing:
        raise InputError(f"database {missing} bestaat niet; geef met --db een bestaande "
                        "wams-database op")
    return Wams.open(url)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} '{value}' is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld "
                        "2027-01-31") from None


_db = click.option("--db", "url", metavar="URL", envvar=DB_ENV, required=True,
                   help=f"De database (of ${DB_ENV}).")
_gemeente = click.option("--gemeente", metavar="CODE", help="CBS-gemeentecode, bv. 0599.")


# -- log export -------------------------------------------------------------------------------


@click.group("log", cls=MappedErrors)
def log_group() -> None:
    """Het verwerkingslog (Logboek Dataverwerkingen)."""


@log_group.command("export")
@_db
@click.option("--since", metavar="DATUM", help="Alleen verwerkingen vanaf deze datum (JJJJ-MM-DD).")
@_gemeente
def log_export(url: str, since: str | None, gemeente: str | None) -> None:
    """Schrijf het verwerkingslog als JSON-regels naar stdout (zonder BSN of naam)."""
    from wams.core.gemeente import check_gemeente

    start = _date(since, "--since")
    if gemeente is not None:
        check_gemeente(gemeente)
    w = open_database(url)
    try:
        out = sys.stdout
        for line in w.export_log_lines(gemeente=gemeente, since=start):
            out.write(line + "\n")
        out.flush()
    finally:
        w.close()


# -- register ---------------------------------------------------------------------------------


@click.command("register")
@click.option("--db", "url", metavar="URL", envvar=DB_ENV,
              help="De database met de vastgelegde versies (standaard: een tijdelijke).")
@_gemeente
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def register_cmd(url: str | None, gemeente: str | None, fmt: str) -> None:
    """Het register van verwerkingsactiviteiten (AVG art. 30), uit de plugin-declaraties."""
    from wams.api_texts import register_text

    w = open_database(url or "sqlite://")
    try:
        gemeenten = [gemeente] if gemeente else w.municipalities()
        if not gemeenten:
            raise InputError("geen gemeente in deze database; noem er een met --gemeente")
        result: dict[str, list[dict[str, Any]]] = {g: w.register(g) for g in gemeenten}
        if fmt == "json":
            # One shape whatever the options: {gemeente: [activity versions]}.
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for g in gemeenten:
            months = w.setting(g, BEWAARTERMIJN_SETTING)
            click.echo(register_text(result[g], g, int(months), w.catalogue))
    finally:
        w.close()


# -- inzage -----------------------------------------------------------------------------------


def inzage_options(command: F) -> F:
    """Who the access report is about and who asks for it (``wams inzage`` and
    ``wams report inzage``): one set of options, so the two cannot drift apart."""
    for option in reversed((
            click.option("--bsn", help="Het BSN van de betrokkene."),
            click.option("--persoon", "ref", metavar="REF",
                         help="Het kenmerk van een persoon zonder BSN (met --casus)."),
            click.option("--casus", "case_id", metavar="ID",
                         help="De casus waarin de persoon zonder BSN bekend is."),
            click.option("--actor", default="college", show_default=True,
                         help="Wie de inzage opvraagt."),
            click.option("--verzoek", required=True, metavar="KENMERK",
                         help="Het kenmerk van het verzoek om inzage van de betrokkene "
                              "(AVG art. 15)."))):
        command = option(command)
    return command


@click.command("inzage")
@_db
@click.option("--gemeente", metavar="CODE", required=True, help="CBS-gemeentecode, bv. 0599.")
@inzage_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def inzage_cmd(url: str, gemeente: str, bsn: str | None, ref: str | None,
               case_id: str | None, actor: str, verzoek: str, fmt: str) -> None:
    """Inzage (AVG art. 15): alle casussen en verwerkingen over één persoon, op zijn verzoek.
    Het doel ligt vast (verzoek van betrokkene); inzage is geen zoekopdracht. Wordt gelogd."""
    from wams.api_texts import inzage_json, inzage_text

    if (bsn is None) == (ref is None):
        raise InputError("noem de persoon met --bsn of met --persoon (één van beide)")
    w = open_database(url)
    try:
        report = w.inzage_persoon(gemeente, bsn=bsn, ref=ref, case_id=case_id, actor=actor,
                                  verzoek=verzoek)
    finally:
        w.close()
    click.echo(inzage_json(report) if fmt == "json" else inzage_text(report))


# -- retention --------------------------------------------------------------------------------


@click.group("retention", cls=MappedErrors)
def retention_group() -> None:
    """Bewaartermijn en vernietiging (R33)."""


@retention_group.command("run")
@_db
@_gemeente
@click.option("--dry-run", is_flag=True, help="Toon wat vernietigd zou worden; verander niets.")
@click.option("--op", "on", metavar="DATUM",
              help="Toon wat op die datum (JJJJ-MM-DD) over de bewaartermijn is; verandert "
                   "niets (vernietigen kan alleen vandaag).")
def retention_run(url: str, gemeente: str | None, dry_run: bool, on: str | None) -> None:
    """Vernietig elke casus waarvan de bewaartermijn (een gemeentelijke keuze) verstreken is."""
    from wams.api_texts import period_line
    from wams.core.clock import Clock

    day = _date(on, "--op")
    # R33: destroying ahead of the term is never allowed, so a chosen day only previews.
    preview = dry_run or day is not None

    with contextlib.ExitStack() as stack:
        # Long runs (50 cases or more) show a progress bar on stderr (cases stored so far);
        # stdout keeps one line per case.
        bar: list[Any] = []  # click's ProgressBar, made once the total is known

        def progress(done: int, total: int, item: dict[str, Any]) -> None:
            if total < 50:
                return
            if not bar:
                bar.append(stack.enter_context(click.progressbar(
                    length=total, label="nagaan" if preview else "vernietigen",
                    file=sys.stderr, show_pos=True)))
            bar[0].update(1)

        w = _open_at(url, Clock(day) if day is not None else None)
        try:
            items = w.retention_run(gemeente, dry_run=preview, progress=progress)
            # Meldingen and betrokkenheid records have their own bewaartermijn (R33, R34).
            records = w.retention_run_records(gemeente, dry_run=preview)
            # Then every KEK of a period that is over and empty leaves the key store.
            retired = [] if preview else w.retire_periods(gemeente)
        finally:
            w.close()
    for item in items:
        verb = "zou vernietigd worden" if preview else (
            "vernietigd" if item.get("vernietigd") else f"niet vernietigd ({item.get('reden')})")
        click.echo(f"{item['gemeente']} {item['case_id']}: gesloten {item['closed_on']}, "
                   f"bewaartermijn {item['bewaartermijn_maanden']} maanden (gemeentelijke "
                   f"keuze), verstreken op {item['verloopt_op']} — {verb}")
    click.echo(retention_summary(items, preview, day))
    for item in records:
        verb = "zou vernietigd worden" if preview else "vernietigd"
        click.echo(f"{item['gemeente']} {item['soort']} {item['id']}: vastgelegd "
                   f"{item['vastgelegd']}, bewaartermijn {item['bewaartermijn_maanden']} "
                   f"maanden, verstreken op {item['verloopt_op']} — {verb}")
    if records:
        click.echo(plural(len(records), "melding of betrokkenheid",
                          "meldingen en betrokkenheden") + " over de bewaartermijn"
                   + ("; niets veranderd" if preview else ""))
    click.echo("".join(period_line(item) + "\n" for item in retired), nl=False)


def retention_summary(items: list[dict[str, Any]], preview: bool, day: dt.date | None) -> str:
    """The last line of ``retention run``: what happened, in words, never "0 niet"."""
    when = f" op {day}" if day is not None else ""
    if not items:
        return f"geen casussen over de bewaartermijn{when}; niets vernietigd"
    over = plural(len(items), "casus", "casussen") + f" over de bewaartermijn{when}"
    if preview:
        return f"{over}; niets veranderd ({'--op' if day is not None else '--dry-run'})"
    done = sum(1 for i in items if i.get("vernietigd"))
    line = f"{over}: {done} vernietigd"
    return line + (f", {len(items) - done} niet vernietigd (zie hierboven)"
                   if done < len(items) else "")


def _open_at(url: str, clock: Any) -> Any:
    """:func:`open_database` with a fixed clock (``--op``)."""
    if clock is None:
        return open_database(url)
    from wams.api import Wams

    open_database(url).close()  # the existence check and migrations, as every command
    return Wams.open(url, clock=clock)


# -- instelling -------------------------------------------------------------------------------


@click.group("instelling", cls=MappedErrors)
def instelling_group() -> None:
    """Gemeentelijke instellingen lezen en zetten (keuzes die de wet aan de gemeente laat)."""


@instelling_group.command("get")
@_db
@click.option("--gemeente", metavar="CODE", required=True, help="CBS-gemeentecode, bv. 0599.")
@click.argument("key", required=False)
def instelling_get(url: str, gemeente: str, key: str | None) -> None:
    """Toon één instelling, of zonder naam alle instellingen met hun waarde."""
    from wams.core.gemeente import check_gemeente

    check_gemeente(gemeente)
    keys = [key] if key is not None else sorted(SETTINGS)
    for k in keys:
        _known_setting(k)
    w = open_database(url)
    try:
        values = {k: w.setting(gemeente, k) for k in keys}
    finally:
        w.close()
    for k, value in values.items():
        spec = SETTINGS[k]
        same = list(value) == list(spec.default) if isinstance(value, (list, tuple)) \
            else value == spec.default
        origin = "standaard" if same else "gemeentelijke keuze"
        click.echo(f"{k} = {_shown(value)} ({origin}; {spec.description}, {spec.rule})")


@instelling_group.command("set")
@_db
@click.option("--gemeente", metavar="CODE", required=True, help="CBS-gemeentecode, bv. 0599.")
@click.argument("key")
@click.argument("value")
def instelling_set(url: str, gemeente: str, key: str, value: str) -> None:
    """Zet een instelling voor een gemeente (zie docs/settings.md voor de grenzen); een lijst
    codes schrijft u als a,b."""
    _known_setting(key)
    parsed: object
    if SETTINGS[key].codes or SETTINGS[key].url_list:  # a list, written "a,b" ("": none)
        parsed = [v.strip() for v in value.split(",") if v.strip()]
    elif SETTINGS[key].per_party:  # written ref=value, several separated by ";"
        pairs = [p.split("=", 1) for p in value.split(";") if p.strip()]
        if not all(len(p) == 2 for p in pairs):
            raise InputError(f"{key} schrijft u als kenmerk=waarde, meer dan één "
                            "gescheiden door ; (bv. kredietbank=Kredietbank Rotterdam)")
        parsed = {k.strip(): v.strip() for k, v in pairs}
    elif SETTINGS[key].text:
        parsed = value
    else:
        try:
            parsed = int(value)
        except ValueError:
            parsed = value  # settings.check names what is allowed
    w = open_database(url)
    try:
        w.set_setting(gemeente, key, parsed)
        stored = w.setting(gemeente, key)
    finally:
        w.close()
    click.echo(f"{key} = {_shown(stored)} voor gemeente {gemeente}")


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items()) or "(geen)"
    if value is None:
        return "(niet gezet)"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "(geen)"
    return str(value)


def _known_setting(key: str) -> None:
    from wams.core.scenario.format import suggest

    if key not in SETTINGS:
        raise InputError(f"onbekende instelling '{key}'{suggest(key, SETTINGS)}; bekend zijn: "
                        + ", ".join(sorted(SETTINGS)))


# -- case list / show -------------------------------------------------------------------------


@click.group("case", cls=MappedErrors)
def case_group() -> None:
    """Casussen bekijken."""


@case_group.command("list")
@_db
@click.option("--gemeente", metavar="CODE", required=True, help="CBS-gemeentecode, bv. 0599.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Toon hoogstens N casussen (een pagina).")
@click.option("--after", metavar="CASUS", help="Begin na deze casus (de laatste van de vorige "
              "pagina).")
def case_list(url: str, gemeente: str, limit: int | None, after: str | None) -> None:
    """Alle casussen van een gemeente (zonder persoonsgegevens), in volgorde van opening.

    De lijst wordt per pagina gelezen en meteen getoond: ook bij een miljoen casussen blijft
    het geheugengebruik gelijk."""
    from wams.core.law.policy import retention_ends

    w = open_database(url)
    try:
        months = int(w.setting(gemeente, BEWAARTERMIJN_SETTING))
        rows = iter(w.cases(gemeente, limit=limit, after=after) if limit is not None
                    else w.iter_cases(gemeente, after=after))
        # The first page before any output: a bad --after is one line, nothing else.
        first = next(rows, None)
        click.echo(f"gemeente {gemeente}: casussen in volgorde van opening; bewaartermijn "
                   f"{months} maanden na afsluiting (gemeentelijke keuze, R33)")
        shown = 0
        for r in itertools.chain([first] if first is not None else [], rows):
            click.echo(_case_line(r, months, retention_ends))
            shown += 1
    finally:
        w.close()
    more = f"; volgende pagina: --after {r['id']}" if limit is not None and shown == limit \
        else ""
    click.echo(plural(shown, "casus", "casussen") + more)


def _case_line(r: dict[str, Any], months: int, retention_ends: Any) -> str:
    line = f"{r['id']}  route {r['route']}  {r['wet'] or '-':<16} {r['phase']:<12} " \
           f"geopend {r['opened_on']}"
    if r["closed_on"]:
        line += f", gesloten {r['closed_on']}"
        if not r["destroyed_on"]:
            line += f", te vernietigen vanaf {retention_ends(r['closed_on'], months)}"
    if r["destroyed_on"]:
        line += f", vernietigd {r['destroyed_on']}"
    return line


OBJECTION = {None: "geen", "pending": "ingediend, verwerking gestopt tot het college beslist",
             "ended": "verwerking beëindigd", "resumed": "verwerking hervat met reden"}


@case_group.command("show")
@_db
@click.option("--gemeente", metavar="CODE", required=True, help="CBS-gemeentecode, bv. 0599.")
@click.argument("case_id")
@click.option("--actor", required=True, help="Wie de casus inziet (wordt gelogd).")
@click.option("--doel", required=True,
              help="De doelcode waarvoor u inziet (wams doelen; gelogd), bv. behandeling.")
def case_show(url: str, gemeente: str, case_id: str, actor: str, doel: str) -> None:
    """Toon één casus. Inzien is raadplegen: het wordt per persoon gelogd (R36)."""
    w = open_database(url)
    try:
        case = w.case(gemeente, case_id, actor=actor, purpose=doel)
        raw = w.setting(gemeente, VOORTGANG_SETTING)
        interval = int(raw) if isinstance(raw, int) else DEFAULT_VOORTGANG_MAANDEN
        today = w.today()
    finally:
        w.close()
    echo = click.echo
    echo(f"casus {case.id} — gemeente {case.gemeente}, route {case.route}"
         + (f", {case.wet}" if case.wet else ""))
    echo(f"  fase: {case.phase}; geopend {case.opened_on}"
         + (f", gesloten {case.closed_on}" if case.closed_on else "")
         + (f", vernietigd {case.destroyed_on}" if case.destroyed_on else ""))
    echo(f"  opening: {case.provision}")
    if case.destroyed_on:
        echo("  het dossier is vernietigd; alleen het bewijs en het verwerkingslog zijn bewaard")
        return
    echo("  personen:")
    for ref, p in case.persons.items():
        informed = ("" if case.route != "B" else
                    f"; geïnformeerd (R08): {'ja' if p.informed else 'nee'}")
        echo(f"    {ref} ({p.role}){informed}; bezwaar (R09): "
             f"{OBJECTION.get(p.objection, p.objection)}")
    if case.scope:
        echo("  domeinen: " + ", ".join(f"{d} ({s.status})" for d, s in case.scope.items()))
    if case.parties:
        echo("  partijen: " + ", ".join(case.parties))
    if case.werkplan is not None:
        echo(f"  werkplan: versie {case.werkplan.version} ({case.werkplan.grondslag})")
    if case.coordinator is not None:
        echo(f"  coördinator: {case.coordinator.wie} ({case.coordinator.type}) sinds "
             f"{case.coordinator.since}")
    from wams.core.law.voortgang import voortgang_status

    status = voortgang_status(case, today, interval)
    if status is not None:
        last = status["laatste"] or "nog geen"
        late = " — TE LAAT (R27)" if status["te_laat"] else ""
        echo(f"  voortgangsrapportage: laatste {last}, volgende uiterlijk {status['uiterlijk']} "
             f"(elke {interval} maanden, gemeentelijke keuze){late}")


COMMANDS = (log_group, register_cmd, inzage_cmd, retention_group, instelling_group, case_group)


def register_commands(cli: click.Group) -> None:
    """Add these commands to the ``wams`` group (called by :mod:`wams.cli`)."""
    for command in COMMANDS:
        cli.add_command(command)


@click.group(cls=MappedErrors)
def main() -> None:
    """De privacy-opdrachten van wams, los te gebruiken (``python -m wams.cli.privacy``)."""


register_commands(main)

if __name__ == "__main__":
    main()
