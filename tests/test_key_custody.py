"""Keys are never made up for data that exists, and anchors are signed as a whole (issue 19).

Tried the way an operator with a lost, replaced or half-restored key file would meet it, and
the way someone editing an anchor file would try it; on both backends."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import actor_keys
from wams.api import Wams
from wams.cli import cli
from wams.core.clock import Clock
from wams.core.model import Persoon
from wams.core.privacy.keystore import FileKeyStore, KeyMissingError
from wams.core.privacy.periods import open_period
from wams.core.privacy.sealing import kek_purpose

G, OTHER = "0599", "0363"
#: the KEK purpose of a case opened on the tests' day (its month of opening, while open)
KEK = kek_purpose(open_period(dt.date(2027, 2, 1)))
JAN = Persoon("jan", bsn="123456782", naam="Jan Sleutel", geboortedatum=dt.date(1980, 1, 2))


def _case(w: Wams, g: str = G) -> str:
    d = w.hulpvraag(g, wet="participatiewet", client=JAN, vraag="bijstand",
                    aanleiding="achterstanden")
    assert d.allowed and d.case_id
    return d.case_id


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def _key_ids(path: str) -> dict[str, dict[str, set[str]]]:
    data = json.loads(Path(path).read_text())["gemeenten"]
    return {g: {p: set(e["keys"]) for p, e in purposes.items()} for g, purposes in data.items()}


def test_a_replaced_key_file_is_one_error_naming_the_key_ids(open_wams: Any, db_url: str,
                                                            key_file: str,
                                                            tmp_path: Path) -> None:
    w = open_wams()
    _case(w)
    w.close()
    used = _key_ids(key_file)[G]
    # Another installation's key file, with keys of its own for the same municipality.
    other = tmp_path / "andere.keys"
    for purpose in (KEK, "pseudonym", "chain"):
        FileKeyStore(other).current(G, purpose)
    before = other.read_bytes()
    with pytest.raises(KeyMissingError) as raised:
        Wams.open(db_url, key_file=str(other))
    message = str(raised.value)
    for purpose in (KEK, "pseudonym", "chain"):
        (key_id,) = used[purpose]
        assert f"{G} {purpose} {key_id}" in message
    # Every command that needs the keys says so, exit 2, and no key is made or replaced.
    for args in (["inzage", "--gemeente", G, "--bsn", JAN.bsn, "--verzoek", "V-1"],
                 ["case", "list", "--gemeente", G],
                 ["audit", "verify"], ["audit", "anchor"], ["keys", "rotate"],
                 ["keys", "init", "--gemeente", G], ["retention", "run", "--dry-run"]):
        result = CliRunner(env={"WAMS_KEY_FILE": str(other)}).invoke(
            cli, [*args, "--db", db_url])
        assert result.exit_code == 2, (args, result.output)
        assert "andere.keys" in result.output and "Traceback" not in result.output, args
    assert other.read_bytes() == before


def test_a_lost_or_partial_key_file_makes_no_new_keys(open_wams: Any, db_url: str,
                                                      key_file: str) -> None:
    w = open_wams()
    _case(w)
    w.inzage_persoon(G, bsn=JAN.bsn, actor="fg", verzoek="V-1")
    w.close()
    full = Path(key_file).read_text()
    # Partial: the pseudonym keys were not restored. The access report would otherwise
    # find nobody (a new pseudonym key) and say so with exit 0.
    data = json.loads(full)
    del data["gemeenten"][G]["pseudonym"]
    Path(key_file).write_text(json.dumps(data))
    result = _cli("inzage", "--db", db_url, "--gemeente", G, "--bsn", JAN.bsn,
                  "--verzoek", "V-2")
    assert result.exit_code == 2 and f"{G} pseudonym " in result.output, result.output
    assert "pseudonym" not in json.loads(Path(key_file).read_text())["gemeenten"][G]
    # Lost: nothing is created in its place either.
    Path(key_file).unlink()
    result = _cli("case", "list", "--db", db_url, "--gemeente", G)
    assert result.exit_code == 2 and f"{G} chain " in result.output, result.output
    assert not Path(key_file).exists()
    Path(key_file).write_text(full)
    assert _cli("case", "list", "--db", db_url, "--gemeente", G).exit_code == 0


def test_keys_init_makes_keys_for_a_new_municipality_only(open_wams: Any, db_url: str,
                                                          key_file: str) -> None:
    w = open_wams()
    _case(w)
    w.close()
    result = _cli("keys", "init", "--db", db_url, "--gemeente", OTHER)
    assert result.exit_code == 0, result.output
    made = _key_ids(key_file)[OTHER]
    # The command runs today: the KEK of this month's open records.
    this_month = kek_purpose(open_period(dt.datetime.now(dt.timezone.utc).date()))
    assert set(made) == {this_month, "pseudonym", "chain"}
    for purpose, ids in made.items():
        assert f"{OTHER} {purpose}: {next(iter(ids))}" in result.output
    # Again: the same keys, nothing new.
    assert _cli("keys", "init", "--db", db_url, "--gemeente", OTHER).exit_code == 0
    assert _key_ids(key_file)[OTHER] == made
    # The first write of the new municipality uses them (its KEK: that of its own month).
    w = open_wams(clock=Clock())
    _case(w, OTHER)
    w.close()
    assert _key_ids(key_file)[OTHER] == made


def _anchor(url: str, path: Path) -> str:
    result = _cli("audit", "anchor", "--db", url, "--out", str(path))
    assert result.exit_code == 0, result.output
    return str(path)


def test_an_anchor_is_signed_as_a_whole(open_wams: Any, db_url: str, tmp_path: Path) -> None:
    w = open_wams()
    _case(w)
    _case(w, OTHER)
    w.close()
    path = _anchor(db_url, tmp_path / "anker.json")
    assert _cli("audit", "verify", "--db", db_url, "--anchor", path).exit_code == 0
    data = json.loads(Path(path).read_text())
    assert {h["gemeente"] for h in data["koppen"]} == {G, OTHER}
    forgeries = {
        "een kop weg": {**data, "koppen": data["koppen"][:1]},
        "de andere kop weg": {**data, "koppen": data["koppen"][1:]},
        "alle koppen weg": {**data, "koppen": []},
        "een kop dubbel": {**data, "koppen": [*data["koppen"], data["koppen"][0]]},
        "tijd verschoven": {**data, "gemaakt_op": "2020-01-01T00:00:00Z"},
    }
    for name, forged in forgeries.items():
        target = tmp_path / f"{name}.json"
        target.write_text(json.dumps(forged))
        result = _cli("audit", "verify", "--db", db_url, "--anchor", str(target))
        assert result.exit_code == 2, (name, result.output)
        assert "anker" in result.output and "keten intact" not in result.output, name


def test_audit_anchor_verifies_the_chain_before_it_signs(open_wams: Any, db_url: str,
                                                         tmp_path: Path) -> None:
    w = open_wams()
    _case(w)
    w.close()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE history SET code = 'vervalst' WHERE chain_n = 1 "
                             "AND gemeente = :g"), {"g": G})
    engine.dispose()
    out = tmp_path / "anker.json"
    result = _cli("audit", "anchor", "--db", db_url, "--out", str(out))
    assert result.exit_code == 1 and "geen anker gemaakt" in result.output, result.output
    assert not out.exists()


# -- the data keys and unreadable values under the audit -----------------------------------------


def _sql(url: str, statement: str, **params: object) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement), params)
    engine.dispose()


def _verify_fails(url: str) -> str:
    result = _cli("audit", "verify", "--db", url)
    assert result.exit_code == 1, result.output
    assert "interne fout" not in result.output and "Traceback" not in result.output
    return result.output


def test_deleting_a_data_key_is_caught_by_the_audit(open_wams: Any, db_url: str) -> None:
    from wams.core.commands import Melder

    w = open_wams()
    cid = _case(w)
    w.melding(G, melder=Melder("burger", "Iemand"), over=JAN, zorg="zorgen")
    w.close()
    assert _cli("audit", "verify", "--db", db_url).exit_code == 0
    # A DBA "destroys" the case by deleting its data key: no proof, and the audit says so.
    _sql(db_url, "DELETE FROM data_keys WHERE id = (SELECT data_key FROM cases WHERE id = :c)",
         c=cid)
    _sql(db_url, "DELETE FROM data_keys WHERE id IN (SELECT data_key FROM meldingen)")
    output = _verify_fails(db_url)
    assert f"casus {cid}" in output and "gegevenssleutel" in output, output
    assert "melding " in output, output


def test_an_unreadable_value_is_named_by_its_row(open_wams: Any, db_url: str) -> None:
    w = open_wams()
    cid = _case(w)
    w.close()
    _sql(db_url, "UPDATE history SET content_salt = 'zout!' WHERE gemeente = :g AND chain_n = 1",
         g=G)
    output = _verify_fails(db_url)
    assert "history seq" in output and "content_salt 'zout!'" in output, output
    if db_url.startswith("sqlite"):  # PostgreSQL refuses a date that is no date itself
        _sql(db_url, "UPDATE cases SET opened_on = 'gisteren' WHERE id = :c", c=cid)
        output = _verify_fails(db_url)
        assert f"cases id {cid}" in output and "opened_on 'gisteren'" in output, output


# -- sealed values tampered with by someone without the keys ------------------------------------


def test_plain_text_where_a_sealed_value_belongs_is_refused(open_wams: Any,
                                                            db_url: str) -> None:
    from wams.core.errors import WamsError

    w = open_wams()
    cid = _case(w)
    other = _case(w)
    plain = w.case(G, cid, actor="x", purpose="behandeling")
    w.close()
    from wams.core.serialize import case_to_json

    # A DBA writes a case state of his own making, in clear, without any key.
    _sql(db_url, "UPDATE cases SET state = :s WHERE id = :c", s=case_to_json(plain), c=cid)
    # And moves another case's sealed state onto a third row.
    _sql(db_url, "UPDATE cases SET state = (SELECT state FROM cases WHERE id = :o) "
                 "WHERE id = :c", o=cid, c=other)
    w = open_wams()
    # (the row is not the one the chain committed to: refused before it is even opened)
    with pytest.raises(WamsError, match="hashketen vastlegde"):
        w.case(G, cid, actor="x", purpose="behandeling")
    with pytest.raises(WamsError):
        w.case(G, other, actor="x", purpose="behandeling")
    result = _cli("inzage", "--db", db_url, "--gemeente", G, "--bsn", JAN.bsn,
                  "--verzoek", "V-9")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output


# -- rotation with a second process running ------------------------------------------------------

SECOND_PROCESS = """
import datetime as dt, sys
from wams.api import Wams
from wams.core.clock import Clock
from wams.core.model import Persoon
jan = Persoon("jan", bsn="123456782", naam="Jan Sleutel", geboortedatum=dt.date(1980, 1, 2))
w = Wams.open(sys.argv[1], key_file=sys.argv[2], clock=Clock(dt.date(2027, 2, 1)))
def case():
    d = w.hulpvraag("0599", wet="participatiewet", client=jan, vraag="bijstand",
                    aanleiding="achterstanden")
    assert d.allowed
    return d.case_id
