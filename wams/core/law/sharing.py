"""Decisions on sharing data: requests, provision, reuse, the casusoverleg and export.

These steps carry personal data from one party to another (R13–R21, R29–R31); what they have
in common is that data keeps what it came with: its regime and the rule it was provided under
(R17), its supplier's conditions (R16), and who may hear it (R30). Pure, like
:mod:`wams.core.law.policy`, whose step table uses them.
"""

from __future__ import annotations

from typing import Any

from wams.core import commands as c
from wams.core.catalogue import Catalogue
from wams.core.errors import InputError
from wams.core.law.checks import (
    NOT_EXPORTED,
    Context,
    Verdict,
    check_in_case,
    check_informed,
    check_justice_purpose,
    check_objection,
    check_party_identity,
    check_purpose_phase,
    check_reason,
    check_request,
    check_scope,
    check_screening,
    check_voorwaarden,
    missing,
    no,
    ok,
    party_kind,
    purpose,
)
from wams.core.law.citations import Citation
from wams.core.model import Casus, Partij


def vraag_gegevens(case: Casus, cmd: c.VraagGegevens, ctx: Context) -> Verdict:
    check_party_identity(case, cmd.bij)
    refusal = check_request(case, ctx.catalogue, cmd.over, cmd.categorie, cmd.bij,
                            ctx.halted_elsewhere)
    if refusal:
        return refusal
    doel = purpose(ctx, cmd.doel, "vraag_gegevens")
    if doel is None or missing(cmd.noodzaak):
        return no("reason.missing", "Een verzoek om gegevens noemt een doelcode en waarom de "
                  "gegevens nodig zijn (R15).")
    refusal = check_screening(cmd.noodzaak)
    if refusal:
        return refusal
    # R12: asking a justice body discloses the person to it: only for a justice purpose.
    refusal = (check_justice_purpose(doel.code, party_kind(ctx.catalogue, cmd.bij)[1],
                                     cmd.bij.ref)
               or check_purpose_phase(case, doel))
    if refusal:
        return refusal
    rules = ["R13", "R15", "R19"]
    if ctx.catalogue.categories[cmd.categorie].regime:
        rules.append("R17")
    return ok(*rules)


VERSTREKKING_BESLUITEN = ("verstrekt", "gedeeltelijk", "geweigerd")


def verstrekking(case: Casus, cmd: c.Verstrekking, ctx: Context) -> Verdict:
    if cmd.besluit not in VERSTREKKING_BESLUITEN:
        raise InputError(f"besluit '{cmd.besluit}' is onbekend; kies "
                         + ", ".join(VERSTREKKING_BESLUITEN))
    check_voorwaarden(cmd.voorwaarden)
    if isinstance(cmd.bij, Partij):
        check_party_identity(case, cmd.bij)
    bij = c.party_ref(cmd.bij)
    if not any(r.bij == bij and r.categorie == cmd.categorie and r.over == cmd.over
               and r.answer is None for r in case.requests):
        return no("state.invalid_transition", "Er staat geen verzoek om deze gegevens open.")
    # The domain may have been refused since the request (R03): then nothing is stored.
    refusal = (check_objection(case, cmd.over, ctx.halted_elsewhere)
               or check_scope(case, ctx.catalogue.categories[cmd.categorie].domain))
    if refusal:
        return refusal
    if cmd.besluit == "geweigerd" and missing(cmd.reden):
        return no("reason.missing", "Een weigering noemt de gewichtige reden (R16).")
    if cmd.besluit == "geweigerd":
        return ok("R16")
    # R17: data under a regime is provided only under a provision rule that breaks through
    # that regime for the integrated approach (MvT §3.2.3); the decision cites that rule.
    refusal, basis = provision_basis(ctx.catalogue, cmd.categorie,
                                     case.parties[bij].partij.soort)
    if refusal or basis is None:
        return refusal or ok("R16")
    code, citation = basis
    return Verdict("ok", ("R16", "R17"), f"Verstrekt op grond van {code}.", sources=citation)


def provision_basis(cat: Catalogue, categorie: str, soort: str
                    ) -> tuple[Verdict | None, tuple[str, tuple[Citation, ...]] | None]:
    """R17: the provision rule under which a party of kind ``soort`` may provide ``categorie``
    (its code and citation), None for a category under no regime; ``provision.no_basis`` when
    it is under a regime that no rule breaks for this kind. The same for a bilateral
    verstrekking and for what a party brings into a casusoverleg (issue 23: no detour)."""
    regime = cat.categories[categorie].regime
    if regime is None:
        return None, None
    basis = cat.provision_rule_for(categorie, regime, soort)
    if basis is None:
        return no("provision.no_basis", f"Geen verstrekkingsregel doorbreekt '{regime}' voor "
                  f"'{categorie}' van een {soort}."), None
    return None, (basis[0], basis[1].citation)


