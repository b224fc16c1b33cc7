"""The register of processing activities (AVG art. 30), generated from the declarations.

Entries come from two places: the core's own activities (the codes the engine writes into the
processing log: onderzoek, beoordeling_verzoek, ...) and every activity a plugin declares through
``wams_processing_activities`` (qualified, ``wmo.casusoverleg``). Each entry is rendered as a
``ProcessingActivityVersion`` of the register standard (``wams/schema/rvva-openapi.json``).

Versions: the content of an entry is hashed; ``register_versions`` keeps every version per
municipality with the moment it took effect. When the content changes (a plugin upgrade, another
bewaartermijn) a new version is recorded, and log records from then on point at it
(``urn:wams:0599:verwerkingsactiviteit:onderzoek:v2``), as the Logboek standard asks.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import threading
import uuid
import weakref
from typing import Any, cast

import attrs
from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from wams.core.catalogue import Catalogue
from wams.core.law.records import CORE_ACTIVITY_CODES
from wams.core.privacy.processing import (
    LEGAL_BASIS,
    LEGAL_BASIS_INZAGE,
    LEGAL_BASIS_MELDPUNT,
    activity_id,
    special_exceptions,
    with_exceptions,
)
from wams.core.privacy.retention import bewaartermijn
from wams.core.privacy.work import Operator
from wams.core.storage.fast import Fast
from wams.core.storage.repository import Store
from wams.core.storage.tables import RegisterVersionRow

register_versions = cast(Table, RegisterVersionRow.__table__)
# Read by every access report and the register (sync): prebuilt.
_f_latest = Fast(select(register_versions.c.activity, register_versions.c.version,
                        register_versions.c.digest, register_versions.c.valid_from)
                 .where(register_versions.c.gemeente == bindparam("g"))
                 .order_by(register_versions.c.activity, register_versions.c.version))
# A new municipality's whole register in one executemany (every new database: B4); an
# entry at a time where another process recorded some first.
_f_insert = Fast(insert(register_versions), by_keys=True)

#: R13: the basis is AVG art. 6(1)(e), in DPV terms; consent is never a basis.
DPV_LEGAL_BASIS = ("OfficialAuthorityOfController",)

#: data subjects of the declarations → DPV terms of the standard
DPV_SUBJECTS = {"client": "Citizen", "gezinslid": "Citizen", "inwoner": "Citizen"}
SUBJECT_NL = {"client": "cliënt", "gezinslid": "gezinslid", "inwoner": "inwoner"}

#: the core's own categories, besides those the plugins declare (R14)
CORE_CATEGORIES = {
    "identificatie": "identificerende gegevens (naam, BSN, geboortedatum)",
    "hulpvraag": "hulpvraag, aanleiding, zorgen en ernst (indicatoren)",
    "casusgegevens": "onderzoek, reikwijdte, diensten, werkplan en afspraken",
    "verwerkingslog": "vastgelegde verwerkingen (gepseudonimiseerd)",
}
ALL = "*"  # every category: the core's and every category a plugin declares

#: DPV processing operations → Dutch, for the text register
OPERATIONS_NL = {"Obtain": "verkrijgen", "Store": "opslaan", "Use": "gebruiken",
                 "Disclose": "verstrekken", "Organise": "ordenen", "Copy": "kopiëren",
                 "Remove": "verwijderen", "Transfer": "doorgeven", "Transform": "omzetten"}
#: what a plugin activity does when it does not say (a data request: obtain, store, use)
DEFAULT_OPERATIONS = ("Obtain", "Store", "Use")


@attrs.frozen
class CoreActivity:
    """One of the core's own register entries; ``code`` is what the engine logs."""

    code: str
    name: str
    purpose: str
    categories: tuple[str, ...]
    operations: tuple[str, ...]
    data_subjects: tuple[str, ...] = ("client", "gezinslid")
    to_parties: bool = False  # recipients outside the college (parties, export)
    basis: str = LEGAL_BASIS


