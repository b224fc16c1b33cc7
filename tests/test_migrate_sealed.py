"""Migration 0006 on a database written by wams before it (tests/fixtures/pre_0003.sqlite, made
by tests/fixtures/make_pre_0003.py with the old code): its plain personal data is sealed, its
pseudonym keys move to the key store (pseudonyms keep linking), the chain still verifies, and a
case of it can then be destroyed for real. On both backends: on PostgreSQL the old rows are
copied into a database migrated to 0002 first."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from wams.api import Wams
from wams.core.clock import Clock
from wams.core.engine import database
from wams.core.errors import DatabaseError
from wams.core.model import Partij
from wams.core.privacy.keystore import FileKeyStore
from wams.core.storage import migrate

FIXTURE = Path(__file__).parent / "fixtures" / "pre_0003.sqlite"
G = "0599"
OLD, LIVE, ROUTE_B = ("ad3afc82b8e34aa29fcb0082e312889b", "974000e7f5eb4079a2ee663cd8ea7dd2",
                      "4d95ddb69b38485798b3ccf7cbefdf9f")
JAN_BSN = "123456782"
PLAIN = ("Oudgegeven", "123456782", "987654305", "111222333", "222333443", "1961-03-14",
         "1999-07-21", "1970-01-05", "1955-05-05", "OUDVRAAG", "OUDAANL", "OUDSAMENHANG",
         "OUDDOEL", "OUDTERUGVAL", "OUDWEIGERING", "OUDONDERBOUWING", "OUDHELPT",
         "OUDMOTIVERING", "OUDZORG", "OUDREDEN", "OUDINZAGE")
# Tables in the order their rows can be copied (foreign keys).
TABLES = ("cases", "history", "chain_heads", "processing_log", "involvements", "meldingen",
          "melders", "settings", "tenant_keys", "destruction_proofs", "register_versions")
SERIALS = (("history", "seq"), ("processing_log", "id"), ("involvements", "id"),
           ("meldingen", "id"), ("destruction_proofs", "id"), ("register_versions", "id"))


def _copy_into(url: str) -> None:
    """The fixture's rows into an empty database at revision 0002 (PostgreSQL)."""
    migrate.upgrade(url, "0002")
    source = sa.create_engine(f"sqlite:///{FIXTURE}")
    target = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(target)
        with source.connect() as src, target.begin() as dst:
            for name in TABLES:
                table = meta.tables[name]
                rows = [dict(r._mapping) for r in src.execute(sa.select(
                    *[sa.column(col.name, col.type) for col in table.columns]
                ).select_from(sa.table(name)))]
                if rows:
                    dst.execute(table.insert(), rows)
            for name, col in SERIALS:
                dst.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', '{col}'), "
                    f"coalesce((SELECT max({col}) FROM {name}), 0) + 1, false)")
    finally:
        source.dispose()
        target.dispose()


@pytest.fixture
def old_db(db_url: str, tmp_path: Path) -> str:
    if db_url.startswith("sqlite"):
        shutil.copy(FIXTURE, tmp_path / "wams.db")
        return db_url
    _copy_into(db_url)
    return db_url


def _verify(url: str) -> Any:
    from wams.cli.storage import audit

    return CliRunner().invoke(audit, ["verify", "--db", url])