def hergebruik(case: Casus, cmd: c.Hergebruik, ctx: Context) -> Verdict:
    cat = ctx.catalogue
    # R08 (issue 23): reuse is intended processing too; informing comes first (MvT §3.3.2).
    refusal = (check_objection(case, cmd.over, ctx.halted_elsewhere)
               or check_informed(case, cmd.over)
               or check_in_case(case, cmd.over))
    if refusal:
        return refusal
    category = cat.categories.get(cmd.categorie)
    if category is None:
        return no("category.undeclared")
    refusal = check_scope(case, category.domain)
    if refusal:
        return refusal
    # R18: only data the college holds under one of the four sociaal-domein laws.
    if not cat.is_sociaal(category.domain):
        return no("category.party_may_not_supply", "Het college houdt deze gegevens niet onder "
                  "een van de vier wetten van het sociaal domein.")
    # R21: data under professional secrecy belongs to the hulpverlener's dossier, not the
    # college's; it does not move between the two (MvT §3.2.5). R17: the closed regimes (Wpg,
    # Wjsg) open only through provision under a rule, never by reuse (MvT §3.2.3).
    if category.regime is not None:
        return no("capacity.crossing", f"Regime: {category.regime}.")
    detail = "Hergebruik noemt een reden en een doelcode."
    if purpose(ctx, cmd.doel, "hergebruik") is None:
        return no("reason.missing", detail)
    return check_reason(cmd.reden, detail) or ok("R18", "R13")



def casusoverleg(case: Casus, cmd: c.Casusoverleg, ctx: Context) -> Verdict:
    # R29: the college convenes during the onderzoek and, after the terugkoppeling, to agree
    # the werkplan ("Onderdeel van het onderzoek, dan wel de integrale aanpak", MvT §3.3;
    # §3.1.4: the casusoverleg's agreements are laid down in the werkplan); the coordinator
    # once appointed, during the coördinatie.
    if cmd.bijeengeroepen_door not in ("college", "coordinator"):
        raise InputError("bijeengeroepen_door is college of coordinator")
    if cmd.bijeengeroepen_door == "coordinator":
        if case.coordinator is None:
            return no("coordinator.missing")
    elif case.phase == "coordinatie":
        return no("casusoverleg.convener", "De zaak is in de coördinatie: de aangewezen "
                  "coördinator roept het casusoverleg bijeen.")
    doel = purpose(ctx, cmd.doel, "casusoverleg")
    if doel is None:
        return no("reason.missing", "Een casusoverleg noemt zijn doelcode.")
    for who in cmd.deelnemers:
        party = case.parties.get(who)
        if who not in case.persons and (party is None or not party.involved):
            return no("casusoverleg.not_involved", f"'{who}' is niet bij de casus betrokken.")
        # Issue 23: a party of a domain the cliënt refused or withdrew is no longer at the
        # table: his wish decides (MvT §3.3.1 "de wens van de betrokkene(n) leidend").
        if party is not None and withdrawn(case, party.domain):
            return no("casusoverleg.domain_withdrawn", f"'{who}' werkt in domein "
                      f"'{party.domain}'.")
        # R12: with a justice or enforcement body at the table, the purpose is a justice
        # purpose, whatever the outcome says.
        if party is not None:
            refusal = check_justice_purpose(doel.code,
                                            party_kind(ctx.catalogue, party.partij)[1], who)
            if refusal:
                return refusal
    sources: dict[Citation, None] = {}
    for item in cmd.inbreng:
        refusal, cited = _inbreng(case, cmd, item, ctx)
        if refusal:
            return refusal
        sources.update(dict.fromkeys(cited))
    rules = ("R29", "R30", "R31", *(("R17",) if sources else ()))
    return Verdict("ok", rules, sources=tuple(sources))


def withdrawn(case: Casus, domain: str) -> bool:
    """R03: the cliënt refused this domain, or withdrew it after it was in scope."""
    state = case.scope.get(domain)
    return state is not None and state.status == "refused"


def _inbreng(case: Casus, cmd: c.Casusoverleg, item: c.Inbreng, ctx: Context
             ) -> tuple[Verdict | None, tuple[Citation, ...]]:
    refusal = _inbreng_refusal(case, cmd, item, ctx)
    if refusal is not None or item.partij == "college":
        return refusal, ()
    # Issue 23: what a party brings in is provision to everyone at the table: the provision
    # rule for its category and kind decides, as in a verstrekking (MvT §3.2.4: the
    # casusoverleg lacks a multilateral frame, so it gets no wider one than the bilateral).
    party = case.parties.get(item.partij)
    soort = party.partij.soort if party is not None else ""
    refusal, basis = provision_basis(ctx.catalogue, item.categorie, soort)
    return refusal, basis[1] if basis else ()


