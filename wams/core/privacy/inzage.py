"""The access report (AVG art. 15, R36) over every case of one person in a municipality.

Found through the keyed pseudonym (``dpl.core.data_subject_id``): the BSN (or, without one, the
caller's ref) is hashed with the municipality's key and looked up in the processing log, which
also names every case the person was in. The report shows per case its dates and phase, and
whether the person was informed (R08) or objected (R09); then every processing about him: when,
what, which category, purpose, legal basis, source, recipient and by whom; and any melding about
him (date only: the reporter and his words stay protected, R34). Giving the report is itself a
processing and is logged.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from wams.core.caller_text import actor_name, caller_text
from wams.core.errors import InputError
from wams.core.ids import trace_id
from wams.core.law.lifecycle import PROVIDE, REQUEST, Applied, Processing
from wams.core.law.steps import STEPS, Rights
from wams.core.model import Casus, Persoon
from wams.core.privacy import places
from wams.core.privacy.processing import OPERATION_NAMES, activity_code
from wams.core.privacy.work import Operator, UnitOfWork
from wams.core.serialize import case_from_json
from wams.core.settings import (
    GEMEENTE_NAAM,
    PARTIJ_NAMEN,
    SETTINGS,
)
from wams.core.storage import projections
from wams.core.storage.repository import Store

STEP = "inzage"
ACTIVITY = "inzage"
#: Item 2 of the tightened rules: the person-wide report is the data subject's right
#: (AVG art. 15), never a search with a free purpose.
PURPOSE = "verzoek van betrokkene (AVG art. 15)"
#: the kind of a request reference's keyed digest in the log
REFERENCE = "inzageverzoek"
#: a free-text purpose of a destroyed case, whose key is gone (R33)
DESTROYED_PURPOSE = "(vernietigd met het dossier)"
OBJECTION_NL = {
    None: "geen",
    "pending": "ingediend; de verwerking is gestopt tot het college beslist (R09)",
    "ended": "de verwerking is beëindigd (R09)",
    "resumed": "het college besloot met een vastgelegde, op de ernst gebaseerde reden door "
               "te gaan (R09)",
}


def reference_in_log(engine: Operator, gemeente: str, verzoek: str) -> str:
    """The purpose the processing log keeps for the access request ``verzoek`` (as given to
    :func:`inzage_persoon`): to find its record, since the log holds only a keyed digest."""
    with engine.unit_of_work(gemeente) as uow:
        return f"{PURPOSE}, verzoek {uow.keyed_digest(REFERENCE, verzoek.strip())}"


def inzage_persoon(engine: Operator, gemeente: str, *, bsn: str | None = None,
                   ref: str | None = None, case_id: str | None = None, actor: str,
                   verzoek: str) -> dict[str, Any]:
    """The access report of the person with ``bsn``, or (without a BSN) of ``ref`` in case
    ``case_id``: a ref means something only inside one case. ``verzoek`` is the reference of
    the person's request; the purpose is always :data:`PURPOSE`."""
    if (bsn is None) == (ref is None):
        raise InputError("noem de persoon met óf een BSN óf een kenmerk (ref), niet beide")
    if ref is not None and not case_id:
        raise InputError("een persoon zonder BSN is alleen binnen één casus bekend; noem de "
                         "casus (case_id) bij het kenmerk")
    actor_name(actor, "noem wie de inzage opvraagt (actor)")
    if not isinstance(verzoek, str) or not verzoek.strip():
        raise InputError("noem het kenmerk van het verzoek om inzage van de betrokkene "
                         "(verzoek); inzage is zijn recht, geen zoekopdracht")
    caller_text(verzoek, "verzoek")  # kept as a keyed digest of its text
    persoon = Persoon(ref=ref or "betrokkene", bsn=bsn)
    purpose = f"{PURPOSE}, verzoek {verzoek.strip()}"
    trace = trace_id()
    with engine.unit_of_work(gemeente) as uow:
        store, now = uow.store, uow.now
        subject, stype = uow.subject_of(persoon, case_id)
        records = store.log_for_subject(gemeente, subject)
        uow.actor_names(gemeente, {r["actor"] for r in records})  # one query for all
        case_ids = list(dict.fromkeys(r["case_id"] for r in records if r["case_id"]))
        cases, people = _cases(uow, gemeente, case_ids, subject)
        register = {code: content for code, (_, _, content)
                    in uow.activities.versions(store, gemeente, now).items()}
        report = {
            "gemeente": gemeente,
            "gemeente_naam": _setting(store, gemeente, GEMEENTE_NAAM),
            "partij_namen": _setting(store, gemeente, PARTIJ_NAMEN),
            "betrokkene": {"gezocht_op": "bsn" if bsn else "kenmerk",
                           "pseudoniem": subject, "pseudoniem_type": stype},
            "opgesteld_op": now.isoformat(timespec="seconds"),
            "opgevraagd_door": actor,
            "doel": purpose,
            "casussen": cases,
            "verwerkingen": [processing_entry(r, uow, register, people.get(r["case_id"]))
                             for r in records],
            "meldingen": _meldingen(store, gemeente, subject),
            # AVG art. 15(1)(d): how long each kind of data is kept (municipal choices, R33/R34)
            "bewaartermijnen": {key: _setting(store, gemeente, key) for key in RETENTION_KEYS},
            "trace_id": trace,
        }
        # R36: giving the report is a processing too (provide, to the person himself). The
        # log keeps the fixed purpose with a keyed digest of the request's reference (and of
        # where a report file went): it belongs to no case, so no data key seals it, and the
        # log outlives every destruction; a reference or a path may name the person. Whoever
        # holds the reference finds the record again (reference_in_log).
        logged = f"{PURPOSE}, verzoek {uow.keyed_digest(REFERENCE, verzoek.strip())}"
        uow.write_log((Processing(PROVIDE, persoon.ref, ACTIVITY, logged, source="college",
                                  recipient="betrokkene"),),
                      step=STEP, trace=trace, actor=actor, subjects={persoon.ref: (subject, stype)})
    return report


