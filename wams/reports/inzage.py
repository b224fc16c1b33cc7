"""The citizen's access report (AVG art. 15) as a page he can read and print.

Built from ``Wams.inzage_persoon`` (the same rules as ``wams inzage``: giving it is logged,
R36), and written for the person, at language level B1: short sentences, "u", the date as
people write it, what happened in everyday words. The municipality and the organisations are
named as people know them (the settings ``gemeente_naam`` and ``partij_namen``; else the kind
of organisation from the catalogue), never by a ref; no reason code, rule id, step or category
code, file path or official's name in the body; the purpose is the register's (AVG art. 30),
its legal source in a footnote for the curious; how long each kind of data is kept (AVG art.
15(1)(d)). A request for data is shown as a request: only an answer moves data.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wams.core.clock import add_months
from wams.reports.render import datum, render
from wams.reports.words import (
    PLAIN_OBJECTION,
    PLAIN_PHASES,
    PLAIN_ROLES,
    PLAIN_ROUTES,
    plain_action,
    split_citation,
)

if TYPE_CHECKING:
    from wams.api import Wams
    from wams.core.catalogue import Catalogue

#: the purposes of an access report (fixed: it is the person's right, not a search), as the
#: citizen reads them back
INZAGE_PURPOSES = ("verzoek van betrokkene (AVG art. 15)", "inzage door betrokkene (AVG art. 15)")
PLAIN_INZAGE = "U vroeg om een overzicht van uw gegevens."
MONTHS = re.compile(r"P(\d+)M")


def inzage_report(w: Wams, gemeente: str, *, bsn: str | None = None, ref: str | None = None,
                  case_id: str | None = None, actor: str, verzoek: str,
                  path: Path | None = None) -> str:
    """The page. ``verzoek`` is the reference of the person's request; the purpose is fixed
    (``Wams.inzage_persoon``). ``path``, the file the page goes to, is named in the logged
    record with the request's reference (R36); the page itself never shows it."""
    if path is not None:
        verzoek = f"{verzoek} (overzicht opgeslagen in bestand {path})"
    report = w.inzage_persoon(gemeente, bsn=bsn, ref=ref, case_id=case_id, actor=actor,
                              verzoek=verzoek)
    names = Names(w.catalogue, report.get("partij_namen") or {})
    notes: list[str] = []
    cases = {c["casus"]: c for c in report["casussen"]}
    rows = [_row(v, names, notes, cases.get(v["casus"])) for v in report["verwerkingen"]]
    return render("inzage.html", gemeente=report.get("gemeente_naam"), report=report,
                  cases=[_case(w, c) for c in report["casussen"]], rows=rows,
                  kept=_kept(report, rows), notes=notes, meldingen=report["meldingen"])


class Names:
    """Organisations as the person knows them: the municipality's own name for the party
    (setting ``partij_namen``), else what kind of organisation it is ("een
    schuldhulpverlener"), never its ref."""

    def __init__(self, catalogue: Catalogue, names: dict[str, str]) -> None:
        self.catalogue = catalogue
        self.names = names

    def of(self, ref: str | None, kind: str | None) -> str:
        if kind is None or kind == "gemeente":
            return "de gemeente"
        if kind == "betrokkene":
            return "u"
        if kind == "meldpunt":
            return "het meldpunt van de gemeente"
        if kind == "export":
            return "een overzicht voor buiten de gemeente"
        if kind == "persoon":
            return "iemand anders die bij het overleg was"
        if ref and ref in self.names:  # an organisation the municipality has named
            return self.names[ref]
        if kind == "deelnemer":
            return "iemand die bij het overleg was"
        party = self.catalogue.party_kinds.get(kind.split(":", 1)[-1])
        return f"een {party.name.split(' (', 1)[0]}" if party is not None else "een organisatie"


