"""``wams audit verify`` on both backends: an intact history verifies, every direct edit of
the history in the database is found at the right entry (quality goal C6), and destruction
through the API leaves the chain verifiable (R33)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import raw_sql, raw_value
from wams.api import Wams
from wams.cli.storage import audit
from wams.core.clock import Clock
from wams.core.commands import Melder
from wams.core.model import Partij, Persoon
from wams.core.storage import chain

G, OTHER = "0599", "0363"
JAN = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam="Jan Bakker", bsn="111222333")
KREDIETBANK = Partij("kredietbank", "wgs.schuldhulpverlener")


def _case(w: Wams, g: str) -> str:
    """A short case with an accepted and a refused step, so rows have content and not."""
    d = w.hulpvraag(g, wet="participatiewet", client=JAN, vraag="algemene bijstand",
                    aanleiding="noemt betalingsachterstanden")
    assert d.allowed and d.case_id
    cid = d.case_id
    assert w.domein(g, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True).allowed
    assert not w.domein(g, cid, domein="jeugdhulp", reden=None).allowed  # R04: refused
    assert w.vraag_gegevens(g, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht",
                            over="jan", doel="onderzoek", toelichting="zicht op schulden",
                            noodzaak="schuldhulp").allowed
    return cid


def _verify(url: str, *args: str) -> Any:
    return CliRunner().invoke(audit, ["verify", "--db", url, *args])


@pytest.fixture
def built(wams: Wams, db_url: str) -> tuple[str, int]:
    """Two cases in 0599, one in 0363; returns the URL and the length of 0599's chain."""
    _case(wams, G)
    _case(wams, G)
    _case(wams, OTHER)
    wams.close()
    return db_url, raw_value(db_url, "SELECT max(chain_n) FROM history WHERE gemeente = :g",
                             g=G)


def _tamper(url: str, sql: str, **params: object) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            assert result.rowcount == 1, f"tampering touched {result.rowcount} rows: {sql}"
    finally:
        engine.dispose()


def test_intact_history_verifies(built: tuple[str, int]) -> None:
    url, n = built
    result = _verify(url)
    assert result.exit_code == 0, result.output
    assert result.output == f"2 gemeenten, {n + 4} regels: keten intact\n"
    one = _verify(url, "--gemeente", OTHER)
    assert one.output == "1 gemeente, 4 regels: keten intact\n"


_ROW = "gemeente = :g AND chain_n = :n"

# (tampering SQL, chain_n of the entry reported, words in the report); {n} is the last entry.
TAMPERING: dict[str, tuple[str, Callable[[int], int | None], str]] = {
    "content changed": (
        # The content is sealed: one more character breaks its digest (and its tag).
        f"UPDATE history SET content = content || 'A' WHERE {_ROW}",
        lambda n: 1, "inhoud gewijzigd"),
    "content erased outside destruction": (
        f"UPDATE history SET content = NULL, content_salt = NULL WHERE {_ROW}",
        lambda n: 1, "inhoud gewist"),
    "code changed": (
        f"UPDATE history SET code = 'ok' WHERE {_ROW}", lambda n: 3, "regel gewijzigd"),
    "decision changed": (
        f"UPDATE history SET decision = replace(decision, '\"ok\"', '\"nee\"') WHERE {_ROW}",
        lambda n: 2, "regel gewijzigd"),
    "middle row deleted": (
        f"DELETE FROM history WHERE {_ROW}", lambda n: 3, "regel 2 ontbreekt"),
    "prev_hash changed": (
        f"UPDATE history SET prev_hash = :fake WHERE {_ROW}", lambda n: 3, "prev_hash wijkt af"),
    "last row deleted": (
        f"DELETE FROM history WHERE {_ROW}", lambda n: None, "ontbreekt (verwijderd)"),
    "head deleted": (
        "DELETE FROM chain_heads WHERE gemeente = :g", lambda n: None, "kop van de keten"),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_every_direct_edit_is_found(built: tuple[str, int], kind: str) -> None:
    url, n = built
    sql, reported, words = TAMPERING[kind]
    # Which row to touch: the reported one, except a deleted row (the next one reports it) and
    # a deleted tail (the head reports it).
    target = {"middle row deleted": 2, "last row deleted": n}.get(kind, reported(n))
    params: dict[str, object] = {"g": G, "n": target, "fake": "f" * 64}
    if kind == "head deleted":
        params = {"g": G}
    _tamper(url, sql, **params)

    result = _verify(url)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-1].endswith("keten verbroken")
    assert len(lines) == 2, "only the tampered municipality is broken, once"
    expected_n = reported(n)
    where = f"regel {expected_n} (seq " if expected_n is not None else "kop van de keten"
    assert lines[0].startswith(f"gemeente {G}, {where}"), lines[0]
    assert words in lines[0]
    # The other municipality still verifies on its own.
    assert _verify(url, "--gemeente", OTHER).exit_code == 0