def _inbreng_refusal(case: Casus, cmd: c.Casusoverleg, item: c.Inbreng, ctx: Context
                     ) -> Verdict | None:
    refusal = (_college_inbreng_refusal(case, item, ctx) if item.partij == "college"
               else _party_inbreng_refusal(case, item, ctx))
    if refusal is not None:
        return refusal
    # R30: health and criminal data about a person are shared with the parties that need them,
    # never with another person at the table (MvT §3.2.4: each recipient must be entitled).
    special = ctx.catalogue.categories[item.categorie].special
    others = [who for who in cmd.deelnemers if who in case.persons and who != item.over]
    if others and special & {"health", "criminal"}:
        return no("casusoverleg.recipient_not_entitled", f"'{others[0]}' neemt deel; "
                  f"'{item.categorie}' gaat over '{item.over}'.")
    return None


def _college_inbreng_refusal(case: Casus, item: c.Inbreng, ctx: Context) -> Verdict | None:
    """What the college brings in: data it holds, as its suppliers' conditions allow."""
    refusal = check_request(case, ctx.catalogue, item.over, item.categorie, None,
                            ctx.halted_elsewhere)
    if refusal:
        return refusal
    held = [h for h in case.held if h.categorie == item.categorie and h.over == item.over]
    if not held:
        return no("category.party_may_not_supply", "Het college heeft deze gegevens "
                  "niet in het dossier.")
    # R16: a supplier's condition travels with its data (MvT §3.2.3, §3.2.4).
    if any("geen_doorverstrekking" in h.voorwaarden for h in held):
        return no("provision.condition_violated", "De verstrekker stond geen "
                  "doorverstrekking toe.")
    if case.phase != "onderzoek" and any("alleen_onderzoek" in h.voorwaarden for h in held):
        return no("provision.condition_violated", "De verstrekker stond gebruik alleen "
                  "tijdens het onderzoek toe.")
    return None


def _party_inbreng_refusal(case: Casus, item: c.Inbreng, ctx: Context) -> Verdict | None:
    """What a party brings in: only from a domain still in the case, as a request would."""
    party = case.parties.get(item.partij)
    if party is not None and withdrawn(case, party.domain):
        return no("casusoverleg.domain_withdrawn", f"'{item.partij}' werkt in domein "
                  f"'{party.domain}'.")
    refusal = check_request(case, ctx.catalogue, item.over, item.categorie,
                            party.partij if party else item.partij, ctx.halted_elsewhere)
    return refusal or None


def export(case: Casus, cmd: c.Export, ctx: Context) -> Verdict:
    # R20: the code was resolved before the phase check (policy.decide).
    left_out = sorted({h.categorie for h in case.held if not exportable(case, h.voorwaarden)})
    detail = ("Niet geëxporteerd wegens voorwaarden van de verstrekker (R16): "
              + ", ".join(left_out) + ".") if left_out else None
    return ok("R20", "R36", *(("R16",) if left_out else ()), detail=detail)


def exportable(case: Casus, voorwaarden: tuple[str, ...]) -> bool:
    """R16: held data leaves the case in an export only if no condition of its supplier
    forbids it (``alleen_onderzoek``: only while the onderzoek runs)."""
    if NOT_EXPORTED & set(voorwaarden):
        return False
    return not ("alleen_onderzoek" in voorwaarden and case.phase != "onderzoek")


__all__ = ["VERSTREKKING_BESLUITEN", "casusoverleg", "export", "exportable", "hergebruik",
           "verstrekking", "vraag_gegevens"]


def party_view(case: Casus, partij: str) -> dict[str, Any]:
    """What party ``partij`` may see of ``case`` (R19, R30): the data requests addressed to
    it, what it supplied itself, what a casusoverleg shared with it and its own bijdragen;
    persons by ref only."""
    return {
        "casus": case.id, "fase": case.phase, "versie": case.version,
        "verzoeken": [{"categorie": r.categorie, "over": r.over, "doel": r.doel,
                       "noodzaak": r.noodzaak, "antwoord": r.answer}
                      for r in case.requests if r.bij == partij],
        "verstrekt": [{"categorie": h.categorie, "over": h.over}
                      for h in case.held if h.bron == partij],
        "gedeeld": [{"categorie": g.categorie, "over": g.over, "bron": g.bron}
                    for g in case.gedeeld if g.aan == partij],
        "bijdragen": [b.split(": ", 1)[1] for b in case.bijdragen
                      if b.startswith(f"{partij}: ")],
    }
