"""What ``wams db`` and ``wams audit`` do, a Python caller does with the same public class
(:class:`wams.api_database.Database`), on both backends: the schema version, the model check,
the audit of the chains, an anchor and its check; a DBA's edit is found the same way, and no
anchor is signed over a broken chain."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from wams.api import Wams
from wams.api_database import Database
from wams.core.model import Persoon

G = "0599"
JAN = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam="Jan Bakker", bsn="111222333")


@pytest.fixture
def written(wams: Wams, db_url: str) -> str:
    d = wams.hulpvraag(G, wet="participatiewet", client=JAN, vraag="algemene bijstand",
                       aanleiding="noemt betalingsachterstanden")
    assert d.allowed and d.case_id
    assert wams.domein(G, d.case_id, domein="schuldhulp", reden="achterstanden",
                       client_akkoord=True).allowed
    wams.close()
    return db_url


def test_the_schema_as_the_cli_shows_it(written: str, key_file: str) -> None:
    db = Database(written)
    assert db.revision() == (Database.head(), Database.head())
    assert db.upgrade() == Database.head()  # at head already: nothing to do, nothing lost
    assert db.check() == []
    assert db.missing_file() is None


def test_a_missing_sqlite_file_is_named_not_made(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    assert Database(f"sqlite:///{path}").missing_file() == str(path)
    assert not path.exists()


def test_audit_and_anchor_from_python(written: str, key_file: str) -> None:
    db = Database(written)
    report = db.verify()
    assert report.intact and report.gemeenten == 1 and report.entries > 0
    anchor = db.take_anchor(dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc))
    assert isinstance(anchor, dict)
    text = db.anchor_text(anchor)
    assert json.loads(text) == anchor
    assert db.verify(G, anchors=[("anker.json", text)]).intact


def test_an_edit_behind_wams_back_is_found_and_gets_no_anchor(written: str,
                                                              key_file: str) -> None:
    engine = sa.create_engine(written)
    try:
        with engine.begin() as conn:  # a DBA rewrites a step's code
            assert conn.execute(sa.text("UPDATE history SET code = 'access.denied' "
                                        "WHERE gemeente = :g AND chain_n = 2"),
                                {"g": G}).rowcount == 1
    finally:
        engine.dispose()
    db = Database(written)
    report = db.verify()
    assert not report.intact
    assert [b.line() for b in report.breaks][0].startswith(f"gemeente {G}, regel 2 ")
    refused = db.take_anchor()
    assert not isinstance(refused, dict) and not refused.intact  # the report, no anchor