def test_destruction_keeps_the_chain_verifiable(wams: Wams, db_url: str, clock: Clock) -> None:
    cid = _case(wams, G)
    kept = _case(wams, G)
    assert wams.sluit(G, cid, terugvalafspraken="contact opnemen met wijkteam",
                      reden="cliënt verhuist").allowed
    clock.advance(400)  # past the default bewaartermijn of 12 months (R33)
    assert wams.vernietig(G, cid).allowed
    wams.close()
    erased = raw_value(db_url, "SELECT count(*) FROM history WHERE case_id = :c AND content IS "
                             "NULL AND content_digest <> :e", c=cid,
                     e="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert erased >= 4, "destruction should have emptied the case's history content"

    result = _verify(db_url)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("keten intact\n")

    # A destroyed case is no cover for tampering with another one.
    first = raw_value(db_url, "SELECT min(chain_n) FROM history WHERE case_id = :c", c=kept)
    _tamper(db_url, f"UPDATE history SET content = 'x' WHERE {_ROW}", g=G, n=first)
    assert _verify(db_url).exit_code == 1


# -- an attacker with write access to the database (quality goal C6) ---------------------------
#
# Everything below is done with raw SQL on the database file or server, as a DBA, a
# compromised application account or a doctored backup would. Edits that leave the chain
# internally consistent ("rehash the chain, move the head, renumber") come in two strengths:
# without the chain key (plain SHA-256, what the chain was before) the keyed hashes reject
# them; with a stolen key only an anchor taken earlier catches them.

POLITIE = Partij("politie", "aanpalend.politie")
WIJKTEAM = Partij("wijkteam", "wmo.wijkteam")


@pytest.fixture
def rich(wams: Wams, db_url: str, clock: Clock) -> tuple[str, dict[str, Any]]:
    """0599 with everything the rules rely on: cases (one with an objection, one closed),
    an involvement, a melding, a setting, register versions, processing-log rows, a read;
    0363 with one case. Returns the URL and the ids."""
    cid = _case(wams, G)
    # The case as it was before the objection: genuine once, so a replay of it is the
    # "reset" someone without the keys can make of a sealed state.
    before = wams.engine.db.connect()
    try:
        old_state, old_version = before.execute(sa.text(
            "SELECT state, version FROM cases WHERE id = :c"), {"c": cid}).one()
    finally:
        before.close()
    assert wams.bezwaar(G, cid, persoon="jan").allowed  # R09: objection recorded
    closed = _case(wams, G)
    assert wams.sluit(G, closed, terugvalafspraken="contact opnemen met wijkteam",
                      reden="cliënt verhuist").allowed
    assert wams.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN,
                              dienst="wmo.maatwerkvoorziening").allowed
    melding = wams.melding(G, melder=Melder("burger", "Piet Buur"), over=JAN,
                           zorg="post stapelt zich op")
    assert melding.allowed
    wams.set_setting(G, "bewaartermijn_maanden", 24)
    wams.case(G, cid, actor="ambtenaar", purpose="behandeling")  # a logged read
    _case(wams, OTHER)
    wams.close()
    return db_url, {"case": cid, "closed": closed, "old_state": old_state,
                    "old_version": old_version}


