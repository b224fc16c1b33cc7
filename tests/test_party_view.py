"""What the service's roles rest on in the core: the case version in every decision, the
``authorize`` check before the rules (nothing stored when it refuses), and the party view
(only what a party supplied or what a casusoverleg shared with it, R19 and R30)."""

from __future__ import annotations

import pytest

from tests.helpers import (
    AFSPRAKEN,
    JAN,
    KREDIETBANK,
    OTHER_G,
    WIJKTEAM,
    G,
    ok,
    route_b,
    snapshot,
)
from wams.core import commands as c
from wams.core.engine import Refused


def _coordination_case(w) -> str:
    cid = route_b(w)
    ok(w.domein(G, cid, domein="schuldhulp", reden="achterstanden", client_akkoord=True))
    ok(w.vraag_gegevens(G, cid, bij=WIJKTEAM, categorie="wmo.ondersteuningsbehoefte",
                        over="jan", doel="onderzoek", toelichting="zicht op ondersteuning",
                        noodzaak="passende hulp"))
    ok(w.verstrekking(G, cid, bij="wijkteam", categorie="wmo.ondersteuningsbehoefte",
                      over="jan", besluit="verstrekt"))
    ok(w.dienst(G, cid, persoon="jan", dienst="wmo.maatwerkvoorziening", status="lopend",
                partij=WIJKTEAM))
    ok(w.dienst(G, cid, persoon="jan", dienst="wgs.schuldhulpverlening", status="benodigd",
                partij=KREDIETBANK))
    ok(w.terugkoppeling(G, cid, samenvatting="twee diensten"))
    ok(w.werkplan(G, cid, samenhang="wonen en schulden", coordinatie_helpt=True,
                  afspraken=AFSPRAKEN))
    ok(w.akkoord_coordinatie(G, cid, partij="wijkteam"))
    ok(w.coordinator(G, cid, type="partij", wie="wijkteam"))
    ok(w.casusoverleg(G, cid, doel="afstemming", bijeengeroepen_door="coordinator",
                      deelnemers=["jan", "wijkteam", "kredietbank"],
                      inbreng=[c.Inbreng("college", "wmo.ondersteuningsbehoefte", "jan")]))
    ok(w.bijdrage(G, cid, partij="kredietbank", omschrijving="start schuldregeling"))
    return cid


def test_every_decision_carries_the_case_version(wams):
    d = ok(wams.hulpvraag(G, wet="participatiewet", client=JAN, vraag="bijstand",
                          aanleiding="schulden"))
    assert d.version == 1
    cid = d.case_id
    d = ok(wams.domein(G, cid, domein="schuldhulp", reden="schulden", client_akkoord=True))
    assert d.version == 2
    # A refusal reports the version unchanged; the next step may pass it as expected_version.
    d = wams.domein(G, cid, domein="onderwijs", reden=None)
    assert not d.allowed and d.version == 2
    assert ok(wams.domein(G, cid, domein="wonen", reden="huur", client_akkoord=True,
                          expected_version=d.version)).version == 3
    assert ok(wams.betrokkenheid(G, partij=WIJKTEAM, persoon=JAN,
                                 dienst="wmo.maatwerkvoorziening")).version is None


def test_authorize_sees_the_stored_case_and_refuses_before_the_rules(wams):
    cid = ok(wams.hulpvraag(G, wet="participatiewet", client=JAN, vraag="bijstand",
                            aanleiding="schulden")).case_id
    seen = []

    def deny(case, cmd):
        seen.append((case.id, case.version, type(cmd).__name__))
        return "access.role"

    before = snapshot(wams, cid)
    d = wams.domein(G, cid, domein="schuldhulp", reden="schulden", authorize=deny)
    assert (d.allowed, d.code, d.rule_ids) == (False, "access.role", ("R19", "R30"))
    assert seen == [(cid, 1, "Domein")]
    assert snapshot(wams, cid) == before
    with pytest.raises(Refused) as err:
        wams.case(G, cid, actor="anna", purpose="behandeling", authorize=deny)
    assert err.value.decision.code == "access.role"
    assert snapshot(wams, cid) == before  # not even the consult is logged


def test_a_party_sees_only_what_it_supplied_or_was_shared_with_it(wams):
    cid = _coordination_case(wams)
    wijkteam = wams.party_view(G, cid, partij="wijkteam", actor="wijkteam:piet",
                               purpose="behandeling")
    assert wijkteam["verzoeken"] == [{"categorie": "wmo.ondersteuningsbehoefte", "over": "jan",
                                      "doel": "onderzoek",
                                      "noodzaak": "passende hulp", "antwoord": "verstrekt"}]
    assert wijkteam["verstrekt"] == [{"categorie": "wmo.ondersteuningsbehoefte", "over": "jan"}]
    assert wijkteam["gedeeld"] == [{"categorie": "wmo.ondersteuningsbehoefte", "over": "jan",
                                    "bron": "college"}]
    bank = wams.party_view(G, cid, partij="kredietbank", actor="kredietbank:els",
                           purpose="behandeling")
    assert bank["verzoeken"] == [] and bank["verstrekt"] == []
    assert bank["gedeeld"] == wijkteam["gedeeld"]
    assert bank["bijdragen"] == ["start schuldregeling"]
    text = repr(bank) + repr(wijkteam)
    assert "Jan Jansen" not in text and "date(" not in text  # refs only, no personal data


def test_the_party_view_is_logged_and_refuses_strangers_and_other_municipalities(wams):
    cid = _coordination_case(wams)
    def records():
        return [a for a in wams.log_records(gemeente=G, profile="audit")
                if a["operation"] == "consult" and a["user"] == "kredietbank:els"]
    before = len(records())
    wams.party_view(G, cid, partij="kredietbank", actor="kredietbank:els", purpose="behandeling")
    assert len(records()) == before + 1  # one consult of jan, the one person shown
    snap = snapshot(wams, cid)
    with pytest.raises(Refused) as err:
        wams.party_view(G, cid, partij="school", actor="school:x", purpose="behandeling")
    assert err.value.decision.code == "access.role"
    with pytest.raises(Refused) as err:
        wams.party_view(OTHER_G, cid, partij="kredietbank", actor="x", purpose="behandeling")
    assert err.value.decision.code == "tenant.mismatch"
    assert snapshot(wams, cid) == snap
