"""The case report: the story of one case at a glance, for the reader it is made for.

- ``medewerker`` (a college official, the default): the dossier, read with ``Wams.case`` — a
  logged read (R36) whose purpose names the file the report is written to — with the timeline
  of every step (allowed and refused: reason code, Dutch message, rules with title and
  sources), the werkplan and its versions, the coordinator, the voortgang (an overdue report
  marked, R27), the objections (R09) and the data-flow diagram.
- ``fg`` (the privacy officer): no case content. The dossier is not opened; the report is built
  from the steps as decided and the processing log only, persons as "betrokkene 1, 2, …".
- A destroyed case, for every reader: only that it was destroyed, when, and the processing-log
  entries that remain (R33: the dossier is gone, the log and the proof stay).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from wams.core import commands as c
from wams.core.caller_text import actor_name
from wams.core.errors import InputError
from wams.core.law import policy
from wams.core.law.purposes import ExcludedPurpose
from wams.core.law.rules import RULES
from wams.core.law.steps import STEPS
from wams.core.law.voortgang import voortgang_status
from wams.core.settings import SETTINGS
from wams.reports import flows
from wams.reports.render import render
from wams.reports.words import OBJECTION_LABELS, PHASE_LABELS, STEP_LABELS

if TYPE_CHECKING:
    from wams.api import Wams

ROLES = ("medewerker", "fg")
VOORTGANG_SETTING = "voortgang_interval_maanden"
#: sources and recipients in the log that are no party and no person
OWN_BODIES = ("college", "client", "betrokkene", "meldpunt", "export")
#: a source or recipient of a destroyed case's log: party or person, nobody can tell any more
DESTROYED_REF = "partij of persoon (na vernietiging niet te zeggen)"


@attrs.frozen
class CaseReport:
    html: str
    #: whether the page holds case content (personal data): then it is a copy outside the
    #: database, which the CLI says on the terminal
    personal: bool


def file_note(path: Path | None) -> str | None:
    """The note on the logged read naming the file the report goes to: a copy outside the
    database must be findable from the processing log (R36)."""
    return f"rapport opgeslagen in bestand {path}" if path is not None else None


def case_report(w: Wams, gemeente: str, case_id: str, *, actor: str, doel: str,
                rol: str = "medewerker", path: Path | None = None) -> CaseReport:
    if rol not in ROLES:
        raise InputError(f"rol '{rol}' is onbekend; kies uit {', '.join(ROLES)}")
    # The rules of the reads the report is built on hold for every reader, also where the
    # dossier itself is not opened (fg, destroyed): who asks is named (R36) and the purpose is
    # never enforcement (R20).
    actor_name(actor, "noem wie het rapport maakt (actor); een lege actor wordt niet "
                      "geaccepteerd")
    try:
        policy.read_purpose(w.catalogue.purposes, doel)
    except ExcludedPurpose as exc:
        raise InputError(f"doel {doel!r} noemt '{exc.term}': geen doel van de aanpak "
                         "(purpose.enforcement_excluded, R20); kies een doelcode uit "
                         "'wams doelen'") from None
    summary = w.case_summary(gemeente, case_id)
    steps = w.case_steps(gemeente, case_id)
    log = w.case_log(gemeente, case_id)
    base = {"summary": summary, "rol": rol, "actor": actor, "doel": doel,
            "today": w.today(), "law": _law_name(w, summary["wet"])}
    if summary["destroyed_on"] is not None:
        # After destruction nobody can tell a party from a person among the log's refs: none
        # is shown (a ref may be a person's name, and the page promises "betrokkene 1, 2").
        return CaseReport(render("destroyed.html", **base,
                                 log=_log_rows(log, _numbered(log), {}, DESTROYED_REF)), False)
    timeline = _timeline(steps)
    if rol == "fg":
        pseudonyms = _numbered(log)
        # Every ref pseudonymised: persons as "betrokkene N", organisations by their kind
        # ("partij 2 (schuldhulpverlener)"): the privacy officer supervises the processing,
        # not who the case is about or with (a party's step names it in its actor too).
        aliases = _party_aliases(w, w.case_parties(gemeente, case_id))
        log = [_aliased(row, aliases) for row in log]
        timeline = _timeline(steps, aliases)
        parties = {aliases[ref]: soort for ref, soort in w.case_parties(gemeente, case_id).items()}
        diagram = flows.build(log, steps, w.catalogue, persons=pseudonyms, parties=parties,
                              mask_unknown=True)
        return CaseReport(render("case.html", **base, case=None, timeline=timeline,
                                 facts=_facts_from_steps(steps), diagram=diagram,
                                 layout=flows.layout(diagram), voortgang=None,
                                 log=_log_rows(log, pseudonyms, parties)), False)
    case = w.case(gemeente, case_id, actor=actor, purpose=doel, toelichting=file_note(path))
    refs = {subject: ref for ref, subject in case.subjects.items()}
    diagram = flows.build(log, steps, w.catalogue, persons=refs,
                          parties={r: p.partij.soort for r, p in case.parties.items()},
                          held=case.held, requests=case.requests)
    raw = w.setting(gemeente, VOORTGANG_SETTING)
    months = raw if isinstance(raw, int) else int(SETTINGS[VOORTGANG_SETTING].default)
    return CaseReport(render("case.html", **base, case=case, timeline=timeline,
                             facts=_facts_from_steps(steps), diagram=diagram,
                             layout=flows.layout(diagram),
                             voortgang=voortgang_status(case, w.today(), months),
                             months=months, objections=OBJECTION_LABELS,
                             log=_log_rows(log, refs)), True)


def _party_aliases(w: Wams, parties: dict[str, str]) -> dict[str, str]:
    """party ref → "partij N (kind)", numbered in the order the case knows them."""
    out = {}
    for i, (ref, soort) in enumerate(parties.items(), start=1):
        kind = w.catalogue.party_kinds.get(soort)
        out[ref] = f"partij {i} ({kind.name.split(' (', 1)[0]})" if kind is not None \
            else f"partij {i}"
    return out


def _aliased(row: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    """A log row with every party ref replaced by its alias (also inside the actor, which
    names a party's user as ``partij:<ref>:<user>``)."""
    return {**row, "source": aliases.get(row["source"], row["source"]),
            "recipient": aliases.get(row["recipient"], row["recipient"]),
            "actor": _aliased_actor(row["actor"], aliases)}


def _aliased_actor(actor: object, aliases: dict[str, str]) -> str:
    return ":".join(aliases.get(part, part) for part in str(actor).split(":"))


def _law_name(w: Wams, code: str | None) -> str | None:
    law = w.catalogue.laws.get(code) if code else None
    return law.name if law is not None else code


def _numbered(log: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for row in log:
        out.setdefault(row["subject"], f"betrokkene {len(out) + 1}")
    return out


def rules_of(ids: list[str]) -> list[dict[str, Any]]:
    """Each rule a decision cites, with its title and legal sources."""
    return [{"id": i, "title": RULES[i].title if i in RULES else "",
             "sources": [c.labelled() for c in RULES[i].sources] if i in RULES else []}
            for i in ids]


def _timeline(steps: list[dict[str, Any]],
              aliases: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The steps grouped by the phase they left the case in: one band per phase; with
    ``aliases`` (the privacy officer's view) a party in an actor is shown by its alias."""
    bands: list[dict[str, Any]] = []
    for s in steps:
        d = json.loads(s["decision"])
        phase = d.get("phase") or "-"
        entry = {"at": s["at"], "step": s["step"], "label": STEP_LABELS.get(s["step"], s["step"]),
                 "allowed": s["allowed"], "code": s["code"], "message": d.get("message", ""),
                 "rules": rules_of(list(d.get("rule_ids") or [])),
                 "actor": _aliased_actor(s["actor"], aliases) if aliases else s["actor"],
                 "werkplan": d.get("werkplan"), "expectation": None}
        if not bands or bands[-1]["phase"] != phase:
            bands.append({"phase": phase, "label": PHASE_LABELS.get(phase, phase),
                          "steps": []})
        bands[-1]["steps"].append(entry)
    return bands


def _facts_from_steps(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """What the decisions alone tell (no content): werkplan adoptions, coordinator appointed,
    voortgang reports, objections — with their dates."""
    facts: dict[str, list[Any]] = {fact: [] for fact in FACTS.values()}
    for s in steps:
        step = STEPS.get(s["step"])
        fact = FACTS.get(step.command) if s["allowed"] and step is not None else None
        if fact == "werkplan":
            grondslag = json.loads(s["decision"]).get("werkplan")
            facts[fact].append({"at": s["at"], "grondslag": grondslag})
        elif fact == "bezwaar":
            facts[fact].append({"at": s["at"], "label": STEP_LABELS[s["step"]]})
        elif fact is not None:
            facts[fact].append({"at": s["at"]})
    return facts


#: the steps (by command) whose decisions alone make a fact of the report, and which fact
FACTS: dict[type, str] = {c.Werkplan: "werkplan", c.Coordinator: "coordinator",
                          c.Voortgang: "voortgang", c.Bezwaar: "bezwaar",
                          c.BesluitBezwaar: "bezwaar"}


def _log_rows(log: list[dict[str, Any]], persons: dict[str, str],
              parties: dict[str, str] | None = None,
              other: str = "persoon") -> list[dict[str, Any]]:
    """The log as the page shows it. With ``parties`` (the privacy officer's view, a
    destroyed case) a source or recipient that is no organisation of the case is shown as
    ``other`` ("persoon"), never by its ref."""
    def body(ref: str | None) -> str | None:
        if parties is None or ref is None or ref in parties or ref in OWN_BODIES \
                or ref.startswith("college:"):
            return ref
        return other

    return [{"at": r["start_time"], "name": r["name"], "category": r["category"],
             "purpose": r["purpose"], "basis": r["legal_basis"], "source": body(r["source"]),
             "recipient": body(r["recipient"]), "actor": r["actor"],
             "subject": persons.get(r["subject"]) or r["subject"][:12] + "…"}
            for r in log]
