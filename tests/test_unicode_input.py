"""Text that is not Unicode (a lone UTF-16 surrogate, which a JSON ``"\\ud800"`` or a badly
decoded file yields) is bad input at every door: one clear line naming the key, exit code 2 or
``InputError`` or a 400, and nothing stored — not a crash in the sealing or the JSON writer
after the step was decided. Tried through the Python API (a field, a person's name, the actor,
the access request), an archive file and the HTTP service, on both backends."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from litestar.testing import TestClient

from tests.service_helpers import BODIES, MEDEWERKER, SECRET, step_path
from wams.core.errors import InputError
from wams.core.model import Persoon
from wams.service.app import create_app
from wams.service.auth import Verifier
from wams.testing import test_bsn

G = "0599"
LONE = "\ud800"


def _stored(db_url: str) -> tuple[int, int, int]:
    db = sqlalchemy.create_engine(db_url)
    try:
        with db.connect() as conn:
            return tuple(conn.execute(sqlalchemy.text(f"SELECT count(*) FROM {t}")).scalar_one()
                         for t in ("history", "cases", "processing_log"))  # type: ignore[return-value]
    finally:
        db.dispose()


def _client(**overrides: Any) -> dict[str, Any]:
    return {"client": Persoon(ref="jan", bsn=test_bsn(41), naam=overrides.pop("naam", "Jan")),
            "vraag": "bijstand", "aanleiding": "achterstanden", **overrides}


@pytest.mark.parametrize("overrides, key", [
    ({"vraag": f"bij{LONE}stand"}, "vraag"),
    ({"naam": f"Jan {LONE}"}, "client.naam"),
    ({"aanleiding": f"{chr(0xDC01)}"}, "aanleiding"),
])
def test_a_command_with_a_lone_surrogate_is_input_error_and_stores_nothing(
        open_wams: Any, db_url: str, overrides: dict[str, Any], key: str) -> None:
    w = open_wams()
    before = _stored(db_url)
    with pytest.raises(InputError) as err:
        w.hulpvraag(G, wet="participatiewet", **_client(**overrides))
    assert f"'{key}'" in str(err.value) and "geen Unicode" in str(err.value)
    assert _stored(db_url) == before


def test_an_actor_or_an_access_request_with_a_lone_surrogate_is_input_error(
        open_wams: Any, db_url: str) -> None:
    w = open_wams()
    case_id = w.hulpvraag(G, wet="participatiewet", **_client()).case_id
    before = _stored(db_url)
    with pytest.raises(InputError, match="actor: tekst met een ongeldig teken op positie 5"):
        w.domein(G, case_id, domein="schuldhulp", reden="achterstanden", client_akkoord=True,
                 actor=f"mede{LONE}werker")
    with pytest.raises(InputError, match="actor"):
        w.inzage_persoon(G, bsn=test_bsn(41), actor=f"{LONE}", verzoek="AVG-1")
    assert _stored(db_url) == before


def test_the_texts_beside_a_command_with_a_lone_surrogate_are_input_error(
        open_wams: Any, db_url: str) -> None:
    # Kept as keyed digests (the idempotency key, the access request's reference) or in the
    # log's purpose (a read's toelichting): never a crash in the HMAC, nothing stored.
    w = open_wams()
    case_id = w.hulpvraag(G, wet="participatiewet", **_client()).case_id
    before = _stored(db_url)
    domein = {"domein": "schuldhulp", "reden": "achterstanden", "client_akkoord": True}
    with pytest.raises(InputError, match="idempotency_key: tekst met een ongeldig teken"):
        w.domein(G, case_id, **domein, idempotency_key=f"k-{LONE}")
    with pytest.raises(InputError, match="idempotency_key"), w.batch() as b:
        b.domein(G, case_id, **domein, idempotency_key=f"k-{LONE}")
    with pytest.raises(InputError, match="toelichting: tekst met een ongeldig teken"):
        w.case(G, case_id, actor="medewerker", purpose="behandeling", toelichting=f"x{LONE}")
    with pytest.raises(InputError, match="toelichting"), w.batch() as b:
        b.case(G, case_id, actor="medewerker", purpose="behandeling", toelichting=f"x{LONE}")
    with pytest.raises(InputError, match="verzoek: tekst met een ongeldig teken"):
        w.inzage_persoon(G, bsn=test_bsn(41), actor="fg", verzoek=f"AVG-{LONE}")
    assert _stored(db_url) == before


def test_an_archive_line_with_a_lone_surrogate_stops_with_one_line_and_exit_2(
        tmp_path: Path, db_url: str) -> None:
    record = {"formaat": 2, "scenario": "Z-1", "gemeente": G, "datum": "2026-01-05",
              "personen": {"jan": {"rol": "client", "bsn": test_bsn(42)}},
              "stappen": [{"hulpvraag": {"wet": "participatiewet", "client": "jan",
                                         "vraag": f"bij{LONE}stand",
                                         "aanleiding": "achterstanden"}}]}
    archive = tmp_path / "archief.jsonl"
    # json.dumps writes the surrogate as the escape "\ud800": valid JSON, no Unicode text
    archive.write_text(json.dumps(record) + "\n", encoding="ascii")
    done = subprocess.run([sys.executable, "-c", "from wams.cli import main; main()", "archive",
                           "load", str(archive), "--db", db_url], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "regel 1" in lines[0] and "'vraag'" in lines[0] and "geen Unicode" in lines[0]
    assert _stored(db_url)[1] == 0


def test_an_http_body_with_a_lone_surrogate_is_a_400_and_stores_nothing(
        wams: Any, db_url: str) -> None:
    body = json.dumps({**BODIES["hulpvraag"], "vraag": f"bij{LONE}stand"}).encode()
    assert b"\\ud800" in body
    before = _stored(db_url)
    with TestClient(create_app(wams, Verifier(SECRET))) as client:
        r = client.post(step_path("hulpvraag", None), content=body,
                        headers={**MEDEWERKER, "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert "Traceback" not in r.text and "geen Unicode" in r.json()["detail"]
    assert _stored(db_url) == before