def in_case(uow: UnitOfWork, case: Casus | None,
            persoon: Persoon) -> tuple[Applied, dict[str, tuple[str, str]], dict[str, Any]]:
    """The step ``inzage`` of a case: what was processed about ``persoon``, and that it was
    given to him. AVG art. 15 is the person's right whatever his place in this case: the
    report covers every processing about him in the municipality, inside a case or not."""
    assert uow.gemeente is not None
    if case is not None and persoon.ref in case.subjects:
        found = (case.subjects[persoon.ref], case.subject_types[persoon.ref])
    else:
        # Not (or no longer) a person of this case: known by BSN, or by ref outside a case.
        found = uow.subject_of(persoon)
    records = uow.store.log_for_subject(uow.gemeente, found[0])
    uow.actor_names(uow.gemeente, {r["actor"] for r in records})  # one query for all
    report = {"persoon": persoon.ref,
              "verwerkingen": [processing_entry(r, uow) for r in records]}
    applied = Applied(case.phase if case else None, (Processing(
        PROVIDE, persoon.ref, ACTIVITY, "inzage door betrokkene (AVG art. 15)",
        source="college", recipient="betrokkene"),))
    return applied, {persoon.ref: found}, report


#: the settings that say how long what is kept (AVG art. 15(1)(d))
RETENTION_KEYS = ("bewaartermijn_maanden", "bewaartermijn_meldingen_maanden")


def _setting(store: Store, gemeente: str, key: str) -> Any:
    raw = store.setting(gemeente, key)
    return json.loads(raw) if raw is not None else SETTINGS[key].default


@attrs.frozen
class People:
    """Who is who in one case, to say who gave or got data: the person's own ref there and
    the organisations (ref → registered kind); ``destroyed``: the case content is gone, so a
    ref can no longer be told apart as party or person except by the step that logged it."""

    own: str | None
    parties: dict[str, str]
    destroyed: bool = False


#: steps whose counterpart is always an organisation (a party asked, answering, involved,
#: delivering a service)
ORGANISATION_STEPS = ("vraag_gegevens", "verstrekking", "verzoek", "betrokkenheid",
                      "melding_doorgeven", "bijdrage", "dienst")


def counterpart(ref: str | None, people: People | None, step: str = "") -> str | None:
    """What kind of body ``ref`` is, in words the access report can turn into a sentence:
    ``gemeente``, ``betrokkene`` (the person himself), ``partij:<kind>`` (an organisation,
    its kind where the case registered it), ``persoon`` (another person in the case),
    ``deelnemer`` (someone at a casusoverleg of a destroyed case: party or person, nobody can
    tell any more), ``meldpunt`` or ``export``. Outside a case a ref that is no body of the
    college is an organisation (a melding passed on, a party's involvement)."""
    if ref is None:
        return None
    if ref == "college" or ref.startswith("college:"):
        return "gemeente"
    if ref in ("betrokkene", "client"):
        return "betrokkene"
    if ref in ("meldpunt", "export"):
        return ref
    if people is None or step in ORGANISATION_STEPS and ref not in people.parties \
            and ref != people.own:
        return "partij:"
    if ref == people.own:
        return "betrokkene"
    if ref in people.parties:
        return f"partij:{people.parties[ref]}"
    return "deelnemer" if people.destroyed else "persoon"


