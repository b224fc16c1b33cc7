"""Whole flows through the public API on SQLite and PostgreSQL: route A (with the process
stopping and starting mid-way), route B, idempotency, optimistic concurrency and tenancy."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import (
    AFSPRAKEN,
    EMMA,
    JAN,
    KREDIETBANK,
    OTHER_G,
    SCHOOL,
    WIJKTEAM,
    G,
    assert_unchanged,
    build,
    log_rows,
    ok,
    refused,
    route_a,
    snapshot,
    step_calls,
)
from wams.core import commands as c
from wams.core.engine import Refused
from wams.core.errors import ConflictError
from wams.core.law import steps
from wams.core.privacy import places


def test_route_a_lifecycle_survives_the_process(open_wams, clock):
    """The example of docs/scenarios.md, closing and reopening the database twice on the way."""
    w = open_wams()
    d = ok(w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="algemene bijstand",
                       aanleiding="noemt betalingsachterstanden"))
    cid = d.case_id
    assert d.phase == "onderzoek" and {"R01", "R02"} <= set(d.rule_ids)
    assert "schuldhulp" in d.signalen and d.verwerkingen == 1
    ok(w.domein(G, cid, domein="schuldhulp", reden="betalingsachterstanden", client_akkoord=True))
    ok(w.domein(G, cid, domein="jeugdhulp", reden="zorgen over dochter", client_akkoord=False))
    d = ok(w.vraag_gegevens(G, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht",
                            over="jan", doel="onderzoek", toelichting="zicht op schulden",
                            noodzaak="bepalen of schuldhulp nodig is"))
    assert d.verwerkingen == 1
    refused(w, "family.not_in_case", lambda: w.vraag_gegevens(
        G, cid, bij=SCHOOL, categorie="aanpalend.schoolverzuim", over="emma",
        doel="onderzoek", toelichting="zicht op verzuim", noodzaak="samenhang met thuissituatie"),
        cid)
    w.close()

    w = open_wams()  # a new process: nothing of the old engine's memory survives
    case = w.case(G, cid, actor="consulent", purpose="behandeling")
    assert case.phase == "onderzoek" and set(case.persons) == {"jan"}
    assert case.scope["jeugdhulp"].status == "refused" and case.scope["schuldhulp"].status == "in"
    assert [(r.bij, r.categorie) for r in case.requests] == [("kredietbank",
                                                               "wgs.schuldenoverzicht")]
    ok(w.dienst(G, cid, persoon="jan", dienst="participatiewet.algemene_bijstand",
                status="lopend"))
    ok(w.dienst(G, cid, persoon="jan", dienst="wgs.schuldhulpverlening", status="benodigd",
                partij=KREDIETBANK))
    d = ok(w.terugkoppeling(G, cid, samenvatting="twee diensten, samenhang inkomen en schulden"))
    assert d.phase == "werkplan" and d.werkplan == "verplicht"
    d = ok(w.werkplan(G, cid, samenhang="schulden verhinderen uitstroom", coordinatie_helpt=True,
                      afspraken=AFSPRAKEN))
    assert d.werkplan == "verplicht" and "R22" in d.rule_ids
    assert ok(w.coordinator(G, cid, type="ambtenaar", wie="M. de Vries")).phase == "coordinatie"
    clock.set(dt.date(2027, 9, 1))
    d = ok(w.sluit(G, cid, terugvalafspraken="contact opnemen met wijkteam bij nieuwe achterstand"))
    assert d.phase == "afgesloten"
    w.close()

    w = open_wams()
    assert [x["phase"] for x in w.cases(G)] == ["afgesloten"]
    clock.advance(400)
    assert ok(w.vernietig(G, cid)).phase == "vernietigd"
    d = ok(w.inzage(G, cid, persoon="jan"))
    assert d.verwerkingen >= 5
    report = d.report["verwerkingen"]
    assert len(report) == d.verwerkingen
    assert all("AVG art. 6 lid 1 sub e" in r["grondslag"] for r in report)
    assert any(r["handeling"].startswith("vernietig") for r in report)
    assert all(r["casus"] == cid for r in report)
    case = w.case(G, cid, actor="archief", purpose="behandeling")
    assert case.persons == {} and case.items == [] and case.held == []


def test_route_b_flow(wams, clock):
    w = wams
    ok(w.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN, dienst="wmo.maatwerkvoorziening"))
    d = ok(w.verzoek(G, partij=WIJKTEAM, client=JAN, onderbouwing="dreigende huisuitzetting",
                     indicatoren=["basisbehoeften", "escalatie"], helpt="één plan"))
    cid = d.case_id
    assert d.phase == "beoordeling" and "R06" in d.rule_ids
    d = ok(w.besluit_verzoek(G, cid, gegrond=True, motivering="indicatoren basisbehoeften",
                             werkinstructie="werkinstructie 2027 v1",
                             indicatoren=["basisbehoeften"]))
    assert d.phase == "onderzoek"
    ok(w.samenspraak(G, cid, omschrijving="twee keer gebeld, brief gestuurd"))
    refused(w, "inform.required", lambda: w.vraag_gegevens(
        G, cid, bij=WIJKTEAM, categorie="wmo.ondersteuningsbehoefte", over="jan",
        doel="onderzoek", toelichting="zicht op ondersteuning", noodzaak="passende hulp"), cid)
    ok(w.informeer(G, cid, personen=["jan"], wijze="brief met AVG-rechten"))
    # Route B: a domain joins even without the cliënt's agreement (his view is recorded).
    ok(w.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=False))
    d = ok(w.vraag_gegevens(G, cid, bij=WIJKTEAM, categorie="wmo.ondersteuningsbehoefte",
                            over="jan", doel="onderzoek", toelichting="zicht op ondersteuning",
                            noodzaak="passende hulp"))
    assert d.verwerkingen == 1
    d = ok(w.verstrekking(G, cid, bij="wijkteam", categorie="wmo.ondersteuningsbehoefte",
                          over="jan", besluit="verstrekt"))
    assert d.verwerkingen == 1
    ok(w.dienst(G, cid, persoon="jan", dienst="wmo.maatwerkvoorziening", status="lopend",
                partij=WIJKTEAM))
    ok(w.dienst(G, cid, persoon="jan", dienst="wgs.schuldhulpverlening", status="benodigd",
                partij=KREDIETBANK))
    d = ok(w.terugkoppeling(G, cid, samenvatting="twee diensten"))
    assert (d.phase, d.werkplan) == ("werkplan", "verplicht")
    ok(w.werkplan(G, cid, samenhang="wonen en schulden", coordinatie_helpt=True,
                  afspraken=AFSPRAKEN))
    ok(w.akkoord_coordinatie(G, cid, partij="wijkteam"))
    assert ok(w.coordinator(G, cid, type="partij", wie="wijkteam")).phase == "coordinatie"
    d = ok(w.casusoverleg(G, cid, doel="afstemming", bijeengeroepen_door="coordinator",
                          deelnemers=["jan", "wijkteam", "kredietbank"],
                          inbreng=[c.Inbreng("college", "wmo.ondersteuningsbehoefte", "jan")],
                          uitkomst="kredietbank start traject"))
    assert d.verwerkingen == 3  # one share, logged for each of the three recipients (R30)
    ok(w.voortgang(G, cid, samenvatting="traject loopt"))
    ok(w.bijdrage(G, cid, partij="kredietbank", omschrijving="start schuldregeling"))
    ok(w.bezwaar(G, cid, persoon="jan"))
    refused(w, "objection.pending", lambda: w.dienst(
        G, cid, persoon="jan", dienst="wgs.budgetbeheer", status="benodigd"), cid)
    ok(w.besluit_bezwaar(G, cid, persoon="jan", doorgaan=True,
                         motivering="ernstige zorgen over huisuitzetting",
                         indicatoren=["onderdak", "escalatie"]))
    ok(w.dienst(G, cid, persoon="jan", dienst="wgs.budgetbeheer", status="benodigd"))
    d = ok(w.sluit(G, cid, terugvalafspraken="wijkteam belt bij nieuwe achterstand"))
    assert d.phase == "afgesloten"
    clock.advance(400)
    assert ok(w.vernietig(G, cid)).phase == "vernietigd"
    assert ok(w.inzage(G, cid, persoon="jan")).verwerkingen >= 8


def test_idempotency_key_applies_once(wams):
    w = wams
    d1 = ok(w.hulpvraag(G, wet="wmo", client=JAN, vraag="hulp", aanleiding="overbelast",
                        idempotency_key="open-1"))
    before = snapshot(w, d1.case_id)
    d2 = w.hulpvraag(G, wet="wmo", client=JAN, vraag="hulp", aanleiding="overbelast",
                     idempotency_key="open-1")
    assert d2 == d1 and len(w.cases(G)) == 1
    assert_unchanged(w, before, d1.case_id, history=0)
    cid = d1.case_id
    d1 = ok(w.gezinslid(G, cid, persoon=EMMA, samenhang="thuissituatie",
                        idempotency_key="emma-1"))
    before = snapshot(w, cid)
    d2 = w.gezinslid(G, cid, persoon=EMMA, samenhang="thuissituatie", idempotency_key="emma-1")
    assert d2 == d1
    assert_unchanged(w, before, cid, history=0)
    # A refusal is answered the same way on a retry, and recorded once.
    r1 = w.domein(G, cid, domein="wonen", reden=None, idempotency_key="dom-1")
    assert r1.code == "reason.missing"
    before = snapshot(w, cid)
    assert w.domein(G, cid, domein="wonen", reden=None, idempotency_key="dom-1") == r1
    assert_unchanged(w, before, cid, history=0)
    # A new key is a new command.
    assert ok(w.samenspraak(G, cid, omschrijving="gesprek", idempotency_key="s-1"))
    before = snapshot(w, cid)
    ok(w.samenspraak(G, cid, omschrijving="gesprek", idempotency_key="s-2"))
    assert snapshot(w, cid)["case"]["version"] == before["case"]["version"] + 1


def test_stale_expected_version_conflicts_and_stores_nothing(wams):
    w = wams
    cid = route_a(w)
    version = snapshot(w, cid)["case"]["version"]
    ok(w.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True,
                expected_version=version))
    before = snapshot(w, cid)
    assert before["case"]["version"] == version + 1
    with pytest.raises(ConflictError) as info:
        w.dienst(G, cid, persoon="jan", dienst="wgs.schuldhulpverlening", status="benodigd",
                 expected_version=version)
    assert (info.value.expected, info.value.actual) == (version, version + 1)
    assert_unchanged(w, before, cid, history=0)
    # The engine's memory was not left with the half-applied step either.
    case = w.case(G, cid, actor="t", purpose="behandeling")
    assert case.items == []
    ok(w.dienst(G, cid, persoon="jan", dienst="wgs.schuldhulpverlening", status="benodigd",
                expected_version=version + 1))


IN_CASE = sorted(steps.STEP_PHASES)


def test_every_step_refuses_another_municipality(wams):
    w = wams
    cid = build(w, "coordinatie")
    ok(w.gezinslid(G, cid, persoon=EMMA, samenhang="thuissituatie"))
    foreign = step_calls(OTHER_G)
    for step in IN_CASE:
        refused(w, "tenant.mismatch", lambda step=step: foreign[step](w, cid), cid, history=0)
    # Every engine-level step, also through the generic execute().
    refused(w, "tenant.mismatch", lambda: w.execute(OTHER_G, cid, c.Inzage("jan")), cid,
            history=0)
    assert w.cases(OTHER_G) == []
    assert [x["id"] for x in w.cases(G)] == [cid]
    assert all(r["gemeente"] == G for r in log_rows(w))


def test_reading_a_case_is_logged_and_scoped(wams):
    w = wams
    cid = route_a(w)
    ok(w.gezinslid(G, cid, persoon=EMMA, samenhang="thuissituatie"))
    before = snapshot(w, cid)
    with pytest.raises(Refused) as info:
        w.case(OTHER_G, cid, actor="ambtenaar", purpose="behandeling")
    assert info.value.decision.code == "tenant.mismatch"
    assert_unchanged(w, before, cid, history=0)

    seen = len(log_rows(w))
    case = w.case(G, cid, actor="ambtenaar", purpose="behandeling",
                  toelichting="dossier bekijken voor gesprek")
    assert set(case.persons) == {"jan", "emma"}
    new = log_rows(w)[seen:]
    assert len(new) == 2
    assert {r["operation"] for r in new} == {"consult"}
    # The purpose is the caller's text: stored sealed with the case, readable with its key.
    assert "dossier bekijken" not in str(new)
    with w.engine.unit_of_work(G) as uow:
        assert {uow.unseal(r["purpose"], places.place_of("processing_log", r))
                for r in new} == {
            "behandeling (dossier bekijken voor gesprek)"}
    # Who read: kept by pseudonym, named through the register of actors.
    assert all(r["actor"].startswith("hmac:") for r in new)
    with w.engine.unit_of_work(G) as uow:
        assert set(uow.actor_names(G, {r["actor"] for r in new}).values()) == {"ambtenaar"}
    assert len({r["subject"] for r in new}) == 2
    assert all(r["case_id"] == cid and r["gemeente"] == G for r in new)
    after = snapshot(w, cid)
    assert after["case"] == before["case"]
    # The read changes no case; its log rows are committed by one history entry of its own.
    assert after["counts"]["history"] == before["counts"]["history"] + 1


def test_tenants_do_not_share_involvement_or_idempotency(wams):
    w = wams
    ok(w.betrokkenheid(OTHER_G, partij=WIJKTEAM, persoon=JAN, dienst="wmo.maatwerkvoorziening"))
    refused(w, "verzoek.party_not_involved", lambda: w.verzoek(
        G, partij=WIJKTEAM, client=JAN, onderbouwing="zorgen", indicatoren=["veiligheid"],
        helpt="samenhang"))
    a = ok(w.hulpvraag(G, wet="wmo", client=JAN, vraag="hulp", idempotency_key="same"))
    b = ok(w.hulpvraag(OTHER_G, wet="wmo", client=JAN, vraag="hulp", idempotency_key="same"))
    assert a.case_id != b.case_id
    assert [x["id"] for x in w.cases(G)] == [a.case_id]
    assert [x["id"] for x in w.cases(OTHER_G)] == [b.case_id]


# -- R03/R09 edges: a refused domain or an objection stops later processing -------------------


def _objector(w, cid: str) -> str:
    """Emma joins the route A case and objects; returns her pseudonym in the log."""
    ok(w.gezinslid(G, cid, persoon=EMMA, samenhang="thuissituatie"))
    ok(w.bezwaar(G, cid, persoon="emma"))
    return log_rows(w)[-1]["subject"]


def test_verstrekking_after_the_domain_was_refused_stores_nothing(wams):
    """R03: a domain the cliënt refuses is out of scope: any data request, party or
    service in it is refused; quality C3: nothing from a refused domain is stored."""
    w = wams
    cid = route_a(w)
    ok(w.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    ok(w.vraag_gegevens(G, cid, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht", over="jan",
                        doel="onderzoek", toelichting="zicht op schulden",
                        noodzaak="schuldhulp nodig?"))
    ok(w.domein(G, cid, domein="schuldhulp", reden="cliënt wil dit niet", client_akkoord=False))
    refused(w, "scope.domain_refused", lambda: w.verstrekking(
        G, cid, bij="kredietbank", categorie="wgs.schuldenoverzicht", over="jan",
        besluit="verstrekt"), cid)


def test_export_after_objection_processes_nothing_about_the_objector(wams):
    """docs/scenarios.md: Route A `bezwaar` ends processing of that person (`objection.ended` for
    every later step that would process data about him)."""
    w = wams
    cid = route_a(w)
    subject = _objector(w, cid)
    seen = len(log_rows(w))
    w.export(G, cid, doel="evaluatie")
    assert subject not in {r["subject"] for r in log_rows(w)[seen:]}


def test_werkplan_after_objection_processes_nothing_about_the_objector(wams):
    """docs/scenarios.md: Route A `bezwaar` ends processing of that person (`objection.ended` for
    every later step that would process data about him)."""
    w = wams
    cid = build(w, "werkplan")
    subject = _objector(w, cid)
    seen = len(log_rows(w))
    w.werkplan(G, cid, samenhang="samenhang", coordinatie_helpt=True, afspraken=AFSPRAKEN)
    assert subject not in {r["subject"] for r in log_rows(w)[seen:]}
