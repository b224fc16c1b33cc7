"""The rule table of the ``wams-2020`` rule set: one place for every rule the software enforces.

Why a table: decisions, reason codes, scenarios and the processing log all *cite* rules by a
stable id (``R01`` … ``R38``). Keeping id, title, summary and legal sources together means a
refusal can always say which rule it rests on and where that rule comes from, and a later
version of the bill (e.g. Kamerstuk 36 295) can be added as another rule set without touching
this one.

Every source is a :class:`~wams.core.law.citations.Citation`: instrument, provision or section, and
a footing that says how firmly it rests on the 2020 consultation memorandum (``bron``,
``praktijk``, ``aangekondigd``, ``ander_voorstel``, ``keuze``). The memorandum gives almost no
article numbers and stops in §3.3.3, so a rule that needs the announced data-processing
regulation (§3.3 → §3.4) says ``aangekondigd``, a rule from the 2023 bill says
``ander_voorstel`` and a rule the memorandum is silent on says ``keuze``. No article number of
the Wmo 2015, Jeugdwet, Participatiewet or Wgs is made up here; ``tests/test_citations.py``
checks every ``bron`` against the memorandum's text.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from wams.core.law.citations import Citation, ander_voorstel, keuze, mvt

RULESET = "wams-2020"


@attrs.frozen
class Rule:
    """One rule of the rule set.

    ``id`` is the stable identifier cited everywhere; ``title`` is a short Dutch title for people
    reading a decision; ``summary`` says what the software enforces (not a paraphrase of the
    law); ``sources`` are the legal citations, most specific first.
    """

    id: str
    title: str
    summary: str
    sources: tuple[Citation, ...]


# Citations used more than once, spelled once so they stay identical (``citations()`` dedups
# by equality).
#: the new paragraph with the college's tasks: the memorandum names it, not its articles
TAKEN = Citation("Wmo 2015", "nieuwe paragraaf 3a", "bron", ("§1.3",), voorstel=True)
MELDPUNT = Citation("Wmo 2015", "artikel 2.2.5", "bron", ("§1.2",), voorstel=True)
SPIEGEL = Citation("Jeugdwet, Participatiewet en Wgs", "spiegelbepalingen", "bron", ("§1.3",),
                    voorstel=True)
#: §3.2.3 quotes it as the model for a supplier who weighs what is necessary; it addresses the
#: jeugdhulpaanbieder and the jeugdhulpverlener only
JW_740 = Citation("Jeugdwet", "artikel 7.4.0, tweede en derde lid (model)", "bron", ("§3.2.3",))
_AVG_6E = Citation("AVG", "artikel 6, eerste lid, onderdeel e", "bron", ("§3.3",))
#: the memorandum names the AVG rights (§3.2.5, §3.3.2) but no article: the numbers are ours
AVG_15 = Citation("AVG", "artikel 15 (recht van inzage)", "keuze", ("§3.2.5",))
AVG_6C = Citation("AVG", "artikel 6, eerste lid, onderdeel c (wettelijke verplichting: inzage)",
                  "keuze", ("§3.2.5",))
#: AVG art. 9/10: health and criminal data need an exception on top of 6(1)(e). The memorandum
#: names the data (§2.2: "slechte gezondheid", politie- en justitiële gegevens) but no article;
#: the exception belongs in the data-processing regulation that §3.3 announces for §3.4, which
#: the consultation text lacks: so ``aangekondigd``, never ``bron``.
AVG_9 = Citation("AVG", "artikel 9, tweede lid", "aangekondigd", ("§3.3", "§2.2"))
AVG_10 = Citation("AVG", "artikel 10", "aangekondigd", ("§3.3", "§2.2"))
#: special kind of a data category (records.SPECIAL_KINDS) → the exception it needs; "minor"
#: is special to us (R14) but no special category of the AVG, so it needs none
SPECIAL_EXCEPTIONS: dict[str, Citation] = {"health": AVG_9, "criminal": AVG_10}
_AVG_21 = Citation("AVG", "artikel 21 (verzoek om te stoppen)", "keuze", ("§3.3.2",))
#: §3.3 announces the data-processing regulation for §3.4, which the consultation text lacks;
#: §3.2.2-§3.2.4 describe the gaps it is to close
DOORBREKING = Citation("Wmo 2015", "verstrekking aan het college voor de integrale aanpak, zo "
                       "nodig met doorbreking van doelbinding en geheimhouding", "aangekondigd",
                       ("§3.3", "§3.2.3"), voorstel=True)
_HERGEBRUIK = Citation("Wmo 2015", "hergebruik van eigen sociaal-domeingegevens",
                       "aangekondigd", ("§3.3", "§3.2.2"), voorstel=True)
_CASUSOVERLEG = Citation("Wmo 2015", "regeling voor het casusoverleg", "aangekondigd",
                         ("§3.3", "§3.2.4"), voorstel=True)
_EIGEN_GEMEENTE = Citation("Wmo 2015", "taak van het college van de gemeente waar de persoon "
                           "woont", "bron", ("§3.3.1",))
_PRAKTIJK = mvt("§3.1.4", "praktijk")


def _r(rule_id: str, title: str, summary: str, *sources: str | Citation) -> Rule:
    # a bare "MvT §x" is a section of the memorandum that says it (footing bron)
    return Rule(id=rule_id, title=title, summary=summary,
                sources=tuple(mvt(s.removeprefix("MvT ")) if isinstance(s, str) else s
                              for s in sources))


_TABLE: tuple[Rule, ...] = (
    # --- Entry and scope -------------------------------------------------------------------
    _r(
        "R01",
        "Toegang alleen via hulpvraag of verzoek",
        "A case opens only through a hulpvraag under the Wmo 2015, Jeugdwet, Participatiewet "
        "or Wgs (entered through that law's plugin) or a verzoek from a party already involved "
        "with the person; never from data matching, bulk import or analytics. The entry records "
        "which law's provision opened it.",
        "MvT §1.4",
        "MvT §1.3",
        TAKEN,
        SPIEGEL,
    ),
    _r(
        "R02",
        "Onderzoek verplicht bij aanleiding",
        "In route A the onderzoek is mandatory once there is reason (the cliënt says so, a "
        "problem that usually comes with others, the answer to 'do you need anything else?', "
        "or the employee's observation); the reason is recorded.",
        "MvT §3.3.1",
        TAKEN,
    ),
    _r(
        "R03",
        "Onderzoek in samenspraak met de cliënt",
        "In route A the scope is the set of domains the cliënt accepts; data requests, parties "
        "and services in a refused domain are refused. In a dispute the explanation of "
        "consequences is recorded and the cliënt's wish decides.",
        "MvT §3.3.1",
        TAKEN,
    ),
    _r(
        "R04",
        "Geen fishing expedition",
        "Every domain added to an onderzoek and every data request carries a recorded reason; "
        "a broad standard questionnaire is not a reason.",
        "MvT §3.3.1",
    ),
    _r(
        "R05",
        "Vragen naar andere hulpbehoefte mag altijd",
        "Asking whether the cliënt needs other services is always allowed (e.g. about debts at "
        "a bijstand application); plugins contribute such signalen.",
        "MvT §3.3.1",
    ),
    _r(
        "R06",
        "Verzoek van betrokken partij met onderbouwing",
        "In route B the verzoek names the requesting party, which must already be involved, "
        "and substantiates why the problems are serious (at least one severity indicator) and "
        "how an integrated approach can help; otherwise it cannot be accepted.",
        "MvT §3.3.2",
        "MvT §2.2",
        TAKEN,
    ),
    _r(
        "R07",
        "Gemotiveerd besluit op het verzoek",
        "In route B the college records a decision (grounds yes/no) with reasons referring to "
        "the severity indicators and the versioned municipal werkinstructie, before any "
        "processing beyond handling the request.",
        "MvT §3.3.2",
        "MvT §2.2",
        TAKEN,
    ),
    _r(
        "R08",
        "Samenspraak voor zover mogelijk en informeren",
        "In route B attempts to involve the cliënt are recorded, and the cliënt and affected "
        "family members are informed of the intended processing and their AVG rights before "
        "data is requested from other parties.",
        "MvT §3.3.2",
    ),
    _r(
        "R09",
        "Verzoek om te stoppen met verwerken",
        "In route B a request to stop processing halts all processing of that person until the "
        "college decides; it resumes only with a recorded, severity-based reason. In route A "
        "such a request ends the processing of that person (samenspraak).",
        "MvT §3.3.2",
        "MvT §3.3.1",
        _AVG_21,
    ),
    _r(
        "R10",
        "Gezinslid alleen bij samenhangende problematiek",
        "A family member joins a case only with recorded samenhang with the cliënt's problems.",
        "MvT §2.2",
    ),
    _r(
        "R11",
        "Aanpalende partij alleen met aanleiding",
        "A party from an adjacent domain joins a case only with a recorded aanleiding.",
        "MvT §3.3",
        TAKEN,
    ),
    _r(
        "R12",
        "Strafrechtketen alleen voor preventie en re-integratie",
        "Criminal-justice parties (politie, reclassering, DJI, forensische zorg, Raad voor de "
        "Kinderbescherming, Halt, jeugdreclassering) take part only to prevent (repeat) "
        "offending or victimisation or for re-integration.",
        "MvT §2.2",
    ),
    # --- Data ------------------------------------------------------------------------------
    _r(
        "R13",
        "Grondslag: wettelijke taak, nooit toestemming",
        "The legal basis of all processing is AVG art. 6(1)(e) together with the college's task "
        "in the proposed new paragraph 3a of the Wmo 2015; consent is never recorded as a basis. "
        "Health and criminal data need an exception on top of it (AVG art. 9 and 10), which the "
        "announced data-processing regulation is to give: a step that processes them cites it "
        "(footing aangekondigd) in its decision, its log records and the register.",
        _AVG_6E,
        TAKEN,
        "MvT §3.2.1",
        "MvT §3.3",
    ),
    _r(
        "R14",
        "Alleen gedeclareerde gegevenscategorieën",
        "Every data category is declared by a plugin with its domain, whether it is special "
        "(health, criminal, minors), its confidentiality regime (beroepsgeheim, Wpg, Wjsg, none) "
        "and the party kinds that may supply it; undeclared data is rejected. The catalogue "
        "itself is a design choice; the regimes it records are those the MvT names.",
        "MvT §3.2.3",
        "MvT §2.2",
        keuze("een catalogus van gegevenscategorieën, door plugins gedeclareerd"),
    ),
    _r(
        "R15",
        "Gerichte en gemotiveerde gegevensvraag",
        "A data request from the college states case, category, person, specific purpose and why "
        "it is necessary.",
        "MvT §3.3.1",
        ander_voorstel("vorm van de gegevensvraag: zaak, categorie, persoon, doel en "
                       "noodzaak"),
    ),
    _r(
        "R16",
        "Verstrekkende partij beslist en stelt voorwaarden",
        "The supplying party decides whether to provide (fully, partly) or refuse for weighty "
        "reasons, and may attach conditions (e.g. no onward sharing) that the system enforces. "
        "The supplier weighs the necessity, on the model of Jeugdwet art. 7.4.0.",
        "MvT §3.2.3",
        JW_740,
        ander_voorstel("weigering om zwaarwegende redenen en voorwaarden bij de "
                       "verstrekking"),
    ),
    _r(
        "R17",
        "Doorbreking van doelbinding en geheimhouding alleen voor dit doel",
        "Provision may override purpose binding, professional secrecy and closed regimes (Wpg, "
        "Wjsg) only for the integrated approach; such data keeps a tag of its origin regime.",
        DOORBREKING,
    ),
    _r(
        "R18",
        "Hergebruik van eigen sociaal-domeingegevens",
        "Data the college already holds under one of the four laws may be reused for the case "
        "without consent; each reuse is logged.",
        _HERGEBRUIK,
    ),
    _r(
        "R19",
        "Stapsgewijze minimalisatie",
        "Data is requested only about a person in the case, in a domain in scope, from a party "
        "that may supply it, while the onderzoek or the coördinatie runs.",
        "MvT §3.3.1",
    ),
    _r(
        "R20",
        "Geen handhaving, opsporing of vervolging",
        "Nothing processed for a case can be exported or used for handhaving, opsporing or "
        "vervolging; such a purpose is refused outright.",
        "MvT §1.4",
        "MvT §2.2",
    ),
    _r(
        "R21",
        "College verwerkingsverantwoordelijke; gescheiden hoedanigheden",
        "The college is the controller of the coordination dossier. A party working in two "
        "capacities has each data item tagged with its capacity; data never moves between the "
        "two dossiers without a rule that allows it.",
        "MvT §3.2.5",
    ),
    # --- Werkplan, coördinatie, casusoverleg ----------------------------------------------
    _r(
        "R22",
        "Werkplan verplicht",
        "A werkplan is mandatory when one cliënt has more than one sociaal-domein service, or "
        "two or more family members have sociaal-domein services, and a coordinated approach "
        "can help.",
        "MvT §3.3",
        "MvT §3.3.3",
        TAKEN,
    ),
    _r(
        "R23",
        "Werkplan bevoegd",
        "A werkplan is allowed, not required, with exactly one sociaal-domein service plus at "
        "least one adjacent service or intervention.",
        "MvT §3.3",
        TAKEN,
    ),
    _r(
        "R24",
        "Geen werkplan zonder sociaal-domeindienst",
        "There is no werkplan without at least one service from the sociaal domein.",
        "MvT §2.2",
    ),
    _r(
        "R25",
        "Inhoud van het werkplan",
        "A werkplan holds running and needed services and agreements on coördinatie (who, how), "
        "evaluatie and beëindiging, optionally a contact person; every change is a new version.",
        "MvT §3.3.1",
        _PRAKTIJK,
        TAKEN,
    ),
    _r(
        "R26",
        "Eén coördinator",
        "An adopted werkplan has exactly one coordinator: the cliënt where feasible, a party "
        "involved, or a municipal official.",
        "MvT §3.3.3",
        TAKEN,
        keuze("de cliënt coördineert pas vanaf 18 jaar", "§3.3.3"),
    ),
    _r(
        "R27",
        "Taken van de coördinator",
        "The coordinator follows progress, aligns parties, convenes casusoverleg and reports to "
        "the college periodically; an overdue report is visible.",
        "MvT §3.3.3",
        TAKEN,
    ),
    _r(
        "R28",
        "Geen doorzettingsmacht",
        "Neither the college nor the coordinator can assign a task to a party; a party's "
        "contribution is recorded as that party's own decision.",
        "MvT §1.4",
        "MvT §3.3.3",
        _PRAKTIJK,
    ),
    _r(
        "R29",
        "Casusoverleg: bijeenroeper en deelnemers",
        "A casusoverleg is convened by the college during the onderzoek or by the coordinator "
        "during the coördinatie; only parties involved in the case and the cliënt take part.",
        "MvT §3.3",
        _PRAKTIJK,
        TAKEN,
    ),
    _r(
        "R30",
        "Toets per inbreng in het casusoverleg",
        "Each contribution (party, category, person) is checked: the party may supply that "
        "category, person and domain are in scope, each recipient has a role in the case; every "
        "share is logged per recipient.",
        _CASUSOVERLEG,
    ),
    _r(
        "R31",
        "Uitkomsten casusoverleg in het werkplan",
        "The outcomes of a casusoverleg are recorded in the werkplan.",
        _PRAKTIJK,
    ),
    # --- Closure, retention, meldpunt, rights ---------------------------------------------
    _r(
        "R32",
        "Afsluiten met terugvalafspraken",
        "Closing a coordinated case requires agreements on relapse (terugvalafspraken).",
        _PRAKTIJK,
    ),
    _r(
        "R33",
        "Beperkte bewaring, daarna vernietiging",
        "After closure the coordination dossier is kept for a limited, per-municipality period "
        "(default 12 months, a municipal choice: the bill sets none), then destroyed; "
        "destruction removes all personal data, keeps a proof of destruction and is logged.",
        _PRAKTIJK,
        keuze("bewaartermijn van 12 maanden, per gemeente instelbaar"),
    ),
    _r(
        "R34",
        "Meldpunt",
        "Each municipality has a meldpunt where anyone can report worries about a resident; the "
        "reporter's identity is protected; data from a report is passed on only with a recorded "
        "reason.",
        MELDPUNT,
        "MvT §1.2",
        ander_voorstel("het meldpunt beschermt de identiteit van de melder"),
    ),
    _r(
        "R35",
        "Melding opent geen zaak",
        "A melding never opens a case by itself (R01): it leads to contact with the person "
        "(then a hulpvraag) or to a verzoek by an involved party.",
        "MvT §1.4",
        "MvT §1.2",
    ),
    _r(
        "R36",
        "Verwerkingsregister en inzage",
        "Every processing (collect, consult, provide, change, destroy) is logged with time, "
        "processing activity, person, case, purpose, legal basis, source and recipient; a "
        "person can get an access report of all processing about him.",
        "MvT §3.2.5",
        keuze("een verwerkingslog per verwerking, ook van raadplegen"),
        AVG_15,
    ),
    _r(
        "R37",
        "Geen dwang binnen de aanpak",
        "Coercive measures appear only as interventies with their own legal basis (e.g. Wvggz, "
        "Wzd); the workflow itself never coerces.",
        "MvT §1.4",
        "MvT §2.2",
    ),
    _r(
        "R38",
        "Eén gemeente per zaak",
        "Everything belongs to one municipality (tenant); nothing crosses tenants. The task lies "
        "with the college of the municipality where the person lives; strict isolation is how "
        "the software guarantees that.",
        _EIGEN_GEMEENTE,
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _TABLE}
"""R01..R38 in order; the single source of truth for rule ids."""

if len(RULES) != len(_TABLE):  # pragma: no cover - guards against a duplicated id when editing
    raise RuntimeError("duplicate rule id in the wams-2020 rule table")


def rule(rule_id: str) -> Rule:
    """Return the rule with this id; an unknown id is a programming error, so fail loudly."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(
            f"unknown rule id {rule_id!r} in rule set {RULESET!r} "
            f"(known: {next(iter(RULES))}..{next(reversed(RULES))})"
        ) from None


def citations(rule_ids: Iterable[str]) -> tuple[Citation, ...]:
    """The distinct legal sources of these rules, in order of first appearance.

    A decision cites several rules that often share a source (``MvT §3.3.1``); the person
    reading it should see each source once, in the order of the rules cited.
    """
    seen: dict[Citation, None] = {}
    for rule_id in rule_ids:
        for source in rule(rule_id).sources:
            seen.setdefault(source, None)
    return tuple(seen)


__all__ = ["AVG_10", "AVG_15", "AVG_6C", "AVG_9", "DOORBREKING", "JW_740", "MELDPUNT", "RULES",
           "RULESET", "SPECIAL_EXCEPTIONS", "SPIEGEL", "TAKEN", "Rule", "citations", "rule"]