CORE_ACTIVITIES: tuple[CoreActivity, ...] = (
    CoreActivity("onderzoek", "Onderzoek naar meervoudige problematiek",
                 "Onderzoeken welke problemen spelen en welke hulp nodig is, met gegevens van "
                 "betrokken partijen (Wmo 2015, nieuwe paragraaf 3a (voorstel); MvT §3.3.1, "
                 "§3.3.2)",
                 ("identificatie", "hulpvraag", "casusgegevens", ALL),
                 ("Obtain", "Store", "Use", "Disclose"), to_parties=True),
    CoreActivity("beoordeling_verzoek", "Beoordeling verzoek om onderzoek",
                 "Beoordelen of een verzoek van een betrokken partij grond geeft voor een "
                 "onderzoek (MvT §2.2, §3.3.2)",
                 ("identificatie", "hulpvraag"), ("Obtain", "Store", "Use")),
    CoreActivity("hergebruik", "Hergebruik van gegevens van het college",
                 "Gegevens die het college al onder een van de vier wetten heeft, gebruiken voor "
                 "de integrale aanpak (MvT §3.2.2)", (ALL,), ("Use", "Copy", "Store")),
    CoreActivity("werkplan", "Werkplan, coördinatie en voortgang",
                 "Vastleggen van het werkplan, de coördinatie en de voortgangsrapportage "
                 "(MvT §3.3.3)", ("identificatie", "casusgegevens"), ("Store", "Organise", "Use")),
    CoreActivity("casusoverleg", "Casusoverleg",
                 "Uitwisselen van gegevens tussen betrokken partijen om een afgestemde aanpak af "
                 "te spreken (MvT §3.2.4, §3.3)", ("casusgegevens", ALL),
                 ("Disclose", "Obtain", "Store"), to_parties=True),
    CoreActivity("meldpunt", "Meldpunt zorgen over inwoners",
                 "Ontvangen van meldingen van zorg over een inwoner en die alleen met een "
                 "vastgelegde reden doorgeven (Wmo 2015 art. 2.2.5 (voorstel); MvT §1.2)",
                 ("identificatie", "hulpvraag"), ("Obtain", "Store", "Disclose"),
                 data_subjects=("inwoner",), to_parties=True, basis=LEGAL_BASIS_MELDPUNT),
    CoreActivity("inzage", "Inzage door betrokkene",
                 "Een betrokkene inzage geven in de verwerkingen over hem (recht van inzage, "
                 "AVG art. 15)",
                 ("identificatie", "verwerkingslog"), ("Use", "Disclose"),
                 basis=LEGAL_BASIS_INZAGE),
    CoreActivity("vernietiging", "Vernietiging na de bewaartermijn",
                 "Vernietigen van het coördinatiedossier na afloop van de bewaartermijn, met "
                 "bewijs van vernietiging (MvT §3.1.4)", (ALL,), ("Remove",)),
    CoreActivity("export", "Export van casusgegevens",
                 "Verstrekken van casusgegevens voor een genoemd doel; nooit voor handhaving, "
                 "opsporing of vervolging (MvT §1.4)", (ALL,), ("Disclose", "Transfer", "Copy"),
                 to_parties=True),
    CoreActivity("raadplegen", "Raadplegen van het dossier",
                 "Inzien van een coördinatiedossier door een medewerker, met een genoemd doel",
                 (ALL,), ("Use",)),
)


# The engine logs these codes and plugin activities refine them (records.CORE_ACTIVITY_CODES):
# the two lists must be the same list.
if tuple(a.code for a in CORE_ACTIVITIES) != CORE_ACTIVITY_CODES:  # pragma: no cover
    raise RuntimeError("register.CORE_ACTIVITIES and records.CORE_ACTIVITY_CODES differ")


def retention_period(months: int) -> str:
    """The bewaartermijn as an ISO 8601 duration (``P12M``)."""
    return f"P{int(months)}M"