def _cases(uow: UnitOfWork, gemeente: str, case_ids: list[str],
           subject: str) -> tuple[list[dict[str, Any]], dict[str, People]]:
    store = uow.store
    out = []
    people: dict[str, People] = {}
    for case_id in case_ids:
        # Only a destroyed case's (stripped) state is plain; a case row put back as a whole
        # (an objection reset) is refused like in a step.
        row = projections.committed_case_row(store, case_id, gemeente)
        if row is None:
            continue
        text = uow.unseal(row["state"], places.case_state(gemeente, case_id, row["version"]),
                          plain=row["data_key"] is None)
        if text is None:  # its key destroyed (by another process, mid-destruction)
            continue
        case = case_from_json(text)
        ref = next((r for r, s in case.subjects.items() if s == subject), None)
        state = case.persons.get(ref) if ref is not None else None
        people[case_id] = People(ref, {r: p.partij.soort for r, p in case.parties.items()},
                                 destroyed=row["destroyed_on"] is not None)
        entry: dict[str, Any] = {
            "casus": case_id, "route": row["route"], "wet": row["wet"], "fase": row["phase"],
            "geopend": _d(row["opened_on"]), "gesloten": _d(row["closed_on"]),
            "vernietigd": _d(row["destroyed_on"])}
        if state is None:
            # After destruction nothing about the person is left but the log (R33).
            entry.update(rol=None, geinformeerd=None, bezwaar=None,
                         toelichting="dossier vernietigd; alleen de verwerkingen zijn bewaard")
        else:
            entry.update(rol=state.role, geinformeerd=state.informed if row["route"] == "B"
                         else None, bezwaar=state.objection)
        entry["gebeurtenissen"] = _events(uow, gemeente, case_id, ref) \
            if ref is not None else []
        out.append(entry)
    return out, people


def _events(uow: UnitOfWork, gemeente: str, case_id: str, ref: str) -> list[dict[str, Any]]:
    """R08 (informed) and R09 (objection, the college's decision) of ``ref`` in a case, from
    the history. After destruction the content is gone and so are these events; the log
    remains."""
    found = []
    for n, at, step, sealed in uow.store.rights_events(gemeente, case_id):
        text = uow.unseal(sealed, places.history_content(gemeente, n))
        if text is None:  # sealed under a destroyed key
            continue
        content = json.loads(text)["command"]
        rights = STEPS[step].rights
        if rights is Rights.INFORMED:
            refs = content.get("personen") or []
            what = "geïnformeerd over de voorgenomen verwerking en de AVG-rechten (R08)"
        elif rights is Rights.OBJECTION:
            refs = [content.get("persoon")]
            what = "verzoek om de verwerking te stoppen (R09)"
        else:
            refs = [content.get("persoon")]
            what = ("college besloot de verwerking te hervatten (R09)" if content.get("doorgaan")
                    else "college besloot de verwerking te beëindigen (R09)")
        if ref in refs:
            found.append({"datum": at.date().isoformat(), "wat": what})
    return found


def _meldingen(store: Store, gemeente: str, subject: str) -> list[dict[str, Any]]:
    # R34: the reporter's identity (and the words that could give it away) is not shown.
    return [{"melding": i, "datum": at.date().isoformat(), "bron": "meldpunt"}
            for i, at in store.meldingen_of(gemeente, subject)]


