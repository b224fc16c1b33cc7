"""Applying an allowed step: how the case projection changes and what is processed.

Only called after :mod:`wams.core.law.policy` allowed the step, so nothing here refuses. Each
function mutates the case in place and returns the processing records (R36) the step causes
(one per person concerned, and in a casusoverleg one per person per recipient) and the phase
the case is in after it; the engine moves the case there along the step's edges
(:func:`wams.core.law.steps.move`), so no function here sets a phase itself.
"""

from __future__ import annotations

import attrs

from wams.core import commands as c
from wams.core.catalogue import Catalogue
from wams.core.law.policy import Context, exportable, grondslag, party_kind
from wams.core.model import (
    Casus,
    Coordinatie,
    DomainState,
    Gedeeld,
    Held,
    Item,
    Partij,
    PartyState,
    PersonState,
    Phase,
    Request,
    Verzoek,
    WerkplanVersie,
)

# Processing operations of the Logboek Dataverwerkingen vocabulary we use (R36). REQUEST is a
# request for data: the party learns who is being investigated, but no data is provided yet;
# the data moves only when the party answers (``verstrekking``: a COLLECT from the party).
COLLECT, CONSULT, PROVIDE, CHANGE, DESTROY = "collect", "consult", "provide", "change", "destroy"
REQUEST = "request"


@attrs.frozen
class Processing:
    """One processing of one person's data. ``subject`` is the person's ref in the case."""

    operation: str
    subject: str
    activity: str
    purpose: str
    category: str | None = None
    source: str | None = None
    recipient: str | None = None


@attrs.frozen
class Applied:
    """What an allowed step did: the phase the case is in after it (None outside a case),
    what was processed, and the werkplan grondslag it reports."""

    phase: Phase | None
    processings: tuple[Processing, ...] = ()
    werkplan: str | None = None


def _ensure_party(case: Casus, ctx: Context, partij: Partij, involved: bool = True,
                  **extra: str | None) -> PartyState:
    state = case.parties.get(partij.ref)
    if state is None:
        domain, _ = party_kind(ctx.catalogue, partij)
        state = PartyState(partij=partij, domain=domain)
        case.parties[partij.ref] = state
    if involved:
        state.involved = True
    for key, value in extra.items():
        if value is not None:
            setattr(state, key, value)
    return state


def open_case(case: Casus, step: str, cmd: c.Hulpvraag | c.Verzoek, ctx: Context,
              provision_domain: str | None) -> Applied:
    """A new case from a hulpvraag (route A) or verzoek (route B): cliënt and first domain."""
    case.persons[cmd.client.ref] = PersonState(persoon=cmd.client, role="client")
    if isinstance(cmd, c.Hulpvraag):
        if provision_domain:
            case.scope[provision_domain] = DomainState("in", f"hulpvraag: {cmd.vraag}", True)
        case.aanleiding = cmd.aanleiding
        activity, purpose, source = "onderzoek", "hulpvraag en onderzoek", "client"
    else:
        party = _ensure_party(case, ctx, cmd.partij, doel=cmd.doel)
        case.scope[party.domain] = DomainState("in", "verzoek van betrokken partij", None)
        case.verzoek = _verzoek_state(cmd)
        activity, purpose, source = "beoordeling_verzoek", "beoordeling verzoek om onderzoek", \
            cmd.partij.ref
    return Applied(case.phase, (Processing(COLLECT, cmd.client.ref, activity, purpose,
                                           source=source, recipient="college"),))


def _verzoek_state(cmd: c.Verzoek) -> Verzoek:
    return Verzoek(partij=cmd.partij.ref, onderbouwing=cmd.onderbouwing or "",
                   indicatoren=tuple(cmd.indicatoren), helpt=cmd.helpt or "")


def aanleiding(case: Casus, cmd: c.Aanleiding, ctx: Context) -> Applied:
    # R02: the onderzoek is mandatory once there is reason; the reason is recorded.
    case.aanleiding = cmd.omschrijving
    client = case.client()
    subject = client.persoon.ref if client else ""
    return Applied("onderzoek", (Processing(COLLECT, subject, "onderzoek",
                                            "aanleiding voor onderzoek"),))