def _sql(url: str, *statements: str, **params: object) -> None:
    """Run statements in one transaction; each must touch at least one row."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for sql in statements:
                result = conn.execute(sa.text(sql), params)
                assert result.rowcount != 0, f"tampering touched nothing: {sql}"
    finally:
        engine.dispose()


def _broken(url: str, *args: str) -> str:
    """The report of a verify that must fail: its problem lines (0363 never among them)."""
    result = _verify(url, *args)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[-1].endswith("keten verbroken"), result.output
    assert lines[:-1] and all(line.startswith(f"gemeente {G}, ") for line in lines[:-1]), \
        result.output
    return "\n".join(lines[:-1])


def _key_file() -> str:
    import os

    return os.environ["WAMS_KEY_FILE"]


def _plain_sha256(_g: str, values: dict[str, Any]) -> str:
    """What the chain was before it was keyed: what an attacker without the key can do."""
    parts = (values["prev_hash"], values["gemeente"], str(values["chain_n"]),
             values["case_id"] or "", chain.canonical(values["at"]), values["step"],
             "1" if values["allowed"] else "0", values["code"], values["actor"],
             values["trace_id"], values["idempotency_key"] or "", values["decision"],
             values["content_digest"])
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _with_stolen_key(g: str, values: dict[str, Any]) -> str:
    """An attacker who also copied the key file and runs wams' own code."""
    from wams.core.privacy.keystore import FileKeyStore

    key = FileKeyStore(_key_file()).get(g, chain.PURPOSE, values["key_id"]).material
    names = ("key_id", "prev_hash", "gemeente", "chain_n", "case_id", "at", "step", "allowed",
             "code", "actor", "trace_id", "idempotency_key", "decision", "content_digest",
             "writes_digest", "projection_ref", "projection_digest")
    fields = {n: values[n] for n in names}
    fields["allowed"] = bool(fields["allowed"])
    if isinstance(fields["at"], str):
        fields["at"] = dt.datetime.fromisoformat(fields["at"])
    return chain.entry_hash(key, **fields)


def _rechain(url: str, g: str, mac: Callable[[str, dict[str, Any]], str]) -> None:
    """A consistent rewrite: recompute prev_hash and entry_hash of every row of ``g`` in
    order with ``mac``, and move the head to the last one."""
    rows = [dict(r._mapping) for r in raw_sql(
        url, "SELECT * FROM history WHERE gemeente = :g ORDER BY chain_n", g=g)]
    prev = chain.GENESIS
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for row in rows:
                row["prev_hash"] = prev
                row["entry_hash"] = prev = mac(g, row)
                conn.execute(sa.text("UPDATE history SET prev_hash = :p, entry_hash = :h "
                                     "WHERE seq = :s"),
                             {"p": row["prev_hash"], "h": row["entry_hash"], "s": row["seq"]})
            conn.execute(sa.text("UPDATE chain_heads SET chain_n = :n, entry_hash = :h "
                                 "WHERE gemeente = :g"),
                         {"n": rows[-1]["chain_n"], "h": prev, "g": g})
    finally:
        engine.dispose()


def _renumber_after(url: str, g: str, deleted: int) -> None:
    """Close the gap a deleted entry left: every later entry (and the rows it covers) moves
    down by one, in ascending order so the unique (gemeente, chain_n) never collides."""
    later = [r[0] for r in raw_sql(url, "SELECT chain_n FROM history WHERE gemeente = :g AND "
                                      "chain_n > :n ORDER BY chain_n", g=g, n=deleted)]
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for n in later:
                conn.execute(sa.text("UPDATE history SET chain_n = :m WHERE gemeente = :g "
                                     "AND chain_n = :n"), {"m": n - 1, "g": g, "n": n})
                for table in COVERED_TABLES:
                    conn.execute(sa.text(f"UPDATE {table} SET chain_n = :m WHERE gemeente = "
                                         ":g AND chain_n = :n"), {"m": n - 1, "g": g, "n": n})
    finally:
        engine.dispose()