print(case(), flush=True)
for line in sys.stdin:  # one case per line, after the other process rotated
    print(case(), flush=True)
    print(w.case("0599", line.strip(), actor="x", purpose="behandeling").id, flush=True)
w.close()
"""


def test_rotation_with_a_second_process_running_loses_nothing(open_wams: Any, db_url: str,
                                                              key_file: str) -> None:
    import subprocess
    import sys

    w = open_wams()
    first = _case(w)
    old_kek = w.engine.keys.current(G, KEK).id
    w.close()
    proc = subprocess.Popen([sys.executable, "-c", SECOND_PROCESS, db_url, key_file],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        theirs = [proc.stdout.readline().strip()]
        rotated = _cli("keys", "rotate", "--db", db_url)
        assert rotated.exit_code == 0, rotated.output
        # The running process notices the new KEK: its next data key is wrapped by it.
        proc.stdin.write(first + "\n")
        proc.stdin.flush()
        theirs.append(proc.stdout.readline().strip())
        assert proc.stdout.readline().strip() == first  # and reads the re-wrapped case
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    new_kek = FileKeyStore(key_file).current(G, KEK).id
    assert new_kek != old_kek
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        keks = {r[0] for r in conn.execute(sa.text("SELECT kek_id FROM data_keys"))}
    engine.dispose()
    assert keks == {new_kek}
    # Retiring the old KEK is allowed now, and loses nothing.
    refused = _cli("keys", "retire", "--db", db_url, "--gemeente", G, "--sleutel", new_kek)
    # the three cases' keys and the register of actors' (one per actor)
    held = 3 + actor_keys(db_url)
    assert refused.exit_code == 2 and f"verpakt nog {held}" in refused.output, refused.output
    retired = _cli("keys", "retire", "--db", db_url, "--gemeente", G, "--sleutel", old_kek)
    assert retired.exit_code == 0, retired.output
    assert old_kek not in _key_ids(key_file)[G][KEK]
    w = open_wams()
    for cid in (first, *theirs):
        case = w.case(G, cid, actor="x", purpose="behandeling")
        assert case.persons["jan"].persoon.naam == JAN.naam


def test_a_kek_still_in_use_is_not_retired(open_wams: Any, db_url: str,
                                           key_file: str) -> None:
    w = open_wams()
    _case(w)
    old_kek = w.engine.keys.current(G, KEK).id
    # A rotation in the key store alone (a plugin's, or by hand): the data keys still use
    # the old KEK, so it cannot be retired, and rotate says what still uses it.
    FileKeyStore(key_file).rotate(G, KEK)
    w.close()
    refused = _cli("keys", "retire", "--db", db_url, "--gemeente", G, "--sleutel", old_kek)
    held = 1 + actor_keys(db_url)  # the case's key and the register of actors'
    assert refused.exit_code == 2 and f"verpakt nog {held}" in refused.output, refused.output
    assert old_kek in _key_ids(key_file)[G][KEK]
    rotated = _cli("keys", "rotate", "--db", db_url)
    assert "geen gegevenssleutel gebruikt nog een oude sleutel" in rotated.output
    assert _cli("keys", "retire", "--db", db_url, "--gemeente", G,
                "--sleutel", old_kek).exit_code == 0


def test_an_idempotency_key_is_kept_as_a_keyed_digest(open_wams: Any, db_url: str) -> None:
    from wams.core.errors import InputError

    w = open_wams()
    key = f"hulpvraag {JAN.naam} {JAN.bsn}"
    first = w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="bijstand",
                        aanleiding="achterstanden", idempotency_key=key)
    again = w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="bijstand",
                        aanleiding="achterstanden", idempotency_key=key)
    assert first.allowed and again.case_id == first.case_id
    with pytest.raises(InputError, match="al gebruikt"):
        w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="iets anders",
                    aanleiding="achterstanden", idempotency_key=key)
    w.close()
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        stored = [r[0] for r in conn.execute(sa.text(
            "SELECT idempotency_key FROM history WHERE idempotency_key IS NOT NULL"))]
    engine.dispose()
    assert len(stored) == 1 and stored[0].startswith("hmac:")
    assert JAN.bsn not in stored[0] and "Sleutel" not in stored[0]
    assert _cli("audit", "verify", "--db", db_url).exit_code == 0


def test_opening_finds_every_key_with_probes_not_scans(
        open_wams: Any, db_url: str, key_file: str) -> None:
    """The open-time key check must not grow with the archive: at a million cases it counted
    the data keys and walked the history for the heads' entries on every open, which kept
    ``wams inzage`` waiting a minute. It skips along ``ix_data_keys_kek`` and probes each
    head; here with two municipalities, a rotated KEK beside the old one, and a DBA's extra
    data key rows of one KEK that must cost nothing more."""
    from wams.core.privacy.keyuse import kek_counts, keks_in_use, keys_in_use

    w = open_wams()
    for _ in range(3):
        _case(w)
    _case(w, OTHER)
    FileKeyStore(key_file).rotate(G, KEK)
    w.close()
    w = open_wams()
    _case(w)  # wrapped by the new KEK; the first three keep the old one
    with w.engine.unit_of_work(None) as uow:
        conn = uow.store.conn
        kek = conn.execute(sa.text("SELECT kek_id, period FROM data_keys WHERE gemeente = :g"),
                           {"g": OTHER}).first()
        for i in range(50):  # many data keys of one KEK (raw rows, outside the chain)
            conn.execute(sa.text("INSERT INTO data_keys (id, gemeente, kek_id, wrapped, period) "
                                 "VALUES (:i, :g, :k, 'x', :p)"),
                         {"i": f"extra{i:027d}", "g": OTHER, "k": kek[0], "p": kek[1]})
        statements: list[tuple[str, Any]] = []
        listen = lambda *a: statements.append((a[2], a[3]))  # noqa: E731
        sa.event.listen(conn, "before_cursor_execute", listen)
        try:
            found = keks_in_use(conn)
            probes = len(statements)
            used = keys_in_use(conn)
        finally:
            sa.event.remove(conn, "before_cursor_execute", listen)
        assert sorted(found) == sorted(kek_counts(conn))
        assert len({k for g, p, k in found if g == G and p == KEK}) == 2  # old and rotated
        assert probes == len(found) + 1  # one probe per KEK and the last, empty one
        assert {p for _, p, _ in used} >= {"chain", "pseudonym", KEK}
        assert {g for g, _, _ in used} == {G, OTHER}
        if conn.dialect.name == "sqlite":  # index searches, or the first entry of an index
            for sql, params in statements:
                for step in (str(r[-1]) for r in conn.exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + sql, params)):
                    scans = step.startswith("SCAN") and not step.startswith("SCAN chain_heads")
                    assert not scans or ("USING" in step and "LIMIT" in sql), (sql, step)