def college_id(gemeente: str) -> str:
    """A stable uuid for the college of a municipality (the controller, R21)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:wams:{gemeente}:college"))


def contents(catalogue: Catalogue, gemeente: str, months: int) -> dict[str, dict[str, Any]]:
    """code → the entry's content (a ProcessingActivityVersion without version/validFrom)."""
    every = [*CORE_CATEGORIES, *sorted(catalogue.categories)]
    controller = {"legalRole": "DataController", "entityId": college_id(gemeente)}
    out: dict[str, dict[str, Any]] = {}
    for a in CORE_ACTIVITIES:
        cats: list[str] = []
        for c in a.categories:
            cats += every if c == ALL else [c]
        out[a.code] = _entry(catalogue, a.name, a.purpose, a.basis, a.data_subjects, cats,
                             months, a.operations, {"legalRole": "ThirdParty"} if a.to_parties
                             else controller)
    core = {a.code: a for a in CORE_ACTIVITIES}
    for code, p in sorted(catalogue.activities.items()):
        ops = tuple(getattr(p, "operations", ()) or DEFAULT_OPERATIONS)
        # A plugin entry refines a core activity and the log records that activity's
        # processing under it: a request to a party, a share in a casusoverleg. Its recipients
        # are the core activity's, so the register says what the log shows.
        part_of = core.get(p.part_of)
        to_parties = part_of is not None and part_of.to_parties
        if to_parties and "Disclose" not in ops:
            ops = (*ops, "Disclose")
        out[code] = _entry(catalogue, p.name, p.purpose, LEGAL_BASIS, p.data_subjects,
                           list(p.categories), months, ops,
                           {"legalRole": "ThirdParty"} if to_parties else controller)
    return out


#: special kind → how the register names it (AVG art. 9: health; art. 10: criminal)
SPECIAL_NL = {"health": "gezondheidsgegevens", "criminal": "strafrechtelijke gegevens"}


def special_categories(catalogue: Catalogue, cats: list[str]) -> list[dict[str, str]]:
    """The special categories of the AVG among ``cats`` (health, art. 9; criminal, art. 10),
    each with the exception it needs on top of 6(1)(e), footing first (``aangekondigd``: the
    regulation that is to give it is announced in MvT §3.3, not in the text)."""
    return [{"categorie": c, "soort": SPECIAL_NL[kind],
             "uitzondering": exception.labelled()}
            for c in cats for kind in sorted(catalogue.special_of(c)) if kind in SPECIAL_NL
            for exception in special_exceptions((kind,))]


def _entry(catalogue: Catalogue, name: str, purpose: str, basis: str,
           subjects: tuple[str, ...], cats: list[str], months: int, ops: tuple[str, ...],
           recipients: dict[str, str]) -> dict[str, Any]:
    cats = list(dict.fromkeys(cats))
    return {
        "name": name,
        "purpose": purpose,
        "legalBasis": list(DPV_LEGAL_BASIS),
        # R13 plus the art. 9/10 exception of every special category the entry processes
        "grondslag": with_exceptions(basis, (k for c in cats for k in catalogue.special_of(c))),
        "bijzondereCategorieen": special_categories(catalogue, cats),
        "dataSubjects": sorted({DPV_SUBJECTS.get(s, "DataSubject") for s in subjects}),
        "betrokkenen": [SUBJECT_NL.get(s, s) for s in subjects],
        "personalData": {"categories": cats,
                         "retentionPeriod": retention_period(months)},
        "processingOptions": list(ops),
        "recipients": recipients,
    }


def digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()