COVERED_TABLES = ("processing_log", "involvements", "melders", "meldingen",
                  "destruction_proofs", "register_versions", "destroyed_rows", "actors",
                  "data_keys")


def _first_refusal(url: str) -> int:
    return raw_sql(url, "SELECT min(chain_n) FROM history WHERE gemeente = :g AND allowed = "
                      ":f", g=G, f=False)[0][0]


def _anchor(url: str, path: Any) -> str:
    result = CliRunner().invoke(audit, ["anchor", "--db", url, "--out", str(path)])
    assert result.exit_code == 0, result.output
    return str(path)


def test_an_honest_rich_database_verifies(rich: tuple[str, dict[str, Any]]) -> None:
    url, _ = rich
    result = _verify(url)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("keten intact\n")


def test_reads_settings_and_register_versions_are_history_entries(
        rich: tuple[str, dict[str, Any]]) -> None:
    url, _ = rich
    steps = {r[0] for r in raw_sql(url, "SELECT step FROM history WHERE gemeente = :g", g=G)}
    assert {"instelling", "raadplegen"} <= steps
    # Every covered row names the entry that wrote it; none is left without one.
    for table in COVERED_TABLES:
        assert not raw_sql(url, f"SELECT 1 FROM {table} WHERE chain_n IS NULL"), table
    assert raw_sql(url, "SELECT count(*) FROM register_versions")[0][0] > 0
    setting = raw_sql(url, "SELECT content FROM history WHERE step = 'instelling'")[0][0]
    assert json.loads(setting) == {"key": "bewaartermijn_maanden", "value": "24"}