def processing_entry(r: dict[str, Any], uow: UnitOfWork,
                     register: dict[str, dict[str, Any]] | None = None,
                     people: People | None = None) -> dict[str, Any]:
    """One processing-log row as the access report shows it (AVG art. 15). A free-text
    purpose was sealed with its case: after destruction only that it was destroyed shows.
    With the ``register`` (code → entry) the entry names the register's purpose of its
    activity, which the person reads instead of the caseworker's words; with the case's
    ``people``, who the source and recipient are (:func:`counterpart`)."""
    catalogue = uow.catalogue
    purpose = uow.unseal(r["purpose"], places.log_purpose(r["gemeente"], r["span_id"]),
                         plain=True)
    category = r["category"]
    name = catalogue.categories[category].name if category in catalogue.categories else None
    code = activity_code(r["activity_id"])
    step = str(r["name"]).split(":", 1)[0]
    entry = (register or {}).get(code) or {}
    operation = r["operation"]
    if operation == PROVIDE and str(r["name"]).startswith("vraag_gegevens:"):
        # Written before requests were logged as requests (the chain keeps the row as it
        # was): it was a request then too, and the person is told so.
        operation = REQUEST
    return {"wanneer": r["start_time"].isoformat(timespec="seconds"), "handeling": r["name"],
            "bewerking": operation, "activiteit": r["activity_id"],
            "activiteit_naam": entry.get("name"), "activiteit_doel": entry.get("purpose"),
            "bewaartermijn": entry.get("personalData", {}).get("retentionPeriod"),
            "casus": r["case_id"], "categorie": category, "categorie_naam": name,
            "doel": purpose if purpose is not None else DESTROYED_PURPOSE,
            "grondslag": r["legal_basis"], "bron": r["source"],
            "ontvanger": r["recipient"],
            "door": uow.actor_names(r["gemeente"], [r["actor"]])[r["actor"]],
            "bron_soort": counterpart(r["source"], people, step),
            "ontvanger_soort": counterpart(r["recipient"], people, step)}


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def render_nl(report: dict[str, Any]) -> str:
    """The report as Dutch text, for the person and the employee who hands it over."""
    lines = [(f"Inzage in de verwerking van persoonsgegevens (AVG art. 15) — gemeente "
              f"{report['gemeente']}"),
             (f"Opgesteld op {report['opgesteld_op']} door {report['opgevraagd_door']}; "
              f"doel: {report['doel']}"),
             ("Grondslag van alle verwerkingen: AVG art. 6 lid 1 sub e en de taak van het "
              "college (Wmo 2015, nieuwe paragraaf 3a (voorstel)); nooit toestemming."), ""]
    casussen = report["casussen"]
    lines.append(f"Casussen ({len(casussen)}):" if casussen else "Casussen: geen.")
    for c in casussen:
        dates = f"geopend {c['geopend']}"
        if c["gesloten"]:
            dates += f", gesloten {c['gesloten']}"
        if c["vernietigd"]:
            dates += f", vernietigd {c['vernietigd']}"
        law = f", {c['wet']}" if c["wet"] else ""
        lines.append(f"- casus {c['casus']} (route {c['route']}{law}): fase {c['fase']}; {dates}")
        if c.get("toelichting"):
            lines.append(f"    {c['toelichting']}")
        else:
            lines.append(f"    rol: {c['rol']}")
            if c["route"] == "B":
                lines.append("    geïnformeerd over de verwerking (R08): "
                             f"{'ja' if c['geinformeerd'] else 'nee'}")
            lines.append(f"    verzoek om de verwerking te stoppen (R09): "
                         f"{OBJECTION_NL.get(c['bezwaar'], c['bezwaar'])}")
        for e in c["gebeurtenissen"]:
            lines.append(f"    {e['datum']}: {e['wat']}")
    lines.append("")
    verwerkingen = report["verwerkingen"]
    lines.append(f"Verwerkingen ({len(verwerkingen)}):" if verwerkingen
                 else "Verwerkingen: geen.")
    for v in verwerkingen:
        what = OPERATION_NAMES.get(v["bewerking"], v["bewerking"])
        cat = v["categorie_naam"] or v["categorie"]
        # A request moves no data: it says whom the college asked, not that data went there.
        asked = f" bij {v['ontvanger']} (gevraagd, nog niet verstrekt)" \
            if v["bewerking"] == REQUEST else ""
        lines.append(f"- {v['wanneer']}: {what}" + (f" van {cat}" if cat else "") + asked
                     + (f" (casus {v['casus']})" if v["casus"] else ""))
        lines.append(f"    doel: {v['doel']}; grondslag: {v['grondslag']}")
        lines.append(f"    bron: {v['bron'] or '-'}; ontvanger: {v['ontvanger'] or '-'}; "
                     f"door: {v['door']}")
    if report["meldingen"]:
        lines.append("")
        lines.append(f"Meldingen bij het meldpunt ({len(report['meldingen'])}); wie meldde "
                     "blijft beschermd (R34):")
        for m in report["meldingen"]:
            lines.append(f"- {m['datum']}: melding {m['melding']}")
    lines.append("")
    lines.append("Deze inzage is zelf als verwerking vastgelegd.")
    return "\n".join(lines)


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)