def test_an_old_database_is_sealed_keeps_its_links_and_can_then_be_destroyed(
        old_db: str, key_file: str) -> None:
    url = old_db
    with pytest.raises(Exception, match="wams db upgrade"):
        Wams.open(url)  # behind: an explicit upgrade, with its key store
    from wams.cli.storage import db

    result = CliRunner().invoke(db, ["upgrade", "--db", url])
    assert result.exit_code == 0, result.output
    assert migrate.current(url)[0] == migrate.head()
    keys = FileKeyStore(key_file)
    assert keys.path.exists()  # the pseudonym key moved out of the database

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert "tenant_keys" not in sa.inspect(conn).get_table_names()
            dump = "\n".join(str(tuple(r)) for t in sa.inspect(conn).get_table_names()
                             for r in conn.execute(sa.text(f"SELECT * FROM {t}")))
    finally:
        engine.dispose()
    leaked = [s for s in PLAIN if s in dump]
    assert not leaked, leaked
    if url.startswith("sqlite"):
        raw = Path(url.removeprefix("sqlite:///")).read_bytes()
        # The rewrite freed the old pages; secure_delete zeroed them.
        assert not [s for s in PLAIN if s.encode() in raw]
    assert _verify(url).exit_code == 0, _verify(url).output  # re-chained over ciphertext

    clock = Clock(dt.date(2029, 6, 1))  # past the terms of everything in the fixture
    w = Wams.open(url, clock=clock, key_file=key_file)
    try:
        # The pseudonyms still link: the access report finds both of Jan's cases.
        report = w.inzage_persoon(G, bsn=JAN_BSN, actor="medewerker", verzoek="na migratie")
        assert {c["casus"] for c in report["casussen"]} == {OLD, LIVE}
        doelen = {v["doel"] for v in report["verwerkingen"]}
        assert "OUDDOEL2" in doelen  # sealed with the live case, readable with its key
        assert "OUDDOEL1" not in doelen  # the destroyed case's free text: gone
        live = w.case(G, LIVE, actor="medewerker", purpose="behandeling")
        assert live.persons["eva"].persoon.naam == "Eva Oudgegeven"
        [m] = w.meldingen(G)
        passed = w.melding_doorgeven(G, m["melding"], aan=Partij("wijkteam", "wmo.wijkteam"),
        doel="melding_onderzoeken", reden="opnieuw")
        assert passed and passed.report["zorg"] == "OUDZORG"
        assert w.verzoek  # the route-B case, rejected: its betrokkenheid stays until it goes
        # And now a destruction that destroys.
        done = w.retention_run()
        assert {i["case_id"] for i in done} == {LIVE, ROUTE_B}
        records = w.retention_run_records()
        assert {i["soort"] for i in records} == {"melding", "betrokkenheid"}
        with w.engine.unit_of_work(G) as uow:
            [(state,)] = uow.store.conn.execute(sa.text("SELECT state FROM cases WHERE id = "
                                                        ":c"), {"c": LIVE}).all()
        assert "Oudgegeven" not in state and "OUDSAMENHANG2" not in state
        report = w.inzage_persoon(G, bsn=JAN_BSN, actor="medewerker", verzoek="na")
        assert "OUDDOEL2" not in {v["doel"] for v in report["verwerkingen"]}
    finally:
        w.close()
    result = _verify(url)
    assert result.exit_code == 0, result.output


def test_migrating_needs_the_key_store(tmp_path: Path) -> None:
    """Without the key store the old data cannot be sealed: one error, nothing half-done."""
    path = tmp_path / "wams.db"
    shutil.copy(FIXTURE, path)
    url = f"sqlite:///{path}"
    with pytest.raises(DatabaseError, match="sleutelopslag"):
        migrate.upgrade(url)
    assert migrate.current(url)[0] == "0002"


def test_0011_binds_every_value_to_its_place_and_an_old_value_put_back_is_refused(
        old_db: str, key_file: str) -> None:
    """Up to 0010 the values are bound to their data key alone; 0011 re-seals each one for
    its place and re-chains over the new ciphertext. A value from a backup of before (sealed
    under the same, living key) put back by a DBA is then refused on read."""
    from tests.helpers import unsealed
    from wams.core.errors import TamperedError
    from wams.core.privacy import places
    from wams.core.privacy.sealing import SealError
    from wams.core.storage.tables import Base

    url = old_db
    keys = FileKeyStore(key_file)
    assert database.upgrade(url, "0010", keys=keys) == "0010"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            [(old_state,)] = conn.execute(sa.text("SELECT state FROM cases WHERE id = :c"),
                                          {"c": LIVE}).all()
        with engine.begin() as conn:  # a subscription from before they were chained (0012)
            conn.execute(sa.text("INSERT INTO subscriptions (gemeente, url, created_at, "
                                 "delivered_n, secret_version) VALUES (:g, :u, :t, 0, 1)"),
                         {"g": G, "u": "https://ontvanger.example/x",
                          "t": dt.datetime(2027, 1, 1)})
    finally:
        engine.dispose()
    assert database.upgrade(url, keys=keys) == migrate.head()
    assert _verify(url).exit_code == 0, _verify(url).output  # re-chained, and verified
    engine = sa.create_engine(url)
    try:  # 0012 adopted the data keys and the subscription
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM data_keys WHERE chain_n IS "
                                        "NULL")).scalar_one() == 0
            assert conn.execute(sa.text("SELECT count(*) FROM history WHERE projection_ref "
                                        "LIKE 'abonnement:%'")).scalar_one() == 1
    finally:
        engine.dispose()

    w = Wams.open(url, clock=Clock(dt.date(2028, 1, 1)), key_file=key_file)
    try:
        with w.engine.unit_of_work(G) as uow:
            opened = {t: [v for _, v in unsealed(uow, t, plain=True) if v is not None]
                      for t in ("cases", "history", "processing_log", "involvements",
                                "meldingen", "melders")}
        assert all(opened.values()), opened  # every table's values open at their place
        assert w.case(G, LIVE, actor="x", purpose="behandeling").persons["eva"]
        with w.engine.unit_of_work(G) as uow:
            [(version,)] = uow.store.conn.execute(sa.text(
                "SELECT version FROM cases WHERE id = :c"), {"c": LIVE}).all()
            with pytest.raises(SealError):  # sealed for its key only, not for its place
                uow.unseal(old_state, places.case_state(G, LIVE, version))
    finally:
        w.close()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(Base.metadata.tables["cases"]).where(
                Base.metadata.tables["cases"].c.id == LIVE).values(state=old_state))
    finally:
        engine.dispose()
    w = Wams.open(url, clock=Clock(dt.date(2028, 1, 1)), key_file=key_file)
    try:
        with pytest.raises(TamperedError):
            w.case(G, LIVE, actor="x", purpose="behandeling")
    finally:
        w.close()