# (statements, words in the report); :g is 0599, :fake a well-formed foreign hash.
WITHOUT_KEY: dict[str, tuple[tuple[str, ...], str]] = {
    "log purpose changed": (
        ("UPDATE processing_log SET purpose = 'iets anders' WHERE id = (SELECT min(id) FROM "
         "processing_log WHERE gemeente = :g)",), "de rijen die deze regel vastlegde"),
    "log recipient changed": (
        ("UPDATE processing_log SET recipient = 'de buren' WHERE id = (SELECT min(id) FROM "
         "processing_log WHERE gemeente = :g AND recipient IS NOT NULL)",),
        "de rijen die deze regel vastlegde"),
    "one log row deleted": (
        ("DELETE FROM processing_log WHERE id = (SELECT max(id) FROM processing_log WHERE "
         "gemeente = :g)",), "de rijen die deze regel vastlegde"),
    "the whole log deleted": (("DELETE FROM processing_log WHERE gemeente = :g",),
                              "de rijen die deze regel vastlegde"),
    "objection reset in the projection (the state before it put back)": (
        ("UPDATE cases SET state = :old_state, version = :old_version WHERE id = :case",),
        "wijkt af van wat regel"),
    "closed_on backdated": (
        ("UPDATE cases SET closed_on = '2020-01-01' WHERE gemeente = :g AND closed_on IS NOT "
         "NULL",), "wijkt af van wat regel"),
    "phase changed": (
        ("UPDATE cases SET phase = 'afgesloten' WHERE gemeente = :g AND closed_on IS NULL",),
        "wijkt af van wat regel"),
    "case row deleted": (
        ("DELETE FROM cases WHERE gemeente = :g AND closed_on IS NOT NULL",),
        "de casus is verwijderd"),
    "case row inserted": (
        ("INSERT INTO cases (id, gemeente, route, wet, phase, version, opened_on, state) "
         "VALUES ('f0f0', :g, 'B', NULL, 'beoordeling', 1, '2027-01-01', '{}')",),
        "geen historieregel legt deze casus vast"),
    "bewaartermijn set to 0": (
        ("UPDATE settings SET value = '0' WHERE gemeente = :g",), "instelling"),
    "setting deleted": (("DELETE FROM settings WHERE gemeente = :g",),
                        "de instelling is verwijderd"),
    "setting inserted": (
        ("INSERT INTO settings (gemeente, key, value) VALUES (:g, 'extra', '0')",),
        "geen historieregel legt deze instelling vast"),
    "fake destruction without proof": (
        ("UPDATE history SET content = NULL, content_salt = NULL WHERE gemeente = :g AND "
         "case_id = (SELECT id FROM cases WHERE gemeente = :g AND closed_on IS NOT NULL)",
         "UPDATE cases SET phase = 'vernietigd', destroyed_on = '2027-02-01', state = '{}' "
         "WHERE gemeente = :g AND closed_on IS NOT NULL"),
        "zonder bewijs van vernietiging"),
    "forged police involvement (no entry)": (
        ("INSERT INTO involvements (gemeente, party_ref, party_soort, subject, at, data_key, "
         "content) SELECT gemeente, 'politie', 'aanpalend.politie', subject, at, data_key, "
         "content FROM involvements WHERE gemeente = :g",), "noemt geen historieregel"),
    "forged police involvement (an entry's number)": (
        ("INSERT INTO involvements (gemeente, party_ref, party_soort, subject, at, data_key, "
         "content, chain_n) SELECT gemeente, 'politie', 'aanpalend.politie', subject, at, "
         "data_key, content, chain_n FROM involvements WHERE gemeente = :g",),
        "de rijen die deze regel vastlegde"),
    "involvement moved to another person": (
        ("UPDATE involvements SET subject = 'ander' WHERE gemeente = :g",),
        "de rijen die deze regel vastlegde"),
    "melder name changed": (("UPDATE melders SET naam = 'Iemand Anders' WHERE gemeente = :g",),
                            "de rijen die deze regel vastlegde"),
    "melding changed": (("UPDATE meldingen SET content = content || 'A' WHERE gemeente = :g",),
                        "de rijen die deze regel vastlegde"),
    "melding deleted": (("DELETE FROM melders WHERE gemeente = :g",
                         "DELETE FROM meldingen WHERE gemeente = :g"),
                        "de rijen die deze regel vastlegde"),
    "register version altered": (
        ("UPDATE register_versions SET content = replace(content, 'P12M', 'P0M') WHERE id = "
         "(SELECT min(id) FROM register_versions WHERE gemeente = :g)",),
        "de rijen die deze regel vastlegde"),
    "register version added": (
        ("INSERT INTO register_versions (gemeente, activity, version, digest, valid_from, "
         "content) VALUES (:g, 'onderzoek', 99, 'x', '2027-01-01', '{}')",),
        "noemt geen historieregel"),
    "rewritten content rehashed with plain SHA-256": (
        ("UPDATE history SET content = replace(content, 'jan', 'piet'), content_digest = "
         "'0' WHERE gemeente = :g AND chain_n = 1",), "sleutelhash klopt niet"),
    "entry forged with a foreign key id": (
        ("UPDATE history SET key_id = 'gestolen', code = 'ok' WHERE gemeente = :g AND "
         "chain_n = 3",), "ketensleutel gestolen ontbreekt"),
}


