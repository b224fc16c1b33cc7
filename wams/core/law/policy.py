"""Pure decisions: given a case, a command and the catalogue, is the step allowed, and why?

No I/O, no mutation, no hook calls (quality B3): every function reads the case projection and
the precompiled catalogue and returns a :class:`Verdict`. The check orders are the contract of
``docs/scenarios.md`` ("What the engine does, step by step"): the first failing check answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from wams.core import commands as c
from wams.core.clock import add_months
from wams.core.errors import InputError
from wams.core.law.checks import (
    GRONDSLAG_RULES,
    NAMENS_HET_COLLEGE,
    Context,
    Verdict,
    check_delivers,
    check_in_case,
    check_indicatoren,
    check_justice_purpose,
    check_not_yet_in_case,
    check_objection,
    check_party_identity,
    check_purpose_phase,
    check_reason,
    check_request,
    check_scope,
    check_screening,
    grondslag,
    involvable,
    missing,
    no,
    ok,
    parties_named,
    party_kind,
    purpose,
)
from wams.core.law.citations import keuze, mvt
from wams.core.law.purposes import JUSTICE_PURPOSES, resolve, warning
from wams.core.law.records import Doel
from wams.core.law.rules import AVG_6C, AVG_15
from wams.core.law.sharing import (
    exportable,
)
from wams.core.model import Casus, Partij

# R01: a case never opens from data matching or analytics (MvT §1.4).
NOT_A_HULPVRAAG = frozenset({"vroegsignalering", "data_analyse", "bestandskoppeling"})
HULPVRAAG_SOURCES = frozenset({"client"}) | NOT_A_HULPVRAAG


# -- the steps --------------------------------------------------------------------------------


def hulpvraag(cmd: c.Hulpvraag, ctx: Context) -> Verdict:
    if cmd.bron not in HULPVRAAG_SOURCES:
        raise InputError(f"bron '{cmd.bron}' is onbekend; kies client, "
                         + ", ".join(sorted(NOT_A_HULPVRAAG)))
    if cmd.bron in NOT_A_HULPVRAAG:
        return no("entry.not_a_hulpvraag", f"Bron: {cmd.bron}.")
    law = ctx.catalogue.laws.get(cmd.wet)
    if law is None or ctx.entry is None:
        return no("entry.law_unknown", f"Geen plugin registreert de wet '{cmd.wet}'.")
    if law.kind != "sociaal" or not ctx.entry.opens:
        return no("entry.adjacent_cannot_open", f"'{cmd.wet}' is een aanpalende wet.")
    refusal = check_screening(cmd.aanleiding)
    if refusal:
        return refusal
    rules = ["R01", "R38"]
    if not missing(cmd.aanleiding):
        rules.append("R02")
    if ctx.catalogue.signals_for(cmd.wet):
        rules.append("R05")
    return ok(*rules)


def verzoek(cmd: c.Verzoek, ctx: Context) -> Verdict:
    party_kind(ctx.catalogue, cmd.partij)
    if cmd.partij.soort == "wmo.meldpunt":
        return no("melding.no_case", "Het meldpunt kan zelf geen verzoek doen.")
    check_indicatoren(cmd.indicatoren, ctx.indicatoren_extra)
    _, justice = party_kind(ctx.catalogue, cmd.partij)
    if not ctx.involved:
        return no("verzoek.party_not_involved",
                  f"Er is geen betrokkenheid van '{cmd.partij.ref}' bij de persoon vastgelegd.")
    # Issue 23: the requester is a party beside the college (MvT §3.3.2); acting for the
    # college (§3.2.5, a wijkteam doing the college's toeleiding) it would ask itself.
    if cmd.partij.hoedanigheid == NAMENS_HET_COLLEGE:
        return no("verzoek.namens_college", f"'{cmd.partij.ref}' treedt op namens het college.")
    # R12: a justice party asks only for prevention or re-integration (MvT §2.2).
    refusal = check_justice_purpose(cmd.doel, justice, cmd.partij.ref)
    if refusal:
        return refusal
    purpose(ctx, cmd.doel, "verzoek")
    if missing(cmd.onderbouwing) or not cmd.indicatoren or missing(cmd.helpt):
        return no("verzoek.no_substantiation")
    return (check_screening(cmd.onderbouwing, cmd.helpt)
            or ok("R01", "R06", "R38", *(("R12",) if justice else ())))


def betrokkenheid(cmd: c.Betrokkenheid, ctx: Context) -> Verdict:
    return check_delivers(ctx.catalogue, cmd.partij, cmd.dienst) or ok("R06", "R36")


def melding(cmd: c.Melding, ctx: Context) -> Verdict:
    if cmd.melder.soort not in ("burger", "professional", "anoniem"):
        raise InputError(f"melder.soort '{cmd.melder.soort}' is onbekend; kies burger, "
                         "professional of anoniem")
    return ok("R34", "R35", "R36")


def melding_doorgeven(cmd: c.MeldingDoorgeven, ctx: Context) -> Verdict:
    # R34: data from a melding is passed on only with a recorded reason (Wmo 2015 art. 2.2.5
    # (voorstel); MvT §1.2). The refusal cites R34 besides the rules of reason.missing.
    if not isinstance(cmd.aan, Partij):
        raise InputError("noem aan welke partij de melding wordt doorgegeven (aan: een partij "
                         "met ref en soort)")
    _, justice = party_kind(ctx.catalogue, cmd.aan)
    doel = purpose(ctx, cmd.doel, "melding_doorgeven")
    if missing(cmd.reden) or doel is None:
        return Verdict("reason.missing", ("R34",), "Gegevens uit een melding worden alleen "
                       "doorgegeven met een vastgelegde reden en een doelcode (R34).")
    refusal = check_screening(cmd.reden)
    if refusal:
        return refusal
    # R12: a hand-over to a justice or enforcement body (the sociale recherche, the police)
    # needs a justice purpose, whatever the reason says.
    return check_justice_purpose(doel.code, justice, cmd.aan.ref) or ok("R34", "R36")


def aanleiding(case: Casus, cmd: c.Aanleiding, ctx: Context) -> Verdict:
    if case.route != "A":
        return no("state.invalid_transition", "Een aanleiding hoort bij route A.")
    return check_reason(cmd.omschrijving) or ok("R02")


def besluit_verzoek(case: Casus, cmd: c.BesluitVerzoek, ctx: Context) -> Verdict:
    # R07: a decision with reasons that refer to the indicators and the werkinstructie.
    check_indicatoren(cmd.indicatoren, ctx.indicatoren_extra)
    if missing(cmd.motivering) or missing(cmd.werkinstructie):
        return no("reason.missing", "Het besluit noemt de motivering en de werkinstructie.")
    refusal = check_screening(cmd.motivering)
    if refusal:
        return refusal
    # Issue 23: grounds for an onderzoek rest on the severity indicators, as the verzoek does
    # (MvT §3.3.2 "op basis van de ernst", §2.2); a rejection may find none.
    if cmd.gegrond and not cmd.indicatoren:
        return no("besluit_verzoek.no_indicatoren")
    return ok("R07")


#: Issue 23: informing a minor's legal representative counts as informing the minor; the
#: memorandum is silent on minors here, the choice is ours
VERTEGENWOORDIGER = keuze("een minderjarige wordt geïnformeerd via zijn wettelijk "
                          "vertegenwoordiger", "§3.3.1", "§3.3.2")


def informeer(case: Casus, cmd: c.Informeer, ctx: Context) -> Verdict:
    for person in cmd.personen:
        refusal = check_in_case(case, person)
        if refusal:
            return refusal
        born = case.persons[person].persoon.geboortedatum
        if cmd.via_vertegenwoordiger and (born is None
                                          or add_months(born, 18 * 12) <= ctx.today):
            raise InputError(f"via_vertegenwoordiger geldt alleen voor een minderjarige; "
                             f"'{person}' is dat niet (of zijn geboortedatum is onbekend)")
    # R08 informs in route B (MvT §3.3.2); in route A informing a gezinslid is part of the
    # samenspraak (R03, MvT §3.3.1).
    rule = "R08" if case.route == "B" else "R03"
    if cmd.via_vertegenwoordiger:
        return Verdict("ok", (rule,), sources=(VERTEGENWOORDIGER,))
    return ok(rule)


def samenspraak(case: Casus, cmd: c.Samenspraak, ctx: Context) -> Verdict:
    if missing(cmd.omschrijving):
        return no("reason.missing")
    return ok("R08")


def domein(case: Casus, cmd: c.Domein, ctx: Context) -> Verdict:
    if cmd.domein not in ctx.catalogue.domains:
        raise InputError(f"onbekend domein '{cmd.domein}'")
    if cmd.client_akkoord is not None and not isinstance(cmd.client_akkoord, bool):
        raise InputError(f"client_akkoord is True of False (ja of nee), kreeg "
                         f"{cmd.client_akkoord!r}")
    refusal = check_reason(cmd.reden, "Elk domein in het onderzoek heeft een eigen reden "
                           "(MvT §3.3.1).")
    if refusal:
        return refusal
    # R03: in route A the scope is what the cliënt accepts (MvT §3.3.1): his word is recorded
    # every time, so silence never counts as yes and never reopens a domain he refused.
    if case.route == "A" and cmd.client_akkoord is None:
        return no("scope.client_view_missing")
    return ok("R03", "R04")


def gezinslid(case: Casus, cmd: c.Gezinslid, ctx: Context) -> Verdict:
    # R09/R10: one person across cases: drawing in someone who objected in another running
    # case (same BSN) would process him again under a new ref
    refusal = (check_not_yet_in_case(case, cmd.persoon)
               or check_objection(case, cmd.persoon.ref, ctx.halted_elsewhere))
    if refusal:
        return refusal
    if missing(cmd.samenhang):
        return no("family.no_samenhang")
    return check_screening(cmd.samenhang) or ok("R10")


def betrek_partij(case: Casus, cmd: c.BetrekPartij, ctx: Context) -> Verdict:
    check_party_identity(case, cmd.partij)
    domain, justice = party_kind(ctx.catalogue, cmd.partij)
    refusal = check_scope(case, domain)
    if refusal:
        return refusal
    adjacent = not ctx.catalogue.is_sociaal(domain)
    if adjacent and missing(cmd.aanleiding):
        return no("party.adjacent_no_aanleiding")
    refusal = check_screening(cmd.aanleiding)
    if refusal:
        return refusal
    refusal = check_justice_purpose(cmd.doel, justice, cmd.partij.ref)
    if refusal:
        return refusal
    doel = purpose(ctx, cmd.doel, "betrek_partij")
    refusal = check_purpose_phase(case, doel)
    if refusal:
        return refusal
    rules = ["R19"]
    if adjacent:
        rules.append("R11")
    if justice or (doel is not None and doel.justitie):
        rules.append("R12")
    return ok(*rules)


DIENST_STATUS = ("lopend", "benodigd")


def dienst(case: Casus, cmd: c.Dienst, ctx: Context) -> Verdict:
    cat = ctx.catalogue
    if cmd.status not in DIENST_STATUS:
        raise InputError(f"status '{cmd.status}' is onbekend; kies lopend of benodigd")
    service = cat.services.get(cmd.dienst)
    if service is None:
        raise InputError(f"onbekende dienst of interventie '{cmd.dienst}'")
    refusal = (check_objection(case, cmd.persoon, ctx.halted_elsewhere)
               or check_in_case(case, cmd.persoon)
               or check_scope(case, service.domain))
    if refusal:
        return refusal
    if cmd.partij is not None:
        check_party_identity(case, cmd.partij)
    if cmd.partij is not None and not involvable(case, cat, cmd.partij):
        return no("party.not_involved", f"Partij '{cmd.partij.ref}' is niet bij de casus "
                  "betrokken.")
    rules = ["R19"]
    if service.kind == "interventie":
        rules.append("R37")
    return ok(*rules)


def terugkoppeling(case: Casus, cmd: c.Terugkoppeling, ctx: Context) -> Verdict:
    g = grondslag(case)
    return ok("R02" if case.route == "A" else "R06", GRONDSLAG_RULES[g])


def werkplan(case: Casus, cmd: c.Werkplan, ctx: Context) -> Verdict:
    g = grondslag(case, cmd.coordinatie_helpt)
    if g == "geen_grondslag":
        return no("werkplan.geen_grondslag")
    a = cmd.afspraken
    if any(missing(x) for x in (cmd.samenhang, a.coordinatie, a.evaluatie, a.beeindiging)):
        return no("werkplan.incomplete", "Een werkplan legt samenhang en afspraken over "
                  "coördinatie, evaluatie en beëindiging vast.")
    return ok(GRONDSLAG_RULES[g], "R25")


def coordinator(case: Casus, cmd: c.Coordinator, ctx: Context) -> Verdict:
    if cmd.type not in ("client", "partij", "ambtenaar"):
        raise InputError(f"coordinator.type '{cmd.type}' is onbekend; kies client, partij of "
                         "ambtenaar")
    if case.werkplan is None:
        return no("state.invalid_transition", "Er is nog geen vastgesteld werkplan.")
    # R26: the cliënt (where feasible), a party involved, or a municipal official.
    if cmd.type == "partij":
        party = case.parties.get(cmd.wie)
        if party is None or not party.involved:
            return no("coordinator.invalid", f"'{cmd.wie}' is geen betrokken partij.")
        # Issue 23: no doorzettingsmacht (MvT §1.4): the party takes the role on itself
        # ("wie de coördinerende rol op zich neemt", §3.3.3), by its own step.
        if not party.akkoord_coordinatie:
            return no("coordinator.party_not_agreed", f"'{cmd.wie}' heeft nog niet ingestemd.")
    elif cmd.type == "client":
        if cmd.wie not in case.persons:
            return no("coordinator.invalid", f"'{cmd.wie}' is geen cliënt of gezinslid.")
        # R26: coordinating means making arrangements with parties; a minor cannot carry
        # that (the MvT says "de cliënt waar mogelijk", §3.3.3; the age limit is ours).
        born = case.persons[cmd.wie].persoon.geboortedatum
        if born is not None and add_months(born, 18 * 12) > ctx.today:
            return no("coordinator.invalid", f"'{cmd.wie}' is op {ctx.today.isoformat()} nog "
                      "geen 18 jaar.")
    elif missing(cmd.wie):
        return no("coordinator.invalid", "Noem de ambtenaar.")
    return ok("R26")


def akkoord_coordinatie(case: Casus, cmd: c.AkkoordCoordinatie, ctx: Context) -> Verdict:
    # R26/R28: only a party involved in the case can take the coordinating role on itself.
    party = case.parties.get(cmd.partij)
    if party is None or not party.involved:
        return no("party.not_involved", f"Partij '{cmd.partij}' is niet bij de casus "
                  "betrokken.")
    return ok("R26", "R28")


def voortgang(case: Casus, cmd: c.Voortgang, ctx: Context) -> Verdict:
    if case.coordinator is None:
        return no("coordinator.missing")
    return ok("R27")


def taak(case: Casus | None, cmd: c.Taak, ctx: Context) -> Verdict:
    # R28: no doorzettingsmacht, whatever the phase (MvT §1.4, §3.3.3).
    return no("doorzettingsmacht.none")


def bijdrage(case: Casus, cmd: c.Bijdrage, ctx: Context) -> Verdict:
    party = case.parties.get(cmd.partij)
    if party is None or not party.involved:
        return no("party.not_involved")
    return ok("R28")


def bezwaar(case: Casus, cmd: c.Bezwaar, ctx: Context) -> Verdict:
    return check_in_case(case, cmd.persoon) or ok("R09")


def besluit_bezwaar(case: Casus, cmd: c.BesluitBezwaar, ctx: Context) -> Verdict:
    refusal = check_in_case(case, cmd.persoon)
    if refusal:
        return refusal
    if case.persons[cmd.persoon].objection != "pending":
        return no("state.invalid_transition", "Er ligt geen verzoek om de verwerking te "
                  "stoppen waarover het college nog moet beslissen.")
    check_indicatoren(cmd.indicatoren, ctx.indicatoren_extra)
    # R09: resuming needs a recorded, severity-based reason (MvT §3.3.2): a motivering and
    # the indicators of severity it rests on.
    if cmd.doorgaan and (missing(cmd.motivering) or not cmd.indicatoren):
        return Verdict("reason.missing", ("R09",), "Doorgaan na een verzoek om te stoppen "
                       "vraagt een motivering en ten minste één indicator van de ernst (R09).")
    return check_screening(cmd.motivering) or ok("R09")


def sluit(case: Casus, cmd: c.Sluit, ctx: Context) -> Verdict:
    if case.phase == "coordinatie" and missing(cmd.terugvalafspraken):
        return no("closure.no_terugvalafspraken")
    # Issue 23: the mandatory route-A onderzoek "resulteert in een terugkoppeling van de
    # uitkomsten naar de cliënt" (MvT §3.3.1): closing it before one says why (the cliënt
    # stopped it, he moved), never silently.
    if case.route == "A" and case.phase == "onderzoek" and missing(cmd.reden):
        return no("onderzoek.no_terugkoppeling")
    # R22: a mandatory werkplan is not skipped silently; closing without one says why
    # (e.g. the cliënt declines coordination).
    if (case.phase == "werkplan" and case.werkplan is None and grondslag(case) == "verplicht"
            and missing(cmd.reden)):
        return Verdict("reason.missing", ("R22", "R32"), "Een werkplan is verplicht; sluiten "
                       "zonder werkplan vraagt een reden.")
    return ok("R32", "R33")


def retention_ends(closed_on: dt.date, months: int) -> dt.date:
    """The day the bewaartermijn has passed: ``months`` calendar months after closure."""
    return add_months(closed_on, months)


def vernietig(case: Casus, cmd: c.Vernietig, ctx: Context) -> Verdict:
    assert case.closed_on is not None
    ends = retention_ends(case.closed_on, ctx.bewaartermijn_maanden)
    if ctx.today < ends:
        return no("retention.not_expired", f"De bewaartermijn loopt tot {ends.isoformat()}.")
    return ok("R33")


#: what an access report cites: its basis (a legal obligation, AVG art. 6(1)(c)), the person's
#: right (art. 15) and R36's own memorandum section (§3.2.5: the burger exercises his AVG rights
#: with the controller); the article numbers are ours, the memorandum names none
INZAGE_SOURCES = (AVG_6C, AVG_15, mvt("§3.2.5"))


def export_purpose(cmd: c.Export, ctx: Context) -> None:
    """R20: an export names a code of the vocabulary, whatever the phase (bad input
    otherwise); asked before the phase (the step's ``first``)."""
    purpose(ctx, cmd.doel, "export")


def werkplan_grondslag(case: Casus, cmd: c.Werkplan) -> str:
    """The grondslag a werkplan step reports, also when refused (R22–R24)."""
    return grondslag(case, cmd.coordinatie_helpt)


def terugkoppeling_grondslag(case: Casus, cmd: c.Terugkoppeling) -> str:
    """The grondslag the terugkoppeling that ends the onderzoek reports (R22–R24)."""
    return grondslag(case)


def inzage(case: Casus | None, cmd: c.Inzage, ctx: Context) -> Verdict:
    # R36 / AVG art. 15 (the right; the basis is art. 6(1)(c)): the access report is the
    # person's right in every phase, after rejection and destruction too, and also when no
    # case about him exists.
    return Verdict("ok", ("R36",), only_sources=INZAGE_SOURCES)


#: free-text fields beside a purpose code that the FG is warned about (never refused on)
FREE_TEXT = ("toelichting", "noodzaak", "aanleiding", "reden", "uitkomst", "onderbouwing")


def with_warning(verdict: Verdict, cmd: object) -> Verdict:
    # R20: the code decided; a toelichting that names enforcement is flagged for the FG.
    if not verdict.allowed or not hasattr(cmd, "doel"):
        return verdict
    found = warning(*(getattr(cmd, name, None) for name in FREE_TEXT))
    return attrs.evolve(verdict, waarschuwing=found) if found else verdict


def read_purpose(purposes: Mapping[str, Doel], code: str | None) -> Doel:
    """R20 for reads (viewing or listing cases, case reports, exporting the log): a purpose
    code for ``lezen`` is required; the vocabulary holds no enforcement purpose."""
    if missing(code):
        raise InputError("noem de doelcode waarvoor u de gegevens inziet (doel), bijvoorbeeld "
                         "'behandeling'")
    return resolve(purposes, code, "lezen")


# Callers (lifecycle, benchmarks, tests) reach the shared checks through this module too.
__all__ = ["GRONDSLAG_RULES", "JUSTICE_PURPOSES", "Context", "Verdict", "check_request",
           "export_purpose", "exportable", "grondslag", "involvable", "no", "ok",
           "parties_named", "party_kind",
           "read_purpose", "retention_ends", "terugkoppeling_grondslag", "werkplan_grondslag",
           "with_warning"]