def _case(w: Wams, c: dict[str, Any]) -> dict[str, Any]:
    law = w.catalogue.laws.get(c["wet"]) if c["wet"] else None
    lines = [PLAIN_ROUTES.get(c["route"], "")]
    if c["vernietigd"]:
        lines.append("Dit dossier is vernietigd. Wat erin stond, is weg. Alleen de lijst met "
                     "wat er met uw gegevens is gedaan, is bewaard.")
    else:
        lines.append(PLAIN_ROLES.get(c["rol"] or "", ""))
        if c["route"] == "B":
            lines.append("De gemeente heeft u verteld dat zij uw gegevens gebruikt."
                         if c["geinformeerd"] else
                         "De gemeente heeft u nog niet verteld dat zij uw gegevens gebruikt.")
        objection = PLAIN_OBJECTION.get(c["bezwaar"])
        if objection:
            lines.append(objection)
    return {"id": c["casus"], "law": law.name if law is not None else None,
            "status": PLAIN_PHASES.get(c["fase"], c["fase"]), "opened": c["geopend"],
            "closed": c["gesloten"], "destroyed": c["vernietigd"],
            "lines": [line for line in lines if line],
            "events": [{"datum": e["datum"], "wat": split_citation(e["wat"])[0]}
                       for e in c["gebeurtenissen"]]}


def _row(v: dict[str, Any], names: Names, notes: list[str],
         case: dict[str, Any] | None) -> dict[str, Any]:
    source = names.of(v["bron"], v["bron_soort"])
    recipient = names.of(v["ontvanger"], v["ontvanger_soort"])
    what = plain_action(v["bewerking"], source, recipient)
    if (v["doel"] or "").startswith(INZAGE_PURPOSES):
        what = "De gemeente gaf u een overzicht van uw gegevens."
        why, note = PLAIN_INZAGE, None
    else:
        # The register's purpose of the activity: the caseworker's own words (and any file
        # name a report put in them) stay in the log for the staff.
        why, note = split_citation(v["activiteit_doel"] or "Voor uw dossier.")
    number = None
    if note:
        if note not in notes:
            notes.append(note)
        number = notes.index(note) + 1
    return {"when": v["wanneer"], "what": what, "request": v["bewerking"] == "request",
            "data": v["categorie_naam"] or "gegevens over u", "why": why, "note": number,
            "kept": _until(v.get("bewaartermijn"), case), "category": v["categorie_naam"]}


def _months(period: str | None) -> int | None:
    match = MONTHS.fullmatch(period or "")
    return int(match.group(1)) if match else None


def _until(period: str | None, case: dict[str, Any] | None) -> str:
    """How long the data of one row is kept, in words: the register's period after the case
    closed (R33), a date once it closed, or that it is destroyed."""
    months = _months(period)
    if case is not None and case["vernietigd"]:
        return "vernietigd"
    if months is None:
        return "zolang de wet het vraagt"
    if case is not None and case["gesloten"]:
        until = add_months(dt.date.fromisoformat(case["gesloten"]), months)
        return f"tot {datum(until)}"
    return f"tot {months} maanden nadat uw dossier is gesloten"


def _kept(report: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Per kind of data, how long the municipality keeps it (AVG art. 15(1)(d))."""
    out: dict[str, str] = {}
    for v, row in zip(report["verwerkingen"], rows, strict=True):
        months = _months(v.get("bewaartermijn"))
        if row["category"] and months is not None:
            out.setdefault(row["category"], f"{months} maanden nadat uw dossier is gesloten")
    months = report.get("bewaartermijnen", {}).get("bewaartermijn_maanden")
    if months is not None:
        out.setdefault("gegevens in uw dossier", f"{months} maanden nadat uw dossier is "
                                                 "gesloten")
    melding = report.get("bewaartermijnen", {}).get("bewaartermijn_meldingen_maanden")
    if report["meldingen"] and melding is not None:
        out["een melding over u"] = f"{melding} maanden na de melding"
    return [{"data": k, "period": p} for k, p in out.items()]
