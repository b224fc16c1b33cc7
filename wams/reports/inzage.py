"""The citizen's access report (AVG art. 15) as a page he can read and print.

Built from ``Wams.inzage_persoon`` (the same rules as ``wams inzage``: giving it is logged,
R36), and written for the person, at language level B1: short sentences, "u", the date as
people write it, what happened in everyday words. No reason code, no rule id, no internal name
of a step or a category (only the category's Dutch name), no English. The legal basis is given
in words and, once, as the article it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wams.reports.render import render
from wams.reports.words import (
    PLAIN_ACTIONS,
    PLAIN_OBJECTION,
    PLAIN_PHASES,
    PLAIN_ROLES,
    PLAIN_ROUTES,
    plain_party,
)

if TYPE_CHECKING:
    from wams.api import Wams

#: the purposes of an access report (fixed: it is the person's right, not a search), as the
#: citizen reads them back
INZAGE_PURPOSES = ("verzoek van betrokkene (AVG art. 15)", "inzage door betrokkene (AVG art. 15)")
PLAIN_INZAGE = "u vroeg om een overzicht van uw gegevens"


def inzage_report(w: Wams, gemeente: str, *, bsn: str | None = None, ref: str | None = None,
                  case_id: str | None = None, actor: str, verzoek: str,
                  path: Path | None = None) -> str:
    """The page. ``verzoek`` is the reference of the person's request; the purpose is fixed
    (``Wams.inzage_persoon``). ``path``, the file the page goes to, is named in the logged
    record with the request's reference (R36)."""
    if path is not None:
        verzoek = f"{verzoek} (overzicht opgeslagen in bestand {path})"
    report = w.inzage_persoon(gemeente, bsn=bsn, ref=ref, case_id=case_id, actor=actor,
                              verzoek=verzoek)
    return render("inzage.html", gemeente=gemeente, report=report,
                  cases=[_case(w, c) for c in report["casussen"]],
                  rows=[_row(v) for v in report["verwerkingen"]],
                  meldingen=report["meldingen"])


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
            "events": [{"datum": e["datum"], "wat": _plain_event(e["wat"])}
                       for e in c["gebeurtenissen"]]}


def _plain_event(text: str) -> str:
    # The events of wams.core.privacy.inzage end in a rule id ("(R09)"): not for the citizen.
    return text.split(" (R", 1)[0].rstrip()


def _row(v: dict[str, Any]) -> dict[str, Any]:
    action = PLAIN_ACTIONS.get(v["bewerking"], "gebruikt")
    who = plain_party(v["bron"]) if v["bewerking"] == "collect" and v["bron"] else None
    to = plain_party(v["ontvanger"]) if v["bewerking"] == "provide" else None
    what = f"Uw gegevens zijn {action}" if who != "u" else f"U gaf uw gegevens; ze zijn {action}"
    if to:
        what += f" aan {to}"
    if who and who not in ("de gemeente", "u"):
        what += f". Ze kwamen van {who}"
    purpose = v["doel"] or ""
    return {"when": v["wanneer"], "what": what + ".",
            "data": v["categorie_naam"] or "gegevens over u",
            "why": PLAIN_INZAGE if purpose.startswith(INZAGE_PURPOSES) else purpose,
            "by": plain_party(v["door"]),
            "case": v["casus"]}