def sync(store: Store, gemeente: str, entries: dict[str, dict[str, Any]],
         now: dt.datetime, digests: dict[str, str] | None = None
         ) -> dict[str, tuple[int, dt.datetime, dict[str, Any]]]:
    """Record a new version of every entry whose content differs from its latest version;
    returns code → (version in force, valid from, content). Runs in the caller's
    transaction; a concurrent process recording the same version first is not an error.
    Every version recorded is covered by the chain (the next history entry commits to it).
    ``digests``: the entries' :func:`digest`, where the caller already has them."""
    rv, conn = register_versions, store.conn
    latest: dict[str, Any] = {}
    for row in _f_latest.dicts(conn, {"g": gemeente}):
        latest[row["activity"]] = row
    result: dict[str, tuple[int, dt.datetime, dict[str, Any]]] = {}
    new: list[dict[str, Any]] = []
    for code, content in entries.items():
        d = digests[code] if digests is not None else digest(content)
        cur = latest.get(code)
        if cur is not None and cur["digest"] == d:
            result[code] = (cur["version"], cur["valid_from"], content)
            continue
        new.append({"gemeente": gemeente, "activity": code,
                    "version": cur["version"] + 1 if cur is not None else 1, "digest": d,
                    "valid_from": now, "content": json.dumps(content, ensure_ascii=False)})
    if not new:
        return result
    # Stamped before the savepoint: the chain head is locked for the whole transaction.
    n = store.stamp(gemeente)
    for values in new:
        values["chain_n"] = n
    try:
        # One statement for a new municipality's whole register (the usual case) ...
        with conn.begin_nested():
            _f_insert.executemany(conn, new)
        for values in new:
            store.covered("register_versions", values, step="register")
            result[values["activity"]] = (values["version"], now, entries[values["activity"]])
        return result
    except IntegrityError:
        pass
    # ... and row by row when another process recorded some of these versions first.
    for values in new:
        code, version = values["activity"], values["version"]
        try:
            with conn.begin_nested():
                _f_insert.execute(conn, values).close()
            store.covered("register_versions", values, step="register")
            result[code] = (version, now, entries[code])
        except IntegrityError:
            won = conn.execute(select(rv.c.version, rv.c.valid_from).where(
                rv.c.gemeente == gemeente, rv.c.activity == code,
                rv.c.version == version)).one()
            result[code] = (won.version, won.valid_from, entries[code])
    return result


def history(conn: Connection, gemeente: str, code: str) -> list[dict[str, Any]]:
    """Every recorded version of one entry, oldest first."""
    rv = register_versions
    return [{"version": r.version, "validFrom": _iso(r.valid_from),
             **json.loads(r.content)}
            for r in conn.execute(select(rv).where(rv.c.gemeente == gemeente,
                                                   rv.c.activity == code)
                                  .order_by(rv.c.version))]


def build(engine: Operator, gemeente: str) -> list[dict[str, Any]]:
    """The register of ``gemeente`` as ProcessingActivityVersion objects, versions recorded."""
    with engine.unit_of_work(gemeente) as uow:
        versions = uow.activities.versions(uow.store, gemeente, uow.now)
    uow.activities.forget(gemeente)  # the cache re-reads what was just recorded
    base = uow.activities.public_url
    return [{"id": activity_id(gemeente, code, version, base), "code": code,
             **copy.deepcopy(content), "version": version, "validFrom": _iso(valid_from)}
            for code, (version, valid_from, content) in versions.items()]


def _iso(when: dt.datetime) -> str:
    return when.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def render_text(entries: list[dict[str, Any]], gemeente: str, months: int,
                catalogue: Catalogue | None = None) -> str:
    """The register for people (Dutch)."""
    lines = [f"Register van verwerkingsactiviteiten (AVG art. 30) — gemeente {gemeente}",
             "Verwerkingsverantwoordelijke: het college van burgemeester en wethouders",
             (f"Bewaartermijn: {months} maanden na afsluiting ({retention_period(months)}); "
              "een gemeentelijke keuze, de wet stelt geen termijn (R33)"), ""]
    names = dict(CORE_CATEGORIES)
    if catalogue is not None:
        names.update({code: c.name for code, c in catalogue.categories.items()})
    for e in entries:
        origin = "kern" if "." not in e["code"] else f"plugin {e['code'].split('.')[0]}"
        recipients = ("betrokken partijen en andere ontvangers"
                      if e["recipients"]["legalRole"] == "ThirdParty" else "alleen het college")
        # Every category, none left out: the register is what a person or the AP checks.
        shown = ", ".join(names.get(c, c) for c in e["personalData"]["categories"])
        lines += [
            f"{e['code']}  v{e['version']}, geldig vanaf {e['validFrom']}  ({origin})",
            f"  {e['name']}",
            f"  doel: {e['purpose']}",
            f"  grondslag: {e['grondslag']} (nooit toestemming, R13)",
            f"  betrokkenen: {', '.join(e['betrokkenen'])}",
            f"  gegevens: {shown}",
            *([("  bijzondere categorieën: " + "; ".join(
                f"{names.get(s['categorie'], s['categorie'])} ({s['soort']}; "
                f"{s['uitzondering']})" for s in e["bijzondereCategorieen"]))]
              if e.get("bijzondereCategorieen") else []),
            f"  handelingen: {', '.join(OPERATIONS_NL.get(o, o) for o in e['processingOptions'])}",
            f"  ontvangers: {recipients}",
            f"  kenmerk: {e['id']}",
            ""]
    return "\n".join(lines)