@pytest.mark.parametrize("kind", list(WITHOUT_KEY))
def test_edits_without_the_key_are_found(rich: tuple[str, dict[str, Any]], kind: str) -> None:
    url, ids = rich
    statements, words = WITHOUT_KEY[kind]
    _sql(url, *statements, g=G, **ids)
    if kind.startswith("rewritten content rehashed"):
        # The attacker fixes the digest and rehashes the whole chain, head included.
        row = raw_sql(url, "SELECT content, content_salt FROM history WHERE gemeente = :g AND "
                         "chain_n = 1", g=G)[0]
        _sql(url, "UPDATE history SET content_digest = :d WHERE gemeente = :g AND chain_n = 1",
             g=G, d=chain.content_digest(row[0], row[1]))
        _rechain(url, G, _plain_sha256)
    report = _broken(url)
    assert words in report, report
    assert _verify(url, "--gemeente", OTHER).exit_code == 0


def test_a_deleted_refusal_renumbered_and_rehashed_without_the_key(
        rich: tuple[str, dict[str, Any]]) -> None:
    url, _ = rich
    refusal = _first_refusal(url)
    _sql(url, "DELETE FROM history WHERE gemeente = :g AND chain_n = :n", g=G, n=refusal)
    _renumber_after(url, G, refusal)
    _rechain(url, G, _plain_sha256)
    report = _broken(url)
    assert "regel 1 (seq" in report and "sleutelhash klopt niet" in report


# -- with a stolen key: only an anchor taken before catches it ------------------------------------


def _truncate_tail(url: str) -> None:
    """Delete the last entry (the logged read) with the rows it wrote and move the head back:
    a shorter chain that is valid in itself, no key needed."""
    last = raw_sql(url, "SELECT max(chain_n) FROM history WHERE gemeente = :g", g=G)[0][0]
    prev = raw_sql(url, "SELECT entry_hash FROM history WHERE gemeente = :g AND chain_n = :n",
                 g=G, n=last - 1)[0][0]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in COVERED_TABLES:  # its log rows and the register versions it synced
            conn.execute(sa.text(f"DELETE FROM {table} WHERE gemeente = :g AND chain_n = :n"),
                         {"g": G, "n": last})
    engine.dispose()
    _sql(url, "DELETE FROM history WHERE gemeente = :g AND chain_n = :n",
         "UPDATE chain_heads SET chain_n = :n - 1, entry_hash = :h WHERE gemeente = :g",
         g=G, n=last, h=prev)


def _rewrite_with_key(url: str) -> None:
    """Change a refusal's code and rehash everything with the stolen key."""
    _sql(url, "UPDATE history SET code = 'ok', allowed = :t WHERE gemeente = :g AND "
              "chain_n = :n", g=G, n=_first_refusal(url), t=True)
    _rechain(url, G, _with_stolen_key)


