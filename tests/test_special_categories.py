"""Issue 23, item 4: health data (AVG art. 9) and criminal data (art. 10) carry their exception
on top of AVG 6(1)(e) in the log record, the register and the decision, with the footing
``aangekondigd`` (the regulation that is to give the exception is announced in MvT §3.3 for a
§3.4 the consultation text lacks). Both backends; the log is read with raw SQL, as a DBA or the
AP would read it, not through wams's own views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.helpers import HUISARTS, JAN, KREDIETBANK, POLITIE, G, health_request, ok, route_a
from wams.core.law.citations import CAVEATS
from wams.core.law.rules import AVG_9, AVG_10, RULES, SPECIAL_EXCEPTIONS
from wams.core.privacy.processing import (
    LEGAL_BASIS,
    LEGAL_BASIS_INZAGE,
    LEGAL_BASIS_MELDPUNT,
    with_exceptions,
)
from wams.core.privacy.register import render_text
from wams.core.storage import repository as repo
from wams.core.storage.tables import ProcessingRow


def _log(w: Any, category: str | None = None) -> list[Any]:
    with w.engine.unit_of_work(G) as uow:
        q = select(repo.log.c.category, repo.log.c.legal_basis, repo.log.c.name)
        if category is not None:
            q = q.where(repo.log.c.category == category)
        return list(uow.store.conn.execute(q).all())


def _criminal_request(w: Any) -> str:
    cid = route_a(w)
    ok(w.domein(G, cid, domein="openbare_orde_veiligheid", reden="bedreiging door schuldeiser",
                client_akkoord=True))
    ok(w.betrek_partij(G, cid, partij=POLITIE, aanleiding="bedreiging door schuldeiser",
                       doel="voorkomen_slachtofferschap"))
    ok(w.vraag_gegevens(G, cid, bij=POLITIE, categorie="aanpalend.politiegegevens", over="jan",
                        doel="voorkomen_slachtofferschap", toelichting="dreiging inschatten",
                        noodzaak="veiligheid van jan"))
    return cid


def test_the_exceptions_are_announced_never_sourced() -> None:
    assert SPECIAL_EXCEPTIONS == {"health": AVG_9, "criminal": AVG_10}
    for c in (AVG_9, AVG_10):
        assert c.footing == "aangekondigd" and "§3.3" in c.sections
    # "minor" is special to us (R14) but not an AVG special category: no exception
    assert with_exceptions(LEGAL_BASIS, ["minor"]) == LEGAL_BASIS
    # no rule claims them for every decision: only a step that processes such data cites them
    assert not any(c in (AVG_9, AVG_10) for r in RULES.values() for c in r.sources)


def test_health_data_carries_art_9_in_log_and_decision(wams: Any) -> None:
    cid = health_request(wams)
    d = ok(wams.verstrekking(G, cid, bij=HUISARTS, categorie="aanpalend.gezondheid", over="jan",
                             besluit="verstrekt"))
    assert AVG_9.labelled() in d.citations and AVG_10.labelled() not in d.citations
    assert "aangekondigd" in d.footings and CAVEATS["aangekondigd"] in d.message
    rows = _log(wams, "aanpalend.gezondheid")
    assert len(rows) == 2  # the request and the answer
    for r in rows:
        assert r.legal_basis.startswith(LEGAL_BASIS), r.legal_basis
        assert "aangekondigd: AVG, artikel 9, tweede lid" in r.legal_basis, r.legal_basis
        assert "artikel 10" not in r.legal_basis
    # other records of the same case stay on 6(1)(e) alone
    others = [r for r in _log(wams) if r.category != "aanpalend.gezondheid"]
    assert others and all("artikel 9" not in r.legal_basis for r in others)


def test_criminal_data_carries_art_10_in_log_and_decision(wams: Any) -> None:
    cid = _criminal_request(wams)
    d = ok(wams.verstrekking(G, cid, bij=POLITIE, categorie="aanpalend.politiegegevens",
                             over="jan", besluit="verstrekt"))
    assert AVG_10.labelled() in d.citations and AVG_9.labelled() not in d.citations
    assert "aangekondigd" in d.footings and CAVEATS["aangekondigd"] in d.message
    rows = _log(wams, "aanpalend.politiegegevens")
    assert len(rows) == 2
    assert all("aangekondigd: AVG, artikel 10" in r.legal_basis for r in rows)


def test_ordinary_data_cites_no_special_exception(wams: Any) -> None:
    cid = route_a(wams)
    ok(wams.domein(G, cid, domein="schuldhulp", reden="betalingsachterstanden",
                   client_akkoord=True))
    ok(wams.betrek_partij(G, cid, partij=KREDIETBANK, aanleiding="schulden"))
    ok(wams.vraag_gegevens(G, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht",
                           over="jan", doel="onderzoek", toelichting="zicht op schulden",
                           noodzaak="nodig"))
    d = ok(wams.verstrekking(G, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht",
                             over="jan", besluit="verstrekt"))
    assert AVG_9.labelled() not in d.citations and AVG_10.labelled() not in d.citations
    assert all(r.legal_basis == LEGAL_BASIS for r in _log(wams)
               if not r.name.startswith(("inzage", "melding")))


def test_a_casusoverleg_share_of_health_data_carries_art_9(wams: Any) -> None:
    cid = health_request(wams)
    ok(wams.verstrekking(G, cid, bij=HUISARTS, categorie="aanpalend.gezondheid", over="jan",
                         besluit="verstrekt"))
    from wams.core import commands as c

    d = ok(wams.casusoverleg(G, cid, doel="afstemming", bijeengeroepen_door="college",
                             deelnemers=["jan", "huisarts"],
                             inbreng=[c.Inbreng("huisarts", "aanpalend.gezondheid", "jan")]))
    assert AVG_9.labelled() in d.citations
    shares = [r for r in _log(wams, "aanpalend.gezondheid") if r.name.startswith("casusoverleg")]
    assert shares and all("artikel 9, tweede lid" in r.legal_basis for r in shares)


def test_register_lists_special_categories_with_their_exception(wams: Any) -> None:
    entries = {e["code"]: e for e in wams.register(G)}
    health = entries["aanpalend.gegevensverzoek_gezondheid"]
    assert health["bijzondereCategorieen"] == [{
        "categorie": "aanpalend.gezondheid", "soort": "gezondheidsgegevens",
        "uitzondering": AVG_9.labelled()}]
    assert AVG_9.labelled() in health["grondslag"] and health["grondslag"].startswith(
        LEGAL_BASIS)
    crime = entries["aanpalend.gegevensverzoek_strafrechtketen"]
    assert {s["categorie"] for s in crime["bijzondereCategorieen"]} == {
        "aanpalend.politiegegevens", "aanpalend.justitiele_gegevens"}
    assert {s["uitzondering"] for s in crime["bijzondereCategorieen"]} == {AVG_10.labelled()}
    # the onderzoek may touch every category: it lists every special one, both exceptions
    onderzoek = entries["onderzoek"]
    kinds = {s["soort"] for s in onderzoek["bijzondereCategorieen"]}
    assert kinds == {"gezondheidsgegevens", "strafrechtelijke gegevens"}
    assert AVG_9.labelled() in onderzoek["grondslag"]
    assert AVG_10.labelled() in onderzoek["grondslag"]
    # an entry without special data says so by an empty list, and 6(1)(e) alone
    assert entries["werkplan"]["bijzondereCategorieen"] == []
    assert entries["werkplan"]["grondslag"] == LEGAL_BASIS
    # inzage: 6(1)(c) is the basis, art. 15 the right (never art. 15 as a basis alone)
    assert entries["inzage"]["grondslag"] == LEGAL_BASIS_INZAGE
    assert entries["meldpunt"]["grondslag"] == LEGAL_BASIS_MELDPUNT
    text = render_text(list(entries.values()), G, 12, wams.catalogue)
    assert "bijzondere categorieën: " in text and "gezondheidsgegevens; " in text


def test_the_longest_basis_fits_the_log_column() -> None:
    # a plugin may declare a category that is both health and criminal data
    longest = max((LEGAL_BASIS, LEGAL_BASIS_MELDPUNT, LEGAL_BASIS_INZAGE), key=len)
    width = ProcessingRow.__table__.c.legal_basis.type.length
    assert len(with_exceptions(longest, ["health", "criminal", "minor"])) <= width


def test_no_inferred_paragraph_number_is_left_anywhere() -> None:
    # "Wmo 2015 §2.3a" was inferred; the memorandum says "een nieuwe paragraaf 3a" (§1.3).
    root = Path(__file__).resolve().parents[1]
    found = [str(p.relative_to(root)) for base in ("wams", "docs", "examples")
             for p in (root / base).rglob("*")
             if p.is_file() and p.suffix in {".py", ".md", ".json", ".yaml", ".html", ".txt"}
             and "2.3a" in p.read_text(encoding="utf-8", errors="replace")]
    found += ["README.md"] if "2.3a" in (root / "README.md").read_text(encoding="utf-8") else []
    assert found == []


def test_inzage_log_records_name_its_basis(wams: Any) -> None:
    route_a(wams)
    ok(wams.inzage(G, None, persoon=JAN))
    rows = [r for r in _log(wams) if r.name.startswith("inzage")]
    assert rows and all(r.legal_basis == LEGAL_BASIS_INZAGE for r in rows)
