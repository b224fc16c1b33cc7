"""The register of processing activities (AVG art. 30): valid ProcessingActivityVersions,
a new version where an entry changed (the log follows it), recorded once per database even
when two processes record it at once, built once per catalogue. Both backends."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from tests.helpers import assert_chain_intact, register_validator, route_a
from wams.core.privacy import register

G = "0599"


def _rows(w: Any, sql: str) -> list[Any]:
    with w.engine.db.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def _core_codes() -> set[str]:
    """The activity codes the core writes (every ``Processing(..., "code", ...)``)."""
    root = Path(__file__).resolve().parents[1] / "wams" / "core"
    codes: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"Processing\(\s*[\"A-Z_a-z]+,\s*[^,]+,\s*\"([a-z_]+)\"", text))
    return codes


def test_register_entries_are_valid_processing_activity_versions(wams: Any) -> None:
    validator = register_validator()
    entries = wams.register(G)
    codes = {e["code"] for e in entries}
    assert _core_codes() <= codes, _core_codes() - codes
    assert {"onderzoek", "beoordeling_verzoek", "hergebruik", "werkplan", "casusoverleg",
            "meldpunt", "inzage", "vernietiging", "export", "raadplegen"} <= codes
    assert set(wams.catalogue.activities) <= codes  # every plugin declaration
    for e in entries:
        errors = [err.message for err in validator.iter_errors(e)]
        assert not errors, (e["code"], errors)
        assert e["legalBasis"] == ["OfficialAuthorityOfController"]  # R13, never Consent
        assert e["personalData"]["retentionPeriod"] == "P12M"
        assert e["version"] == 1 and e["validFrom"].startswith("2027-02-01T")
        assert e["id"] == f"urn:wams:{G}:verwerkingsactiviteit:{e['code']}:v1"


def test_a_caller_who_changes_the_register_it_was_handed_changes_nothing(wams: Any) -> None:
    """The entries are built once per municipality and bewaartermijn (an access report reads
    them): what a caller is handed is its own copy, nested parts too."""
    first = {e["code"]: e for e in wams.register(G)}
    first["inzage"]["personalData"]["retentionPeriod"] = "P99M"
    first["inzage"]["purpose"] = "iets anders"
    again = {e["code"]: e for e in wams.register(G)}
    assert again["inzage"]["personalData"]["retentionPeriod"] == "P12M"
    assert again["inzage"]["purpose"] != "iets anders"
    assert again["inzage"]["version"] == 1  # nothing recorded as a change either


def test_register_version_changes_with_content_and_log_follows(wams: Any, clock: Any) -> None:
    case_id = route_a(wams)
    first = _rows(wams, "select activity_id from processing_log order by id")[0][0]
    assert first == f"urn:wams:{G}:verwerkingsactiviteit:onderzoek:v1"
    clock.set(dt.date(2027, 3, 1))
    wams.set_setting(G, "bewaartermijn_maanden", 6)  # a municipal choice: new content
    wams.case(G, case_id, actor="medewerker", purpose="behandeling")
    last = _rows(wams, "select activity_id from processing_log order by id desc")[0][0]
    assert last == f"urn:wams:{G}:verwerkingsactiviteit:raadplegen:v2"
    entries = {e["code"]: e for e in wams.register(G)}
    assert entries["raadplegen"]["version"] == 2
    assert entries["raadplegen"]["personalData"]["retentionPeriod"] == "P6M"
    assert entries["raadplegen"]["validFrom"].startswith("2027-03-01T")
    # Asking again records nothing new.
    assert {e["code"]: e["version"] for e in wams.register(G)} == \
        {code: e["version"] for code, e in entries.items()}
    # Every activity id in the log points at a version the register recorded.
    recorded = {f"urn:wams:{g}:verwerkingsactiviteit:{a}:v{v}"
                for g, a, v in _rows(wams, "select gemeente, activity, version "
                                           "from register_versions")}
    assert {r[0] for r in _rows(wams, "select activity_id from processing_log")} <= recorded


def test_register_sync_records_a_plugin_upgrade_once(wams: Any, clock: Any) -> None:
    engine = wams.engine
    contents = register.contents(wams.catalogue, G, 12)
    with engine.unit_of_work(G) as uow:
        v1 = register.sync(uow.store, G, contents, clock.now())
    upgraded = dict(contents)
    upgraded["wmo.casusoverleg"] = {**contents["wmo.casusoverleg"], "purpose": "nieuw doel"}
    clock.set(dt.date(2027, 5, 1))
    with engine.unit_of_work(G) as uow:
        v2 = register.sync(uow.store, G, upgraded, clock.now())
        again = register.sync(uow.store, G, upgraded, clock.now())
    assert v1["wmo.casusoverleg"][0] == 1 and v2["wmo.casusoverleg"][0] == 2
    assert v2["onderzoek"][0] == 1 and again == v2
    with engine.unit_of_work(G) as uow:
        versions = register.history(uow.store.conn, G, "wmo.casusoverleg")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["purpose"] == "nieuw doel"


def test_versions_another_process_recorded_first_are_taken_not_doubled(
        wams: Any, clock: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes recording the same new register at once: the one that reads the
    latest versions before the other commits tries to insert them too; its whole-register
    insert fails on the unique version, its savepoint undoes it, and it takes the versions
    the other recorded, row by row, without an error and without a second row."""
    contents = register.contents(wams.catalogue, G, 12)
    with wams.engine.unit_of_work(G) as uow:
        recorded = register.sync(uow.store, G, contents, clock.now())
    clock.set(dt.date(2027, 3, 1))
    # the latest versions as read before the other process committed: none
    monkeypatch.setattr(register, "_f_latest", SimpleNamespace(dicts=lambda *_: []))
    with wams.engine.unit_of_work(G) as uow:
        again = register.sync(uow.store, G, contents, clock.now())
    assert {c: v[0] for c, v in again.items()} == {c: v[0] for c, v in recorded.items()}
    assert {c: v[1] for c, v in again.items()} == {c: v[1] for c, v in recorded.items()}
    assert _rows(wams, "select count(*) from register_versions")[0][0] == len(contents)
    assert_chain_intact(wams)


def test_the_register_is_built_once_a_catalogue_and_recorded_in_every_database(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new database records the register (a scenario opens one each), but its entries,
    which follow from the catalogue, the municipality and the bewaartermijn alone, are built
    once per catalogue, not per engine; another catalogue (another plugin) builds its own."""
    from wams.api import Wams

    built: list[tuple[Any, ...]] = []
    real = register.contents

    def counted(*args: Any) -> Any:
        built.append(args[1:])
        return real(*args)

    monkeypatch.setattr(register, "contents", counted)
    with Wams.open("sqlite://") as first:
        versions = {e["code"]: e["version"] for e in first.register(G)}
    once = len(built)
    assert once <= 1
    with Wams.open("sqlite://") as second:
        assert {e["code"]: e["version"] for e in second.register(G)} == versions
        with second.engine.db.connect() as conn:
            assert conn.exec_driver_sql("select count(*) from register_versions").scalar() \
                == len(versions)
    assert len(built) == once, "a second engine of the catalogue built the entries again"

    class Other:  # no hooks: a catalogue of its own all the same
        pass

    with Wams.open("sqlite://", plugins=[("ander", Other())]) as third:
        third.register(G)
    assert built[once:] == [(G, 12)]