def _delete_refusal_with_key(url: str) -> None:
    refusal = _first_refusal(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # and what it wrote (its actor's register entry, if new)
        for table in COVERED_TABLES:
            conn.execute(sa.text(f"DELETE FROM {table} WHERE gemeente = :g AND chain_n = :n"),
                         {"g": G, "n": refusal})
    engine.dispose()
    _sql(url, "DELETE FROM history WHERE gemeente = :g AND chain_n = :n", g=G, n=refusal)
    _renumber_after(url, G, refusal)
    _rechain(url, G, _with_stolen_key)


CONSISTENT: dict[str, tuple[Callable[[str], None], str]] = {
    "tail truncated and head moved back": (_truncate_tail, "afgekapt"),
    "rewritten and rehashed with the key": (_rewrite_with_key, "herschreven"),
    # The anchored head is now past the end: reported as the chain no longer reaching it.
    "refusal deleted, renumbered, rehashed with the key": (_delete_refusal_with_key,
                                                           "het anker van"),
}


@pytest.mark.parametrize("kind", list(CONSISTENT))
def test_consistent_rewrites_are_caught_by_an_anchor(rich: tuple[str, dict[str, Any]],
                                                     tmp_path: Any, kind: str) -> None:
    url, _ = rich
    anchor_file = _anchor(url, tmp_path / "anker.json")
    attack, words = CONSISTENT[kind]
    attack(url)
    # The chain is valid in itself: without the anchor nothing can tell.
    alone = _verify(url)
    assert alone.exit_code == 0, alone.output
    report = _broken(url, "--anchor", anchor_file)
    assert words in report, report


def test_destroyed_meldingen_and_betrokkenheid_still_verify(wams: Wams, db_url: str,
                                                            clock: Clock) -> None:
    """R33/R34: records outside a case destroyed after their own bewaartermijn leave what
    the chain committed to in ``destroyed_rows``; the chain verifies, and deleting one more
    such row by hand, or forging its destruction record, does not."""
    assert wams.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN,
                              dienst="wmo.maatwerkvoorziening").allowed
    assert wams.melding(G, melder=Melder("burger", "Piet Buur"), over=JAN,
                        zorg="post stapelt zich op").allowed
    assert wams.melding(G, melder=Melder("burger", "Els Buur"), over=JAN,
                        zorg="hond blaft de hele dag").allowed
    clock.advance(400)
    done = wams.retention_run_records(G)
    assert sorted(d["soort"] for d in done if d.get("vernietigd")) == \
        ["betrokkenheid", "melding", "melding"]
    wams.close()
    assert not raw_sql(db_url, "SELECT 1 FROM meldingen")
    assert raw_sql(db_url, "SELECT count(*) FROM destroyed_rows")[0][0] >= 5
    result = _verify(db_url)
    assert result.exit_code == 0, result.output

    # A forged destruction record to cover a deletion by hand: the record itself is covered.
    _sql(db_url, "INSERT INTO destroyed_rows (gemeente, of_chain_n, row_table, digest, "
                 "chain_n) SELECT gemeente, of_chain_n, row_table, digest, NULL FROM "
                 "destroyed_rows WHERE id = (SELECT min(id) FROM destroyed_rows)")
    assert "de rijen die deze regel vastlegde" in _broken(db_url)


def test_a_chain_that_grew_since_its_anchors_verifies(wams: Wams, db_url: str,
                                                      tmp_path: Any) -> None:
    """Anchors before, between and after: an honest chain extends each; destroyed cases
    included (R33)."""
    first = _case(wams, G)
    wams.close()
    a1 = _anchor(db_url, tmp_path / "a1.json")
    w = Wams.open(db_url, clock=Clock(dt.date(2027, 2, 1)))
    assert w.sluit(G, first, terugvalafspraken="contact opnemen met wijkteam",
                      reden="cliënt verhuist").allowed
    w.engine.clock.advance(400)
    assert w.vernietig(G, first).allowed
    _case(w, OTHER)
    w.close()
    a2 = _anchor(db_url, tmp_path / "a2.json")
    result = _verify(db_url, "--anchor", a1, "--anchor", a2)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("2 ankers: keten intact\n")


def test_a_tampered_anchor_is_refused(rich: tuple[str, dict[str, Any]], tmp_path: Any) -> None:
    url, _ = rich
    path = _anchor(url, tmp_path / "anker.json")
    data = json.loads(open(path).read())
    data["koppen"][0]["regels"] -= 2  # backdate the anchor to hide a truncation
    forged = tmp_path / "vervalst.json"
    forged.write_text(json.dumps(data))
    result = _verify(url, "--anchor", str(forged))
    assert result.exit_code == 2 and "handtekening" in result.output
    assert "bestaat al" in CliRunner().invoke(audit, ["anchor", "--db", url, "--out",
                                                      path]).output


def test_anchor_to_stdout_and_through_the_hook(rich: tuple[str, dict[str, Any]],
                                               tmp_path: Any) -> None:
    url, _ = rich
    stored = tmp_path / "worm" / "anker.json"
    stored.parent.mkdir()
    result = CliRunner().invoke(audit, ["anchor", "--db", url, "--hook", f"cat > {stored}"])
    assert result.exit_code == 0, result.output
    anchor = json.loads(result.output)
    assert anchor == json.loads(stored.read_text())
    assert {h["gemeente"] for h in anchor["koppen"]} == {G, OTHER}
    failing = CliRunner().invoke(audit, ["anchor", "--db", url, "--hook", "exit 3"])
    assert failing.exit_code == 2 and "faalde" in failing.output


