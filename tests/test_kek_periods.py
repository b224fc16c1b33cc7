"""KEKs per destruction period (issue 19): where each data key is wrapped, when it moves, and
what ``wams retention run`` retires; on both backends."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from wams.cli import cli
from wams.core import commands as c
from wams.core.clock import Clock
from wams.core.model import Partij, Persoon
from wams.core.privacy.periods import settle

G = "0599"
JAN = Persoon("jan", bsn="123456782", naam="Jan Periode", geboortedatum=dt.date(1980, 1, 2))
WIJKTEAM = Partij("wijkteam", "wmo.wijkteam")


def _periods(url: str) -> dict[str, str | None]:
    """data key id → period, read raw."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {r[0]: r[1] for r in conn.execute(sa.text("SELECT id, period FROM data_keys"))}
    engine.dispose()
    return found


def _key_of(w: Any, table: str, where: str, value: object) -> str:
    with w.engine.db.connect() as conn:
        return str(conn.execute(sa.text(f"SELECT data_key FROM {table} WHERE {where} = :v"),
                                {"v": value}).scalar())


def _kek_purposes(key_file: str) -> set[str]:
    data = json.loads(Path(key_file).read_text())["gemeenten"][G]
    return {p for p in data if p.startswith("kek")}


def _open_case(w: Any) -> str:
    d = w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="bijstand",
                    aanleiding="achterstanden")
    assert d.allowed and d.case_id
    return str(d.case_id)


def _close(w: Any, case_id: str) -> None:
    assert w.terugkoppeling(G, case_id, samenvatting="geen grondslag").allowed
    if w.case(G, case_id, actor="x", purpose="behandeling").phase != "afgesloten":
        assert w.sluit(G, case_id, terugvalafspraken="geen").allowed


def test_a_record_moves_from_its_open_month_to_the_month_its_term_ends(
        open_wams: Any, db_url: str) -> None:
    w = open_wams()  # 2027-02-01
    case_id = _open_case(w)
    key = _key_of(w, "cases", "id", case_id)
    assert _periods(db_url)[key] == "open:2027-02"
    _close(w, case_id)
    assert _periods(db_url)[key] == "2028-02"  # closed 2027-02-01, 12 months
    w.set_setting(G, "bewaartermijn_maanden", 6)
    assert _periods(db_url)[key] == "2027-08"
    assert w.melding(G, melder=c.Melder("burger", "Iemand"), over=JAN, zorg="zorg").allowed
    [m] = w.meldingen(G)
    melding_key = _key_of(w, "meldingen", "id", m["melding"])
    assert _periods(db_url)[melding_key] == "2028-02"
    w.set_setting(G, "bewaartermijn_meldingen_maanden", 3)
    assert _periods(db_url)[melding_key] == "2027-05"
    # Every record still reads under its new KEK.
    assert w.case(G, case_id, actor="x", purpose="behandeling").persons["jan"].persoon.naam \
        == JAN.naam
    assert w.meldingen(G)[0]["melding"] == m["melding"]


def test_retention_run_retires_each_period_that_is_over(open_wams: Any, db_url: str,
                                                        key_file: str) -> None:
    # Made in 2024 (a fixed clock), destroyed by the command, which runs today.
    w = open_wams(clock=Clock(dt.date(2024, 1, 10)))
    case_id = _open_case(w)
    _close(w, case_id)
    still_open = _open_case(w)
    assert w.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN,
                           dienst="wmo.maatwerkvoorziening").allowed
    w.close()
    assert {"kek:open:2024-01", "kek:2025-01"} <= _kek_purposes(key_file)
    result = CliRunner().invoke(cli, ["retention", "run", "--db", db_url],
                                env={"WAMS_KEY_FILE": key_file})
    assert result.exit_code == 0, result.output
    assert f"{G} {case_id}: gesloten 2024-01-10" in result.output
    assert f"{G} periode 2025-01: sleutel " in result.output
    assert f"{G} periode open:2024-01: sleutel " in result.output
    # The open case moved into this month's open KEK; the old months are gone.
    this_month = dt.datetime.now(dt.timezone.utc).date().strftime("%Y-%m")
    assert _kek_purposes(key_file) == {f"kek:open:{this_month}"}
    assert set(_periods(db_url).values()) == {f"open:{this_month}"}
    w = open_wams(clock=Clock())
    assert w.case(G, still_open, actor="x", purpose="behandeling").persons["jan"].persoon.naam \
        == JAN.naam
    assert w.audit()["intact"]


def test_a_record_kept_beyond_its_term_moves_to_the_open_month(open_wams: Any, db_url: str,
                                                               key_file: str) -> None:
    clock = Clock(dt.date(2027, 2, 1))
    w = open_wams(clock=clock)
    assert w.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN,
                           dienst="wmo.maatwerkvoorziening").allowed
    d = w.verzoek(G, partij=WIJKTEAM, client=JAN, onderbouwing="zorgen",
                  indicatoren=["basisbehoeften", "escalatie"], helpt="samenhang")
    assert d.allowed, d
    clock.set(dt.date(2028, 3, 1))  # the betrokkenheid's term ended in 2028-02
    assert w.retention_run_records(G) == []  # kept: a route-B case rests on it
    retired = settle(w.engine, G)
    assert {i["periode"] for i in retired if "sleutels" in i} == {"2028-02", "open:2027-02"}
    assert set(_periods(db_url).values()) == {"open:2028-03"}
    assert w.case(G, d.case_id, actor="x", purpose="behandeling").phase == "beoordeling"
    assert _kek_purposes(key_file) == {"kek:open:2028-03"}


def test_the_audit_names_a_proof_whose_period_is_over_and_its_kek_alive(
        open_wams: Any) -> None:
    from wams.core.storage import audit

    clock = Clock(dt.date(2027, 2, 1))
    w = open_wams(clock=clock)
    case_id = _open_case(w)
    _close(w, case_id)
    clock.set(dt.date(2028, 2, 2))
    assert w.vernietig(G, case_id).allowed  # destroyed, its period (2028-02) not yet over
    with w.engine.db.connect() as conn:
        assert audit.verify(conn, w.engine.keys, today=dt.date(2028, 2, 20)).intact
        report = audit.verify(conn, w.engine.keys, today=dt.date(2028, 3, 1))
    assert not report.intact
    [line] = [b.line() for b in report.breaks]
    assert f"bewijs {case_id}" in line and "periode 2028-02 is voorbij" in line
    clock.set(dt.date(2028, 3, 1))
    settle(w.engine, G)
    with w.engine.db.connect() as conn:
        assert audit.verify(conn, w.engine.keys, today=dt.date(2028, 3, 1)).intact


def test_the_vault_example_retires_a_period_through_the_hook(tmp_path: Path) -> None:
    """examples/vault_key_store.py: a key store plugin (a stand-in for Vault's KV engine)
    gets the same retirement as the key file, through the wams_key_store hook."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAMS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(root / "examples" / "vault_key_store.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "in Vault voor: chain, kek:2028-02, kek:open:2027-02, pseudonym" in proc.stdout
    # What is left: the chain and pseudonym keys, and the open month's KEK, which wraps only
    # the register of actors (who acted lives on; it moves on with each run).
    assert "in Vault na:   chain, kek:open:2028-03, pseudonym" in proc.stdout
