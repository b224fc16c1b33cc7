"""``wams audit verify`` on both backends: an intact history verifies, every direct edit of
the history in the database is found at the right entry (quality goal C6), and destruction
through the API leaves the chain verifiable (R33)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from wams.api import Wams
from wams.cli_storage import audit
from wams.core.clock import Clock
from wams.core.model import Partij, Persoon

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
                            over="jan", doel="zicht op schulden", noodzaak="schuldhulp").allowed
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
    return db_url, _scalar(db_url, "SELECT max(chain_n) FROM history WHERE gemeente = :g", g=G)


def _scalar(url: str, sql: str, **params: object) -> Any:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


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
    assert wams.sluit(G, cid, terugvalafspraken="contact opnemen met wijkteam").allowed
    clock.advance(400)  # past the default bewaartermijn of 12 months (R33)
    assert wams.vernietig(G, cid).allowed
    wams.close()
    erased = _scalar(db_url, "SELECT count(*) FROM history WHERE case_id = :c AND content IS "
                             "NULL AND content_digest <> :e", c=cid,
                     e="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert erased >= 4, "destruction should have emptied the case's history content"

    result = _verify(db_url)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("keten intact\n")

    # A destroyed case is no cover for tampering with another one.
    first = _scalar(db_url, "SELECT min(chain_n) FROM history WHERE case_id = :c", c=kept)
    _tamper(db_url, f"UPDATE history SET content = 'x' WHERE {_ROW}", g=G, n=first)
    assert _verify(db_url).exit_code == 1


def test_bad_arguments_are_one_line_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = _verify(f"sqlite:///{tmp_path / 'nope.db'}")
    assert missing.exit_code == 2 and "bestaat niet" in missing.output
    bad = _verify(f"sqlite:///{tmp_path / 'x.db'}", "--gemeente", "Rotterdam")
    assert bad.exit_code == 2 and "4 cijfers" in bad.output