def besluit_verzoek(case: Casus, cmd: c.BesluitVerzoek, ctx: Context) -> Applied:
    assert case.verzoek is not None
    case.verzoek.gegrond = cmd.gegrond
    case.verzoek.motivering = cmd.motivering
    case.verzoek.werkinstructie = cmd.werkinstructie
    if not cmd.gegrond:
        case.closed_on = ctx.today
    client = case.client()
    return Applied("onderzoek" if cmd.gegrond else "afgewezen", (Processing(
        CHANGE, client.persoon.ref if client else "", "beoordeling_verzoek",
        "besluit op verzoek"),))


def informeer(case: Casus, cmd: c.Informeer, ctx: Context) -> Applied:
    for ref in cmd.personen:
        case.persons[ref].informed = True
    return Applied(case.phase)


def samenspraak(case: Casus, cmd: c.Samenspraak, ctx: Context) -> Applied:
    case.samenspraak.append(cmd.omschrijving)
    return Applied(case.phase)


def domein(case: Casus, cmd: c.Domein, ctx: Context) -> Applied:
    # R03: in route A the cliënt's refusal keeps the domain out; in route B ("voor zover
    # mogelijk" in samenspraak, MvT §3.3.2) it joins and his view is recorded.
    refused = case.route == "A" and cmd.client_akkoord is False
    case.scope[cmd.domein] = DomainState("refused" if refused else "in", cmd.reden,
                                         cmd.client_akkoord)
    return Applied(case.phase)


def gezinslid(case: Casus, cmd: c.Gezinslid, ctx: Context) -> Applied:
    case.persons[cmd.persoon.ref] = PersonState(persoon=cmd.persoon, role="gezinslid",
                                                samenhang=cmd.samenhang)
    return Applied(case.phase, (Processing(COLLECT, cmd.persoon.ref, "onderzoek",
                                           "gezinslid betrekken bij samenhangende problematiek"),))


def logged_as(catalogue: Catalogue, code: str | None, step_activity: str) -> tuple[str, str]:
    """(activity, purpose) of a processing for purpose ``code``: the code's register activity
    and the code itself, so the log records what the code says, never the caller's text. A
    justice purpose accompanies the activity of its step."""
    doel = catalogue.purposes.get(code or "")
    if doel is None:
        return step_activity, code or ""
    return doel.activiteit or step_activity, doel.code


def betrek_partij(case: Casus, cmd: c.BetrekPartij, ctx: Context) -> Applied:
    _ensure_party(case, ctx, cmd.partij, aanleiding=cmd.aanleiding, doel=cmd.doel)
    return Applied(case.phase)


def vraag_gegevens(case: Casus, cmd: c.VraagGegevens, ctx: Context) -> Applied:
    _ensure_party(case, ctx, cmd.bij)
    case.requests.append(Request(cmd.bij.ref, cmd.categorie, cmd.over, cmd.doel or "",
                                 cmd.noodzaak or ""))
    # Asking a party about a person tells it that he is subject of an onderzoek: logged as
    # a request (to whom, which category, why), not as a provision of that category.
    activity, purpose = logged_as(ctx.catalogue, cmd.doel, "onderzoek")
    return Applied(case.phase, (Processing(REQUEST, cmd.over, activity, purpose,
                                           category=cmd.categorie, source="college",
                                           recipient=cmd.bij.ref),))