def test_a_whole_municipality_deleted_is_caught_by_an_anchor(
        rich: tuple[str, dict[str, Any]], tmp_path: Any) -> None:
    url, _ = rich
    anchor_file = _anchor(url, tmp_path / "anker.json")
    for table in ("history", "chain_heads", *COVERED_TABLES, "settings", "cases"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DELETE FROM {table} WHERE gemeente = :g"), {"g": G})
        engine.dispose()
    assert _verify(url).exit_code == 0
    assert "de gemeente ontbreekt" in _broken(url, "--anchor", anchor_file)


def test_bad_arguments_are_one_line_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = _verify(f"sqlite:///{tmp_path / 'nope.db'}")
    assert missing.exit_code == 2 and "bestaat niet" in missing.output
    bad = _verify(f"sqlite:///{tmp_path / 'x.db'}", "--gemeente", "Rotterdam")
    assert bad.exit_code == 2 and "4 cijfers" in bad.output


@contextlib.contextmanager
def mock_batch(size: int) -> Iterator[None]:
    """Report progress every ``size`` entries instead of every 1000 (a real attribute set
    and restored, so a small history shows several progress calls)."""
    from wams.core.storage import audit as checker

    old, checker.BATCH = checker.BATCH, size
    try:
        yield
    finally:
        checker.BATCH = old


def test_progress_is_reported_while_streaming(wams: Wams, db_url: str) -> None:
    from wams.core.privacy.keystore import FileKeyStore
    from wams.core.storage import audit as checker
    from wams.core.storage.database import connect

    for _ in range(3):
        _case(wams, G)
    wams.close()
    seen: list[tuple[int, int]] = []
    engine = connect(db_url)
    try:
        with mock_batch(2):
            report = checker.verify_database(engine, FileKeyStore(_key_file()),
                                             progress=lambda done, total:
                                             seen.append((done, total)))
    finally:
        engine.dispose()
    assert report.intact
    total = report.entries
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) > total // 2 - 1


def test_without_the_chain_key_nothing_verifies(built: tuple[str, int], tmp_path: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = built
    monkeypatch.setenv("WAMS_KEY_FILE", str(tmp_path / "andere.keys"))
    result = _verify(url)
    # A key store without the chain keys is one clear error naming them (exit 2), never a
    # chain verified (or anchored) under keys made up on the spot.
    assert result.exit_code == 2, result.output
    assert "andere.keys" in result.output and "Traceback" not in result.output
    assert f"{G} chain " in result.output and f"{OTHER} chain " in result.output
    assert not (tmp_path / "andere.keys").exists()
    anchored = CliRunner().invoke(audit, ["anchor", "--db", url])
    assert anchored.exit_code == 2 and "handtekening" not in anchored.output


@pytest.mark.parametrize("edit", [
    "DELETE FROM destruction_proofs WHERE gemeente = :g",
    "UPDATE destruction_proofs SET bewaartermijn_maanden = 0 WHERE gemeente = :g",
])
def test_a_proof_of_destruction_changed_or_deleted_is_found(wams: Wams, db_url: str,
                                                             clock: Clock, edit: str) -> None:
    cid = _case(wams, G)
    assert wams.sluit(G, cid, terugvalafspraken="contact opnemen met wijkteam",
                      reden="cliënt verhuist").allowed
    clock.advance(400)
    assert wams.vernietig(G, cid).allowed
    wams.close()
    assert _verify(db_url).exit_code == 0
    _sql(db_url, edit, g=G)
    report = _broken(db_url)
    # The vernietig entry committed to its proof; without one the erased content has none.
    assert "de rijen die deze regel vastlegde" in report or "bewijs van vernietiging" in report
