"""Migrations: an empty database is migrated, models and migrations agree, drift is caught,
and a database that is behind is refused with the command that fixes it. Both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import migration_modules_after_a_step
from wams.api import Wams
from wams.cli.storage import db
from wams.core.storage import migrate, sqlite_schema
from wams.core.storage.database import DatabaseError
from wams.core.storage.tables import Base


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_on_empty_database(db_url: str) -> None:
    assert migrate.upgrade(db_url) == migrate.head()
    assert migrate.current(db_url) == (migrate.head(), migrate.head())
    assert set(Base.metadata.tables) | {"alembic_version"} == _tables(db_url)
    # Upgrading what is current is a no-op, not an error.
    assert migrate.upgrade(db_url) == migrate.head()


def test_models_and_migrations_agree(db_url: str) -> None:
    assert migrate.check(db_url) == []


def test_check_catches_a_model_without_migration(db_url: str) -> None:
    drifted = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["cases"].append_column(sa.Column("extra", sa.String(10)))
    assert migrate.check(db_url, drifted) == ["add_column cases extra"]


def test_cli_check_exit_codes(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ok = CliRunner().invoke(db, ["check", "--db", db_url])
    assert ok.exit_code == 0, ok.output
    assert "komen overeen" in ok.output

    class Drifted:
        metadata = sa.MetaData(naming_convention=Base.metadata.naming_convention)

    for table in Base.metadata.sorted_tables:
        table.to_metadata(Drifted.metadata)
    Drifted.metadata.remove(Drifted.metadata.tables["settings"])
    monkeypatch.setattr(migrate, "Base", Drifted)
    bad = CliRunner().invoke(db, ["check", "--db", db_url])
    assert bad.exit_code == 1, bad.output
    assert "remove_table settings" in bad.output


def test_open_migrates_an_empty_database(db_url: str) -> None:
    with Wams.open(db_url) as w:
        assert w.cases("0599") == []
    assert migrate.current(db_url) == (migrate.head(), migrate.head())


def test_replayed_migration_builds_the_same_schema(db_url: str) -> None:
    # Engine.open replays the statements of the first migration in the process (speed); the
    # result must be exactly what the migrations build.
    Wams.open(db_url).close()
    assert migrate._recorded, "the first open should have recorded its statements"
    assert migrate.check(db_url) == []


def test_an_empty_sqlite_database_made_again_is_the_one_the_migrations_made(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """On SQLite the second empty database of a process is made from the schema the first
    one's migrations left (speed goal B4): every table, index and row the same."""
    monkeypatch.setattr(migrate, "_recorded", {})  # the first open below migrates for real,
    monkeypatch.setattr(sqlite_schema, "packaged", lambda *_: None)  # not from the package

    def schema(url: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                objects = [tuple(r) for r in conn.exec_driver_sql(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")]
                rows = [tuple(r) for r in conn.exec_driver_sql(
                    "SELECT * FROM alembic_version")]
                return objects, rows
        finally:
            engine.dispose()

    migrated, made = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    Wams.open(migrated).close()
    assert migrate._recorded, "the first open should have recorded what it made"
    Wams.open(made).close()
    assert schema(made) == schema(migrated)
    assert migrate.check(made) == []


def test_database_behind_is_refused_with_next_step(db_url: str) -> None:
    first = "0001"
    assert migrate.head() != first, "this test needs a revision after 0001"
    migrate.upgrade(db_url, first)
    with pytest.raises(DatabaseError) as info:
        Wams.open(db_url)
    shown = sa.make_url(db_url).render_as_string(hide_password=True)
    assert str(info.value) == (f"de database loopt achter op versie {migrate.head()}; "
                               f"voer 'wams db upgrade --db {shown}' uit")
    behind = CliRunner().invoke(db, ["current", "--db", db_url])
    assert behind.output.startswith(f"{first}; nieuwste is {migrate.head()}")

    up = CliRunner().invoke(db, ["upgrade", "--db", db_url])
    assert up.exit_code == 0, up.output
    Wams.open(db_url).close()


def test_tables_without_version_are_refused(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    with pytest.raises(DatabaseError, match="geen schemaversie"):
        Wams.open(db_url)


def test_cli_current_says_nieuwste_like_upgrade(db_url: str) -> None:
    Wams.open(db_url).close()
    result = CliRunner().invoke(db, ["current", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.output == f"{migrate.head()} (nieuwste)\n"


def test_cli_refuses_missing_sqlite_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(db, ["current", "--db", f"sqlite:///{missing}"])
    assert result.exit_code == 2
    assert "bestaat niet" in result.output
    assert not missing.exists()


def _alembic_graph(location: str) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(location)
    return ({s.revision: (() if s.down_revision is None else (s.down_revision,)
                          if isinstance(s.down_revision, str) else tuple(s.down_revision))
             for s in scripts.walk_revisions()}, list(scripts.get_heads()))


def test_revisions_read_from_the_files_are_alembics(tmp_path, monkeypatch) -> None:
    """Opening a database reads the newest revision from the version files' text, without
    alembic; it must be what alembic reads, for the shipped scripts and for scripts with a
    revision added on top, a merge of two, and two heads (refused, as before)."""
    graph, heads = _alembic_graph(migrate.SCRIPT_LOCATION)
    assert migrate.revisions(migrate.SCRIPT_LOCATION) == graph
    assert [migrate.head()] == heads

    import shutil

    copy = tmp_path / "migrations"
    shutil.copytree(migrate.SCRIPT_LOCATION, copy, ignore=shutil.ignore_patterns("__pycache__"))
    last = migrate.head()

    def add(name: str, down: str) -> None:
        (copy / "versions" / f"{name}_extra.py").write_text(
            f'"""An extra revision."""\n'
            f'revision = "{name}"\ndown_revision: str | tuple[str, ...] | None = {down}\n'
            "branch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n")

    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", str(copy))
    add("a1", f'"{last}"')
    add("a2", f'"{last}"')  # two heads off one parent
    migrate.revisions.cache_clear()
    graph, heads = _alembic_graph(str(copy))
    assert migrate.revisions(str(copy)) == graph and sorted(heads) == ["a1", "a2"]
    with pytest.raises(DatabaseError, match="2 eindpunten"):
        migrate.head()
    add("a3", '("a1", "a2")')  # their merge
    migrate.revisions.cache_clear()
    graph, heads = _alembic_graph(str(copy))
    assert migrate.revisions(str(copy)) == graph and heads == ["a3"] == [migrate.head()]
    # A file that says its revision twice at the start of a line (the second in a docstring
    # after it): not guessed at, read by alembic.
    (copy / "versions" / "a3_extra.py").write_text(
        (copy / "versions" / "a3_extra.py").read_text() + '\n"""\nrevision = "a9"\n"""\n')
    migrate.revisions.cache_clear()
    assert migrate.revisions(str(copy)) == _alembic_graph(str(copy))[0]
    assert migrate.head() == "a3"


def test_opening_a_current_database_runs_without_alembic(db_url: str) -> None:
    """alembic (with mako and pygments' lexers) is a fifth of a command's start-up: a process
    that opens a database already at head, reads and writes in it, never imports it."""
    Wams.open(db_url).close()
    assert migration_modules_after_a_step(db_url) == []


def test_a_version_table_changed_by_hand_is_refused(db_url: str) -> None:
    """The database's revision is read from its version table without alembic: a DBA who
    sets it to a revision this wams does not know, adds a second row, or empties it, gets the
    database refused (with what to do), never opened as if it were at head."""
    Wams.open(db_url).close()
    head = migrate.head()
    engine = sa.create_engine(db_url)

    def run(*statements: str) -> None:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)

    try:
        run("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(DatabaseError, match="nieuwer dan deze wams kent"):
            Wams.open(db_url)
        run(f"UPDATE alembic_version SET version_num = '{head}'",
            "INSERT INTO alembic_version (version_num) VALUES ('0001')")
        with pytest.raises(DatabaseError, match="2 schemaversies"):
            Wams.open(db_url)
        run("DELETE FROM alembic_version")
        with pytest.raises(DatabaseError, match="geen schemaversie"):
            Wams.open(db_url)
        run(f"INSERT INTO alembic_version (version_num) VALUES ('{head}')")
        Wams.open(db_url).close()
    finally:
        engine.dispose()