def verstrekking(case: Casus, cmd: c.Verstrekking, ctx: Context) -> Applied:
    bij = c.party_ref(cmd.bij)
    request = next(r for r in case.requests if r.bij == bij and r.categorie == cmd.categorie
                   and r.over == cmd.over and r.answer is None)
    request.answer = cmd.besluit
    if cmd.besluit == "geweigerd":
        return Applied(case.phase)
    category = ctx.catalogue.categories[cmd.categorie]
    party = case.parties[bij]
    basis = ctx.catalogue.provision_rule_for(cmd.categorie, category.regime, party.partij.soort)
    # R17: provided data keeps the tag of its origin regime and the rule it came under;
    # R21: and the capacity it came in.
    case.held.append(Held(cmd.categorie, cmd.over, bij, tuple(cmd.voorwaarden),
                          category.regime, party.partij.hoedanigheid,
                          basis[0] if basis else None))
    activity, purpose = logged_as(ctx.catalogue, request.doel, "onderzoek")
    return Applied(case.phase, (Processing(COLLECT, cmd.over, activity, purpose,
                                           category=cmd.categorie, source=bij,
                                           recipient="college"),))


def hergebruik(case: Casus, cmd: c.Hergebruik, ctx: Context) -> Applied:
    # R18: reuse without consent, each reuse logged (MvT §3.2.2).
    law = ctx.catalogue.plugin_of("categories", cmd.categorie) or "college"
    # R17: reused data keeps its regime tag (the policy lets no regime data through today).
    case.held.append(Held(cmd.categorie, cmd.over, f"college:{law}",
                          regime=ctx.catalogue.categories[cmd.categorie].regime))
    activity, purpose = logged_as(ctx.catalogue, cmd.doel, "hergebruik")
    return Applied(case.phase, (Processing(COLLECT, cmd.over, activity, purpose,
                                           category=cmd.categorie, source=f"college:{law}",
                                           recipient="college"),))


def dienst(case: Casus, cmd: c.Dienst, ctx: Context) -> Applied:
    service = ctx.catalogue.services[cmd.dienst]
    if cmd.partij is not None:
        _ensure_party(case, ctx, cmd.partij)
    case.items.append(Item(cmd.persoon, cmd.dienst, service.domain, service.kind,
                           ctx.catalogue.is_sociaal(service.domain), cmd.status,
                           cmd.partij.ref if cmd.partij else None))
    return Applied(case.phase, (Processing(COLLECT, cmd.persoon, "onderzoek",
                                           "lopende en benodigde diensten vastleggen",
                                           source=cmd.partij.ref if cmd.partij else None),))


def terugkoppeling(case: Casus, cmd: c.Terugkoppeling, ctx: Context) -> Applied:
    g = grondslag(case)
    case.terugkoppeling = cmd.samenvatting
    if g == "geen_grondslag":
        # R24: no werkplan without a sociaal-domein basis; the onderzoek ends the case.
        case.closed_on = ctx.today
        return Applied("afgesloten", werkplan=g)
    return Applied("werkplan", werkplan=g)


def werkplan(case: Casus, cmd: c.Werkplan, ctx: Context) -> Applied:
    g = grondslag(case, cmd.coordinatie_helpt)
    a = cmd.afspraken
    uitkomsten = tuple(case.pending_uitkomsten)
    if case.werkplan is not None:
        uitkomsten = case.werkplan.uitkomsten + uitkomsten
    case.pending_uitkomsten.clear()
    # R25: every change is a new version; earlier versions stay.
    case.werkplannen.append(WerkplanVersie(
        version=len(case.werkplannen) + 1, grondslag=g, samenhang=cmd.samenhang or "",
        coordinatie=a.coordinatie or "", evaluatie=a.evaluatie or "",
        beeindiging=a.beeindiging or "", contactpersoon=cmd.contactpersoon,
        lopend=tuple(f"{i.persoon}:{i.dienst}" for i in case.items if i.status == "lopend"),
        benodigd=tuple(f"{i.persoon}:{i.dienst}" for i in case.items if i.status == "benodigd"),
        adopted_on=ctx.today, uitkomsten=uitkomsten))
    # R09: a person whose processing was halted or ended is not processed again.
    return Applied(case.phase, tuple(
        Processing(COLLECT, ref, "werkplan", "werkplan vaststellen")
        for ref in case.processable(ctx.halted_elsewhere)), werkplan=g)


def coordinator(case: Casus, cmd: c.Coordinator, ctx: Context) -> Applied:
    case.coordinator = Coordinatie(cmd.type, cmd.wie, ctx.today)
    return Applied("coordinatie")


