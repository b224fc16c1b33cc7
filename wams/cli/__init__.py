"""The ``wams`` command line.

Import-light on purpose: ``wams --help`` loads click and nothing else of weight; SQLAlchemy, the
engine and the scenario machinery are imported inside the commands that need them. Errors a user
can fix (a bad scenario file, a plugin that declares nonsense, a conflicting write, a missing
database driver) are one line on stderr and exit code 2, never a traceback; ``WAMS_DEBUG=1``
shows the traceback of anything unexpected.

The commands live in modules of this room: ``scenario`` (scenario, demo), ``catalogue``
(plugins, catalogue, rules), ``storage`` (db, audit, keys), ``privacy`` (log, register, inzage,
retention, instelling, case), ``actors`` (actor wis), ``archive`` (archive load), ``report``
(report) and ``service`` (serve); ``common`` holds the one mapping of errors to a line and an
exit code. Plugins add commands through the ``wams_commands`` hook.

May import: the public API (``wams.api``, ``wams``), the pure core and the law
(``wams.core``, ``wams.core.law``), the scenario room, the reports and the service's runner.
Never the storage, privacy or engine rooms: the CLI is thin (parse, call the API, print), so
everything it does a Python caller can do too (``tests/test_structure.py`` enforces it).
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import NoReturn

import click

from wams.cli.common import EXIT_NO, MappedErrors, one_line


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("wams")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+onbekend"


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from wams.core.law.rules import RULESET

        click.echo(f"wams {version()} (regels {RULESET}, Python {sys.version.split()[0]})")
        ctx.exit(0)


@click.group(cls=MappedErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_show_version, help="Toon de versie van wams en stop.")
def cli() -> None:
    """wams: integrale aanpak bij meervoudige problematiek (Wams, 2020).

    Zaken, werkplannen en gegevensdeling volgens het wetsvoorstel, met uitlegbare besluiten.
    """


def complete_summaries(group: click.Group) -> None:
    """Give every command the whole first paragraph of its help as its summary in listings.

    click cuts a summary at its first full stop ("AVG art.") or at 45 characters; an explicit
    ``short_help`` is shown whole (and wrapped), so it is derived once from the help itself.
    """
    for command in group.commands.values():
        if command.help and not command.short_help:
            first = inspect.cleandoc(command.help).split("\n\n")[0]
            command.short_help = " ".join(first.split())
        if isinstance(command, click.Group):
            complete_summaries(command)


def _add_commands() -> None:
    from wams.cli.actors import actor_group
    from wams.cli.archive import archive_group
    from wams.cli.catalogue import COMMANDS as CATALOGUE
    from wams.cli.privacy import register_commands
    from wams.cli.report import register_commands as register_reports
    from wams.cli.scenario import COMMANDS as SCENARIO
    from wams.cli.service import serve, token
    from wams.cli.storage import audit, db, keys_group

    for command in (*SCENARIO, *CATALOGUE, db, audit, keys_group, serve, token, archive_group,
                    actor_group):
        cli.add_command(command)
    register_commands(cli)
    register_reports(cli)
    complete_summaries(cli)


_add_commands()


# -- entry point ----------------------------------------------------------------------------------


def _plugin_commands() -> None:
    """Let plugins add commands (hook ``wams_commands``). A plugin that fails to load must not
    break ``wams --help``; every other command reports the error itself."""
    try:
        from wams.core.plugins import load_catalogue

        load_catalogue().add_commands(cli)
        complete_summaries(cli)
    except Exception:
        if os.environ.get("WAMS_DEBUG"):
            raise


def _fail(message: str, code: int) -> NoReturn:
    click.echo(" ".join(message.split()), err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: click in non-standalone mode, so every error passes through here."""
    _plugin_commands()
    try:
        code = cli.main(args=argv, prog_name="wams", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("afgebroken", EXIT_NO)
    except Exception as exc:
        if os.environ.get("WAMS_DEBUG"):
            raise
        shown = one_line(exc)
        if shown is not None:
            _fail(*shown)
        _fail(f"wams: interne fout: {type(exc).__name__}: {exc} (zet WAMS_DEBUG=1 voor de "
              "traceback)", EXIT_NO)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
