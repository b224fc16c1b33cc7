"""An engine holds a bounded number of unwrapped data keys (the least recently used dropped
first): a process that touches a whole archive does not keep every record's key in memory,
and a key it dropped is unwrapped again from its row, so every value still opens — and a
destroyed record's key, once dropped, does not come back."""

from __future__ import annotations

from typing import Any

from wams.core.model import Persoon
from wams.core.privacy.sealing import DATA_KEYS_HELD
from wams.testing import test_bsn

G = "0599"


def _open_case(w: Any, i: int) -> str:
    return str(w.hulpvraag(G, wet="participatiewet",
                           client=Persoon(ref="jan", bsn=test_bsn(300 + i), naam=f"Jan {i}"),
                           vraag="bijstand", aanleiding="betalingsachterstanden").case_id)


def test_the_engine_holds_at_most_its_bound_and_every_value_still_opens(open_wams: Any
                                                                        ) -> None:
    w = open_wams()
    assert w.engine.data_keys.bound == DATA_KEYS_HELD
    w.engine.data_keys.bound = 2
    ids = [_open_case(w, i) for i in range(5)]
    assert w.engine.data_keys.held <= 2
    # Each case's state is sealed under its own key: reading it from another engine (which
    # holds nothing) and from this one (which dropped three of the keys) gives the same.
    fresh = open_wams()
    for i, case_id in enumerate(ids):
        ours = w.case(G, case_id, actor="medewerker", purpose="behandeling")
        theirs = fresh.case(G, case_id, actor="medewerker", purpose="behandeling")
        assert ours.persons["jan"].persoon.naam == theirs.persons["jan"].persoon.naam == f"Jan {i}"
        assert w.engine.data_keys.held <= 2
    # A step on a case whose key was dropped seals under the same key, unwrapped again.
    d = w.domein(G, ids[0], domein="schuldhulp", reden="achterstanden", client_akkoord=True)
    assert d.allowed, d
    assert fresh.case(G, ids[0], actor="medewerker", purpose="behandeling").version == \
        d.version


def test_a_dropped_key_of_a_destroyed_record_does_not_come_back(open_wams: Any,
                                                               db_url: str) -> None:
    import sqlalchemy

    w = open_wams()
    w.engine.data_keys.bound = 1
    first = _open_case(w, 0)
    _open_case(w, 1)  # drops the first case's key from memory
    # The first record's key row deleted (as destruction does), behind the engine's back.
    db = sqlalchemy.create_engine(db_url)
    try:
        with db.begin() as conn:
            key = conn.execute(sqlalchemy.text("SELECT data_key FROM cases WHERE id = :i"),
                               {"i": first}).scalar_one()
            conn.execute(sqlalchemy.text("UPDATE cases SET data_key = NULL WHERE id = :i"),
                         {"i": first})
            conn.execute(sqlalchemy.text("DELETE FROM data_keys WHERE id = :k"), {"k": key})
    finally:
        db.dispose()
    with w.engine.unit_of_work(G) as uow:
        assert w.engine.data_keys.cipher(uow.store, key) is None