#: the append-only tables the chain covered at revision 0013
COVERED_0013 = ("processing_log", "involvements", "meldingen", "melders", "destruction_proofs",
                "register_versions", "destroyed_rows", "data_keys")
NAMING = ("history", "processing_log", "destruction_proofs")


def test_0014_keeps_who_acted_by_pseudonym_and_the_names_in_the_register(
        old_db: str, key_file: str) -> None:
    """Up to 0013 the history, the log and the proofs name who acted in clear (and an
    idempotency key stored before they were digested is in clear too); 0014 replaces each by
    its keyed digest, seals the names in the register of actors and re-chains. The reports
    still name who acted, a retried command is still recognised, the chain verifies."""
    from wams.core.storage.coverage import ChainKeys
    from wams.core.storage.rechain import rechain

    url = old_db
    keys = FileKeyStore(key_file)
    assert database.upgrade(url, "0013", keys=keys) == "0013"
    plain_key = "verzoek-Oudgegeven-123456782"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            # As wams kept an idempotency key before it was digested (in the chain as it was).
            seq = conn.execute(sa.text("SELECT min(seq) FROM history WHERE case_id = :c"),
                               {"c": LIVE}).scalar_one()
            conn.execute(sa.text("UPDATE history SET idempotency_key = :k WHERE seq = :s"),
                         {"k": plain_key, "s": seq})
            rechain(conn, ChainKeys(keys), G, COVERED_0013)
            before = {a for t in NAMING for (a,) in conn.execute(sa.text(
                f"SELECT DISTINCT actor FROM {t}"))}
    finally:
        engine.dispose()
    assert {"college", "medewerker"} <= before
    with pytest.raises(DatabaseError, match="wams db upgrade"):
        migrate.upgrade(url, key_store=keys)  # without the register's way in: nothing done
    assert migrate.current(url)[0] == "0013"
    # A replaced key store: one clear line naming the missing chain key, exit 2, nothing done
    # and no key made.
    from wams.cli.storage import db

    other = Path(key_file).with_name("vervangen.keys")
    replaced = CliRunner().invoke(db, ["upgrade", "--db", url],
                                  env={"WAMS_KEY_FILE": str(other)})
    assert replaced.exit_code == 2, replaced.output
    assert "ontbreekt in de sleutelopslag" in replaced.output
    assert "interne fout" not in replaced.output and "Traceback" not in replaced.output
    assert migrate.current(url)[0] == "0013" and not other.exists()

    assert database.upgrade(url, keys=keys) == migrate.head()  # with the register's way in
    assert _verify(url).exit_code == 0, _verify(url).output
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            after = {a for t in NAMING for (a,) in conn.execute(sa.text(
                f"SELECT DISTINCT actor FROM {t}"))}
            keys_kept = set(conn.execute(sa.text(
                "SELECT idempotency_key FROM history WHERE idempotency_key IS NOT NULL")
                ).scalars())
            registered = conn.execute(sa.text("SELECT count(*) FROM actors")).scalar_one()
    finally:
        engine.dispose()
    assert after and all(a.startswith("hmac:") for a in after), after
    assert len(keys_kept) == 1 and next(iter(keys_kept)).startswith("hmac:")
    assert registered == len(before | {"wams db upgrade"})

    w = Wams.open(url, clock=Clock(dt.date(2028, 1, 1)), key_file=key_file)
    try:
        assert "college" in {s["actor"] for s in w.case_steps(G, LIVE)}
        report = w.inzage_persoon(G, bsn=JAN_BSN, actor="fg", verzoek="na 0014")
        assert "medewerker" in {v["door"] for v in report["verwerkingen"]}
        assert w.answered(G, [plain_key]) == {plain_key}  # a retry is still recognised
    finally:
        w.close()
