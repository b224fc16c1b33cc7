"""Shared helpers for the engine tests: people, parties, case builders and a DB snapshot.

Snapshots read the real database through the engine's own connection (inside its lock), so
they work on file SQLite, in-memory SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select

from wams.api import Wams
from wams.core import commands as c
from wams.core.law.reasons import REASONS
from wams.core.model import Decision, Partij, Persoon
from wams.core.privacy import places
from wams.core.privacy.sealing import is_sealed
from wams.core.serialize import case_to_json
from wams.core.storage import actors as actor_rows
from wams.core.storage import audit
from wams.core.storage import repository as repo
from wams.core.storage.tables import Base

G = "0599"
OTHER_G = "0363"

JAN = Persoon(ref="jan", rol="client", geboortedatum=dt.date(1985, 4, 12), naam="Jan Jansen")
EMMA = Persoon(ref="emma", rol="gezinslid", relatie="kind", geboortedatum=dt.date(2013, 9, 1))
PIET = Persoon(ref="piet", rol="gezinslid", relatie="buurman")

KREDIETBANK = Partij("kredietbank", "wgs.schuldhulpverlener")
WIJKTEAM = Partij("wijkteam", "wmo.wijkteam")
MELDPUNT = Partij("meldpunt", "wmo.meldpunt")
WERK_INKOMEN = Partij("wei", "participatiewet.werk_en_inkomen")
JEUGDHULP = Partij("jha", "jeugdwet.jeugdhulpaanbieder")
SCHOOL = Partij("school", "aanpalend.school")
WONINGCORPORATIE = Partij("corporatie", "aanpalend.woningcorporatie")
POLITIE = Partij("politie", "aanpalend.politie")
HUISARTS = Partij("huisarts", "aanpalend.huisarts")

AFSPRAKEN = c.Afspraken(coordinatie="wijkteam volgt voortgang", evaluatie="na 3 maanden",
                        beeindiging="als schuldregeling loopt")

# -- building cases ---------------------------------------------------------------------------


def ok(d: Decision) -> Decision:
    assert d.allowed, f"{d.step}: {d.code}: {d.message}"
    return d


def route_a(w: Wams, g: str = G, *, aanleiding: bool = True, wet: str = "participatiewet") -> str:
    d = ok(w.hulpvraag(g, wet=wet, client=JAN, vraag="algemene bijstand",
                       aanleiding="noemt betalingsachterstanden" if aanleiding else None))
    assert d.case_id is not None
    return d.case_id


def route_b(w: Wams, g: str = G, *, decide: bool | None = True, inform: bool = True) -> str:
    """A route B case by the wijkteam; ``decide`` None leaves it in beoordeling."""
    ok(w.betrokkenheid(g, partij=WIJKTEAM, persoon=JAN, dienst="wmo.maatwerkvoorziening"))
    d = ok(w.verzoek(g, partij=WIJKTEAM, client=JAN, onderbouwing="dreigende huisuitzetting",
                     indicatoren=["basisbehoeften", "escalatie"], helpt="samenhang"))
    cid = d.case_id
    assert cid is not None
    if decide is None:
        return cid
    ok(w.besluit_verzoek(g, cid, gegrond=decide, motivering="indicatoren basisbehoeften",
                         werkinstructie="werkinstructie v2", indicatoren=["basisbehoeften"]))
    if decide and inform:
        ok(w.informeer(g, cid, personen=["jan"], wijze="brief"))
    return cid


def two_services(w: Wams, cid: str, g: str = G, *, route: str = "A") -> None:
    """Two sociaal-domein services for the cliënt: the werkplan is verplicht (R22)."""
    if route == "B":
        ok(w.dienst(g, cid, persoon="jan", dienst="wmo.maatwerkvoorziening", status="lopend"))
        ok(w.dienst(g, cid, persoon="jan", dienst="wmo.clientondersteuning", status="benodigd"))
        return
    ok(w.domein(g, cid, domein="schuldhulp", reden="betalingsachterstanden",
                client_akkoord=True))
    ok(w.dienst(g, cid, persoon="jan", dienst="participatiewet.algemene_bijstand",
                status="lopend"))
    ok(w.dienst(g, cid, persoon="jan", dienst="wgs.schuldhulpverlening", status="benodigd",
                partij=KREDIETBANK))


def health_request(w: Wams, g: str = G) -> str:
    """A route A case with an open request to the huisarts for the cliënt's health data
    (a category under medical secrecy, R17)."""
    cid = route_a(w, g)
    ok(w.domein(g, cid, domein="geneeskundige_zorg", reden="zorgen over gezondheid",
                client_akkoord=True))
    ok(w.betrek_partij(g, cid, partij=HUISARTS, aanleiding="cliënt noemt de huisarts"))
    ok(w.vraag_gegevens(g, cid, bij=HUISARTS, categorie="aanpalend.gezondheid", over="jan",
                        doel="onderzoek", toelichting="belastbaarheid",
                        noodzaak="passend traject kiezen"))
    return cid


def adopt_werkplan(w: Wams, cid: str, g: str = G) -> Decision:
    return ok(w.werkplan(g, cid, samenhang="schulden verhinderen uitstroom",
                         coordinatie_helpt=True, afspraken=AFSPRAKEN))


def build(w: Wams, phase: str, *, route: str = "A", g: str = G) -> str:
    """A case of ``route`` in ``phase``, built through the public API only."""
    if phase == "intake":
        assert route == "A"
        return route_a(w, g, aanleiding=False)
    if phase == "beoordeling":
        return route_b(w, g, decide=None)
    if phase == "afgewezen":
        return route_b(w, g, decide=False)
    cid = route_a(w, g) if route == "A" else route_b(w, g)
    if phase == "onderzoek":
        return cid
    if phase == "afgesloten":
        ok(w.sluit(g, cid, terugvalafspraken=None, reden="geen meervoudige problematiek"))
        return cid
    if phase == "vernietigd":
        ok(w.sluit(g, cid, terugvalafspraken=None, reden="geen meervoudige problematiek"))
        w.clock.advance(400)
        ok(w.vernietig(g, cid))
        return cid
    two_services(w, cid, g, route=route)
    ok(w.terugkoppeling(g, cid, samenvatting="twee diensten, samenhang"))
    if phase == "werkplan":
        return cid
    adopt_werkplan(w, cid, g)
    ok(w.coordinator(g, cid, type="ambtenaar", wie="M. de Vries"))
    assert phase == "coordinatie", phase
    return cid


# -- canonical, well-formed commands per in-case step ----------------------------------------


def step_calls(g: str) -> dict[str, Callable[[Any, str], Decision]]:
    """One well-formed call per in-case step, for municipality ``g``."""
    return {
        "aanleiding": lambda w, cid: w.aanleiding(g, cid, omschrijving="noemt schulden"),
        "besluit_verzoek": lambda w, cid: w.besluit_verzoek(
            g, cid, gegrond=True, motivering="indicatoren", werkinstructie="v2",
            indicatoren=["basisbehoeften"]),
        "informeer": lambda w, cid: w.informeer(g, cid, personen=["jan"], wijze="brief"),
        "samenspraak": lambda w, cid: w.samenspraak(g, cid, omschrijving="huisbezoek"),
        "domein": lambda w, cid: w.domein(g, cid, domein="wonen", reden="huurachterstand",
                                          client_akkoord=True),
        "gezinslid": lambda w, cid: w.gezinslid(g, cid, persoon=EMMA,
                                                samenhang="thuissituatie"),
        "betrek_partij": lambda w, cid: w.betrek_partij(g, cid, partij=WERK_INKOMEN),
        "vraag_gegevens": lambda w, cid: w.vraag_gegevens(
            g, cid, bij=WERK_INKOMEN, categorie="participatiewet.inkomen", over="jan",
            doel="onderzoek", toelichting="zicht op inkomen", noodzaak="hoogte bijstand"),
        "verstrekking": lambda w, cid: w.verstrekking(
            g, cid, bij="wei", categorie="participatiewet.inkomen", over="jan",
            besluit="verstrekt"),
        "hergebruik": lambda w, cid: w.hergebruik(g, cid, doel="hergebruik",
        categorie="participatiewet.vermogen",
                                                  over="jan", reden="al bekend bij bijstand"),
        "dienst": lambda w, cid: w.dienst(g, cid, persoon="jan",
                                          dienst="participatiewet.reintegratie",
                                          status="benodigd"),
        "terugkoppeling": lambda w, cid: w.terugkoppeling(g, cid, samenvatting="uitkomst"),
        "werkplan": lambda w, cid: w.werkplan(g, cid, samenhang="samenhang",
                                              coordinatie_helpt=True, afspraken=AFSPRAKEN),
        "coordinator": lambda w, cid: w.coordinator(g, cid, type="ambtenaar",
                                                    wie="M. de Vries"),
        "casusoverleg": lambda w, cid: w.casusoverleg(g, cid, doel="afstemming",
        bijeengeroepen_door="college",
                                                      deelnemers=["jan"], uitkomst="afspraak"),
        "voortgang": lambda w, cid: w.voortgang(g, cid, samenvatting="loopt"),
        "taak": lambda w, cid: w.taak(g, cid, partij="wei", omschrijving="doe dit"),
        "bijdrage": lambda w, cid: w.bijdrage(g, cid, partij="wei", omschrijving="gesprek"),
        "akkoord_coordinatie": lambda w, cid: w.akkoord_coordinatie(g, cid, partij="wei"),
        "bezwaar": lambda w, cid: w.bezwaar(g, cid, persoon="jan"),
        "besluit_bezwaar": lambda w, cid: w.besluit_bezwaar(
            g, cid, persoon="jan", doorgaan=True, motivering="ernstige zorgen",
            indicatoren=["escalatie"]),
        "sluit": lambda w, cid: w.sluit(g, cid, terugvalafspraken="bel het wijkteam",
                                        reden="cliënt wil geen coördinatie"),
        "vernietig": lambda w, cid: w.vernietig(g, cid),
        "inzage": lambda w, cid: w.inzage(g, cid, persoon="jan"),
        "export": lambda w, cid: w.export(g, cid, doel="evaluatie"),
    }


# -- looking at the database ------------------------------------------------------------------


def actor_keys(db_url: str) -> int:
    """How many data keys the register of actors holds (one per actor: its sealed name)."""
    return int(raw_sql(db_url, "SELECT count(*) FROM actors")[0][0])


def snapshot(w: Wams, case_id: str | None = None) -> dict[str, Any]:
    """Everything a step could write: the case row, row counts of every table, history tail."""
    e = w.engine
    with e.unit_of_work(None) as uow:
        conn = uow.store.conn
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in (repo.cases, repo.history, repo.log, repo.involvements,
                            repo.meldingen, repo.melders, repo.proofs, repo.settings,
                            repo.data_keys, repo.heads, actor_rows.actors)}
        row = None
        if case_id is not None:
            r = conn.execute(select(repo.cases).where(repo.cases.c.id == case_id)).first()
            row = dict(r._mapping) if r else None
        last = conn.execute(select(repo.history).order_by(repo.history.c.seq.desc())
                            .limit(1)).first()
    return {"counts": counts, "case": row, "last_seq": last.seq if last else 0}


def history_after(w: Wams, seq: int) -> list[dict[str, Any]]:
    e = w.engine
    with e.unit_of_work(None) as uow:
        rows = uow.store.conn.execute(select(repo.history).where(repo.history.c.seq > seq)
                               .order_by(repo.history.c.seq)).all()
    return [dict(r._mapping) for r in rows]


def raw_sql(db_url: str, statement: str, **params: Any) -> list[Any]:
    """One statement straight on the database, as a DBA with write access and no keys runs
    it (its own connection, committed); the rows it returns, if any."""
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(statement), params)
            return result.all() if result.returns_rows else []
    finally:
        engine.dispose()


def raw_value(db_url: str, statement: str, **params: Any) -> Any:
    """The one value a statement straight on the database returns (a count, a maximum), read
    as :func:`raw_sql` reads."""
    rows = raw_sql(db_url, statement, **params)
    return rows[0][0] if rows else None


def unsealed(uow: Any, table: str, where: Any = None, *,
             plain: bool = False) -> list[tuple[dict[str, Any], str | None]]:
    """(row, plain text of its sealed column) of every row of ``table`` (``where``: a filter
    on its model table), each value opened for its own place as the engine opens it."""
    t = Base.metadata.tables[table]
    column = places.SEALED_COLUMNS[table][0]
    stmt = select(t) if where is None else select(t).where(where(t))
    out = []
    for r in uow.store.conn.execute(stmt):
        row = dict(r._mapping)
        out.append((row, uow.unseal(row[column], places.place_of(table, row), plain=plain)))
    return out


def log_rows(w: Wams) -> list[dict[str, Any]]:
    e = w.engine
    with e.unit_of_work(None) as uow:
        rows = uow.store.conn.execute(select(repo.log).order_by(repo.log.c.id)).all()
    return [dict(r._mapping) for r in rows]


def history_rows(w: Wams) -> list[dict[str, Any]]:
    e = w.engine
    with e.unit_of_work(None) as uow:
        rows = uow.store.conn.execute(select(repo.history).order_by(repo.history.c.gemeente,
                                                             repo.history.c.chain_n)).all()
    return [dict(r._mapping) for r in rows]


def assert_chain_intact(w: Wams) -> None:
    """``wams audit verify`` on the engine's own database (also an in-memory one): the keyed
    chain and everything it covers."""
    e = w.engine
    with e.unit_of_work(None) as uow:
        report = audit.verify(uow.store.conn, e.keys)
    assert report.intact, [b.line() for b in report.breaks]


def assert_unchanged(w: Wams, before: dict[str, Any], case_id: str | None, *,
                     history: int) -> None:
    """Nothing but ``history`` refusal entries (allowed False, no content) was written."""
    after = snapshot(w, case_id)
    assert after["case"] == before["case"]
    expected = dict(before["counts"])
    expected["history"] += history
    # The first step of a municipality, even a refused one, starts its hash chain:
    # infrastructure, no personal data.
    if history and after["counts"]["chain_heads"] == expected["chain_heads"] + 1:
        expected["chain_heads"] += 1
    # Who tried is recorded with the refusal (R36), by pseudonym: an actor's first act writes
    # its entry in the register of actors, its name sealed under a data key of its own (no
    # data of the persons the command was about).
    new_actors = after["counts"]["actors"] - expected["actors"]
    if history and 0 <= new_actors <= history:
        expected["actors"] += new_actors
        expected["data_keys"] += new_actors
    assert after["counts"] == expected
    new = history_after(w, before["last_seq"])
    assert len(new) == history
    for row in new:
        assert row["allowed"] is False or row["allowed"] == 0
        assert row["content_salt"] is None
        if row["content"] is not None:
            # Only the decision's detail (it may quote the caller), sealed with the case.
            assert is_sealed(row["content"])
            with w.engine.unit_of_work(None) as uow:
                text = uow.unseal(row["content"], places.place_of("history", row))
            assert text is not None and set(json.loads(text)) == {"detail"}


def assert_refusal(d: Decision, code: str) -> None:
    """The decision is a refusal with ``code``, its rules, citations and Dutch message."""
    assert d.allowed is False, f"expected {code}, step was allowed"
    assert d.code == code, f"expected {code}, got {d.code}: {d.message}"
    r = REASONS[code]
    assert d.rule_ids == r.rules
    if r.rules:
        assert d.citations, f"{code} cites rules but no sources"
    assert d.message.startswith(r.message)
    assert d.verwerkingen == 0
    assert not d.report


def refused(w: Wams, code: str, call: Any, case_id: str | None = None, *,
            history: int = 1) -> Decision:
    """Run ``call`` (a thunk), expect the refusal ``code`` and that nothing changed."""
    before = snapshot(w, case_id)
    cached = _cached(w, case_id)
    d = call()
    assert_refusal(d, code)
    assert_unchanged(w, before, case_id, history=history)
    if cached is not None:
        assert _cached(w, case_id) in (cached, None)
    return d


def _cached(w: Wams, case_id: str | None) -> str | None:
    case = w.engine.cached_case(case_id or "")
    return case_to_json(case) if case is not None else None


def migration_modules_after_a_step(url: str, then: str = "") -> list[str]:
    """Which of alembic, mako and pygments a new process has imported once it opened ``url``,
    took a step there and ran ``then`` (Python): none, where no migration had to run."""
    import subprocess
    import sys

    probe = ("import json\nimport sys\nfrom wams.api import Wams\n"
             "from wams.core.model import Persoon\n"
             f"w = Wams.open({url!r})\n"
             "d = w.hulpvraag('0599', wet='wmo', client=Persoon(ref='jan'), vraag='hulp',"
             " aanleiding='valt vaak')\nassert d.allowed, d.code\nw.cases('0599')\nw.close()\n"
             f"{then}\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}"
             " & {'alembic', 'mako', 'pygments'})))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return list(json.loads(out.stdout))


def register_validator() -> Any:
    """A JSON Schema validator of one register entry (the register API's
    ProcessingActivityVersion, as shipped in wams/schema/rvva-openapi.json)."""
    import pytest

    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads((Path(__file__).resolve().parents[1] / "wams" / "schema"
                      / "rvva-openapi.json").read_text(encoding="utf-8"))
    schema = doc["components"]["schemas"]["ProcessingActivityVersion"]
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