#: (gemeente, bewaartermijn) → the register's entries and each one's digest: they follow from
#: the frozen catalogue and those two alone, and building and hashing them all cost every
#: access report half a millisecond and every new database a millisecond (a scenario run opens
#: one a scenario). Shared by every engine of a catalogue: whoever hands an entry out copies it
#: (build); the access report only reads a few strings of them.
Made = dict[tuple[str, int], tuple[dict[str, dict[str, Any]], dict[str, str]]]
#: per catalogue, by identity (load_catalogue keeps one a process; it is frozen): its Made,
#: dropped with it
_MADE: dict[int, tuple[weakref.ref[Catalogue], Made]] = {}
_MADE_LOCK = threading.Lock()


def _made_for(catalogue: Catalogue) -> Made:
    key = id(catalogue)
    with _MADE_LOCK:
        found = _MADE.get(key)
        if found is not None and found[0]() is catalogue:
            return found[1]
        made: Made = {}
        _MADE[key] = (weakref.ref(catalogue, lambda _: _MADE.pop(key, None)), made)
        return made


class ActivityVersions:
    """Which version of each register entry is in force, per municipality, for the log.

    The first processing of a municipality in this process records the register's current
    content in ``register_versions`` (a new version where an entry changed: a plugin upgrade,
    another bewaartermijn) and caches the version numbers, so the hot path pays one dict
    lookup. :meth:`forget` drops a municipality after its bewaartermijn changed.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        # Where the ids resolve (a service's public URL); None: urn:wams:... ids.
        self.public_url: str | None = None
        self._ids: dict[str, dict[str, str]] = {}
        self._made = _made_for(catalogue)
        self._lock = threading.Lock()

    def uri(self, store: Store, gemeente: str, activity: str, now: dt.datetime) -> str:
        ids = self._ids.get(gemeente)
        if ids is None:
            ids = {code: activity_id(gemeente, code, v[0], self.public_url)
                   for code, v in self.versions(store, gemeente, now).items()}
            with self._lock:
                self._ids[gemeente] = ids
        # An activity no register entry declares still gets a (versionless) URI.
        return ids.get(activity) or activity_id(gemeente, activity, None, self.public_url)

    def versions(self, store: Store, gemeente: str,
                 now: dt.datetime) -> dict[str, tuple[int, dt.datetime, dict[str, Any]]]:
        """code → (version, valid_from, content) in force, recording changed entries."""
        months = bewaartermijn(store, gemeente)
        made = self._made.get((gemeente, months))
        if made is None:
            entries = contents(self.catalogue, gemeente, months)
            made = entries, {code: digest(content) for code, content in entries.items()}
            with _MADE_LOCK:
                self._made[(gemeente, months)] = made
        return sync(store, gemeente, made[0], now, made[1])

    def forget(self, gemeente: str | None) -> None:
        """Drop the cached ids of ``gemeente`` (None: of every municipality)."""
        with self._lock:
            if gemeente is None:
                self._ids.clear()
            else:
                self._ids.pop(gemeente, None)