def akkoord_coordinatie(case: Casus, cmd: c.AkkoordCoordinatie, ctx: Context) -> Applied:
    # R26/R28: the party's own consent; no personal data is processed by it.
    case.parties[cmd.partij].akkoord_coordinatie = True
    return Applied(case.phase)


def casusoverleg(case: Casus, cmd: c.Casusoverleg, ctx: Context) -> Applied:
    processings: list[Processing] = []
    activity, purpose = logged_as(ctx.catalogue, cmd.doel, "casusoverleg")
    for item in cmd.inbreng:
        if item.partij != "college":
            party = case.parties.get(item.partij)
            if party is not None:
                party.involved = True
        # R30: every share is logged for each recipient.
        for recipient in cmd.deelnemers:
            if recipient == item.partij:
                continue
            processings.append(Processing(PROVIDE, item.over, activity, purpose,
                                          category=item.categorie,
                                          source=item.partij, recipient=recipient))
            # Kept so a participating party can later see what was shared with it (and
            # nothing else): the party view of the service.
            case.gedeeld.append(Gedeeld(recipient, item.categorie, item.over, item.partij))
    # R31: outcomes are recorded in the werkplan (a new version when one exists).
    if cmd.uitkomst:
        if case.werkplan is not None:
            current = case.werkplan
            case.werkplannen.append(attrs.evolve(
                current, version=current.version + 1, adopted_on=ctx.today,
                uitkomsten=current.uitkomsten + (cmd.uitkomst,)))
        else:
            case.pending_uitkomsten.append(cmd.uitkomst)
    return Applied(case.phase, tuple(processings))


def voortgang(case: Casus, cmd: c.Voortgang, ctx: Context) -> Applied:
    case.voortgang.append(ctx.today)
    client = case.client()
    processable = case.processable(ctx.halted_elsewhere)
    subjects = [client.persoon.ref] if client and client.persoon.ref in processable else []
    return Applied(case.phase, tuple(Processing(COLLECT, ref, "werkplan",
                                                "voortgangsrapportage aan het college")
                                     for ref in subjects))


def bijdrage(case: Casus, cmd: c.Bijdrage, ctx: Context) -> Applied:
    # R28: recorded as the party's own decision, never as a task given to it.
    case.bijdragen.append(f"{cmd.partij}: {cmd.omschrijving}")
    return Applied(case.phase)


def bezwaar(case: Casus, cmd: c.Bezwaar, ctx: Context) -> Applied:
    state = case.persons[cmd.persoon]
    state.objection = "ended" if case.route == "A" else "pending"
    return Applied(case.phase, (Processing(CHANGE, cmd.persoon, "onderzoek",
                                           "verzoek om verwerking te stoppen vastleggen"),))


def besluit_bezwaar(case: Casus, cmd: c.BesluitBezwaar, ctx: Context) -> Applied:
    case.persons[cmd.persoon].objection = "resumed" if cmd.doorgaan else "ended"
    return Applied(case.phase, (Processing(CHANGE, cmd.persoon, "onderzoek",
                                           "besluit op verzoek om verwerking te stoppen"),))


def sluit(case: Casus, cmd: c.Sluit, ctx: Context) -> Applied:
    case.terugvalafspraken = cmd.terugvalafspraken
    case.closed_on = ctx.today
    return Applied("afgesloten")


def export(case: Casus, cmd: c.Export, ctx: Context) -> Applied:
    # One record per person for the case data, and one per held item that leaves the case;
    # items a supplier's condition keeps in are not exported, so not logged (R16, R36).
    persons = case.processable(ctx.halted_elsewhere)
    activity, purpose = logged_as(ctx.catalogue, cmd.doel, "export")
    return Applied(case.phase, (
        *(Processing(PROVIDE, ref, activity, purpose, recipient="export") for ref in persons),
        *(Processing(PROVIDE, h.over, activity, purpose, category=h.categorie, source=h.bron,
                     recipient="export")
          for h in case.held if h.over in persons and exportable(case, h.voorwaarden))))
