"""Quality C8: every HTTP endpoint tried with every role and with another municipality's token:
nothing outside the role's rights is returned or stored (every table's row count, the case row
and the history tail compared before and after).

The service runs in-process here (Litestar's test client over the real application and a real
database on both backends); tests/test_service_http.py drives a real ``wams serve``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.helpers import snapshot
from tests.service_helpers import (
    BODIES,
    COORDINATOR,
    MEDEWERKER,
    OTHER_G,
    SECRET,
    G,
    auth,
    coordination_case,
    step_path,
)
from wams.core.law.steps import STEPS
from wams.service.app import create_app
from wams.service.auth import Verifier, mint

#: role name in the matrix → its headers
CALLERS = {
    "medewerker": MEDEWERKER,
    "coordinator": auth("coordinator", COORDINATOR),
    "coordinator-elders": auth("coordinator", "iemand-anders"),
    "partij:wijkteam": auth("partij:wijkteam", "piet"),
    "partij:school": auth("partij:school", "juf"),
    "fg": auth("fg", "frits"),
    "andere-gemeente": auth("medewerker", "bob", gemeente=OTHER_G),
    "geen-token": {},
}

COLLEGE_ONLY = {"besluit_verzoek", "besluit_bezwaar", "coordinator", "vernietig", "export"}
ENTRY = {"hulpvraag", "verzoek", "betrokkenheid", "melding"}
IN_CASE = [s for s in STEPS if s not in ENTRY and s != "melding_doorgeven"]


def may_step(caller: str, step: str, body: dict[str, Any]) -> bool:
    """The rights as the issue states them, written out independently of wams.service.roles."""
    # what only a party does for itself: answering, taking the coordinating role on itself
    party_only = ("verstrekking", "akkoord_coordinatie")
    if caller == "medewerker":  # everything but what only a party does
        return step not in party_only
    if caller == "andere-gemeente":  # in its own municipality; the path of 0599 is tried below
        return step in ENTRY
    if caller == "coordinator":
        return step in IN_CASE and step not in COLLEGE_ONLY and step not in party_only
    if caller == "partij:wijkteam":
        named = {"verstrekking": "bij", "bijdrage": "partij", "verzoek": "partij",
                 "betrokkenheid": "partij", "akkoord_coordinatie": "partij"}.get(step)
        if named is None:
            return False
        value = body[named]
        return (value if isinstance(value, str) else value["ref"]) == "wijkteam"
    return False


READS = {  # endpoint → (method, path, body, callers allowed)
    "casussen": ("GET", "/v2/gemeenten/{g}/casussen", None, {"medewerker", "fg"}),
    "casus": ("GET", "/v2/gemeenten/{g}/casussen/{cid}?doel=behandeling", None,
              {"medewerker", "coordinator", "partij:wijkteam"}),
    "register": ("GET", "/v2/gemeenten/{g}/verwerkingsactiviteiten", None,
                 {"medewerker", "fg"}),
    "activiteit": ("GET", "/v2/verwerkingsactiviteiten/onderzoek", None,
                   {"medewerker", "coordinator", "coordinator-elders", "partij:wijkteam",
                    "partij:school", "fg", "andere-gemeente"}),
    "logboek": ("GET", "/v2/gemeenten/{g}/logboek", None, {"fg"}),
    "audit": ("GET", "/v2/gemeenten/{g}/audit", None, {"fg"}),
    "inzage": ("POST", "/v2/gemeenten/{g}/inzageverzoeken",
               {"ref": "jan", "casus": "{cid}", "verzoek": "brief 2027-17"}, {"medewerker"}),
    "meldingen": ("GET", "/v2/gemeenten/{g}/meldingen", None, {"medewerker"}),
    "doorgeven": ("POST", "/v2/gemeenten/{g}/meldingen/{mid}/doorgiften",
                  {"aan": {"ref": "wijkteam", "soort": "wmo.wijkteam"},
                  "doel": "melding_onderzoeken", "reden": "zorgen"}, {"medewerker"}),
}


@pytest.fixture
def service(wams) -> Iterator[tuple[Any, TestClient[Any], str]]:
    app = create_app(wams, Verifier(SECRET))
    with TestClient(app) as client:
        cid = coordination_case(client)
        r = client.post(step_path("melding", None), json=BODIES["melding"], headers=MEDEWERKER)
        client.headers["x-test-melding"] = str(r.json()["rapport"]["melding"])
        yield wams, client, cid


def _refused_cleanly(r: Any, caller: str) -> None:
    assert r.status_code in (401, 403), (caller, r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] in ("access.role", "tenant.mismatch", "access.token")
    # A refusal by role names no case content: only the problem's own members.
    assert set(problem) <= {"type", "title", "status", "detail", "instance", "code",
                            "regels", "bronnen", "stap", "casus", "fase", "versie",
                            "trace_id"}
    assert "Jan Jansen" not in r.text and "1985-04-12" not in r.text


def test_every_step_with_every_role(service):
    w, client, cid = service
    tried = 0
    for caller, headers in CALLERS.items():
        for name, body in BODIES.items():
            before = snapshot(w, cid)
            if caller == "andere-gemeente":
                # R38: the path names 0599, the token 0363; and 0599's case under 0363's path
                for gemeente in (G, OTHER_G):
                    if gemeente == OTHER_G and name in ENTRY:
                        continue
                    r = client.post(step_path(name, cid, gemeente), json=body,
                                    headers=headers)
                    _refused_cleanly(r, caller)
                    # (what only a party does is refused to every official by role first)
                    assert r.json()["code"] == "tenant.mismatch" or (
                        name in ("verstrekking", "akkoord_coordinatie")
                        and r.json()["code"] == "access.role"), \
                        (name, r.text)
                    assert snapshot(w, cid) == before, (caller, name)
                    tried += 1
                continue
            if may_step(caller, name, body):
                continue
            r = client.post(step_path(name, cid), json=body, headers=headers)
            _refused_cleanly(r, caller)
            assert snapshot(w, cid) == before, (caller, name)
            tried += 1
    assert tried > 150


def test_a_party_answers_only_for_itself(service):
    w, client, cid = service
    before = snapshot(w, cid)
    wijkteam = CALLERS["partij:wijkteam"]
    for name, field, other in (("verstrekking", "bij", "kredietbank"),
                               ("bijdrage", "partij", "kredietbank"),
                               ("akkoord_coordinatie", "partij", "kredietbank"),
                               ("verzoek", "partij", {"ref": "kredietbank",
                                                      "soort": "wgs.schuldhulpverlener"})):
        r = client.post(step_path(name, cid), json={**BODIES[name], field: other},
                        headers=wijkteam)
        _refused_cleanly(r, f"wijkteam als {other}")
    assert snapshot(w, cid) == before
    r = client.post(step_path("bijdrage", cid), json=BODIES["bijdrage"], headers=wijkteam)
    assert r.status_code == 200, r.text


def test_only_the_party_answers_a_request_addressed_to_it(service):
    """An official (or the coordinator) cannot answer for the party: 403 access.role, nothing
    stored; the party's own answer then goes through (before, it met a misleading
    state.invalid_transition because the official had answered first)."""
    w, client, cid = service
    body = {**BODIES["verstrekking"], "reden": "antwoord"}
    for caller in ("medewerker", "coordinator"):
        before = snapshot(w, cid)
        r = client.post(step_path("verstrekking", cid), json=body, headers=CALLERS[caller])
        assert r.status_code == 403 and r.json()["code"] == "access.role", (caller, r.text)
        assert snapshot(w, cid) == before


def test_only_the_party_takes_the_coordinating_role_on_itself(service):
    """R26/R28 (issue 23, MvT §1.4 and §3.3.3): no doorzettingsmacht. Neither an official nor
    the coordinator can give a party's consent to coordinate: 403 access.role, nothing stored;
    the party's own token gives it."""
    w, client, cid = service
    for caller in ("medewerker", "coordinator", "partij:school"):
        before = snapshot(w, cid)
        r = client.post(step_path("akkoord_coordinatie", cid),
                        json=BODIES["akkoord_coordinatie"], headers=CALLERS[caller])
        assert r.status_code == 403 and r.json()["code"] == "access.role", (caller, r.text)
        assert snapshot(w, cid) == before
    r = client.post(step_path("akkoord_coordinatie", cid), json=BODIES["akkoord_coordinatie"],
                    headers=CALLERS["partij:wijkteam"])
    assert r.status_code == 200 and "R26" in r.json()["regels"], r.text


def test_the_coordinator_acts_only_in_the_cases_he_coordinates(service):
    w, client, cid = service
    other = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                        headers=MEDEWERKER).json()["casus"]
    before = snapshot(w, other)
    for name in ("domein", "voortgang"):
        r = client.post(step_path(name, other), json=BODIES[name],
                        headers=CALLERS["coordinator"])
        _refused_cleanly(r, "coordinator")
    r = client.get(f"/v2/gemeenten/{G}/casussen/{other}?doel=behandeling",
                   headers=CALLERS["coordinator"])
    _refused_cleanly(r, "coordinator")
    assert snapshot(w, other) == before
    r = client.post(step_path("voortgang", cid), json=BODIES["voortgang"],
                    headers=CALLERS["coordinator"])
    assert r.status_code == 200, r.text


def test_every_read_with_every_role(service):
    w, client, cid = service
    for endpoint, (method, path, body, allowed) in READS.items():
        for caller, headers in CALLERS.items():
            # another municipality's token on 0599's path: refused (R38)
            url = path.format(g=G, cid=cid, mid=client.headers["x-test-melding"])
            before = snapshot(w, cid)
            if body and body.get("casus") == "{cid}":
                body = {**body, "casus": cid}
            r = client.request(method, url, json=body, headers=headers)
            if caller in allowed:
                assert r.status_code == 200, (endpoint, caller, r.status_code, r.text)
                continue
            _refused_cleanly(r, f"{caller} {endpoint}")
            assert snapshot(w, cid) == before, (endpoint, caller)


def test_what_each_role_sees_of_a_case(service):
    w, client, cid = service
    path = f"/v2/gemeenten/{G}/casussen/{cid}?doel=behandeling"
    full = client.get(path, headers=MEDEWERKER).json()
    assert full["personen"]["jan"]["persoon"]["naam"] == "Jan Jansen"
    assert client.get(path, headers=CALLERS["coordinator"]).json() == {
        **full, "versie": full["versie"]}
    party = client.get(path, headers=CALLERS["partij:wijkteam"])
    assert set(party.json()) == {"casus", "fase", "versie", "verzoeken", "verstrekt", "gedeeld",
                                 "bijdragen"}
    assert "Jan Jansen" not in party.text and "1985-04-12" not in party.text
    # the kredietbank is in the case only through the casusoverleg: it sees that share
    bank = client.get(path, headers=auth("partij:kredietbank", "els")).json()
    assert bank["gedeeld"] == [{"categorie": "wmo.ondersteuningsbehoefte", "over": "jan",
                                "bron": "college"}]
    assert bank["verzoeken"] == [] and bank["verstrekt"] == []


def test_every_read_is_logged_with_the_user_from_the_token(service):
    w, client, cid = service

    def consults(actor: str) -> int:
        return sum(1 for a in w.log_records(gemeente=G, profile="audit")
                   if a["operation"] == "consult" and a["user"] == actor)

    path = f"/v2/gemeenten/{G}/casussen/{cid}?doel=behandeling"
    for headers, actor in ((MEDEWERKER, "anna"),
                           (CALLERS["coordinator"], COORDINATOR),
                           (CALLERS["partij:wijkteam"], "partij:wijkteam:piet")):
        before = consults(actor)
        assert client.get(path, headers=headers).status_code == 200
        assert consults(actor) == before + 1, actor  # one person in the case: jan


def test_a_party_is_the_kind_the_municipality_registered(service):
    """A ``partij:politie`` token cannot present itself as a wijkteam (and so open a route-B
    case without the purpose a justice party must state, R12): its kind comes from the
    municipality's registry (setting partij_soorten) or its token's issuer, never from the
    request. Nothing is stored when it is refused."""
    w, client, cid = service
    jan = {"ref": "jan2", "bsn": "111222333"}
    as_wijkteam = {"ref": "politie", "soort": "wmo.wijkteam"}
    for headers in (auth("partij:politie", "agent"),  # no kind known at all
                    {"Authorization": "Bearer " + mint(
                        SECRET, gemeente=G, user="agent", rol="partij:politie",
                        soort="aanpalend.politie")}):
        before = w.audit(G)["entries"]
        r = client.post(step_path("betrokkenheid", None),
                        json={"partij": as_wijkteam, "persoon": jan}, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "access.party_kind", r.text
        r = client.post(step_path("verzoek", None),
                        json={**BODIES["verzoek"], "partij": as_wijkteam, "client": jan},
                        headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "access.party_kind", r.text
        assert w.audit(G)["entries"] == before
    # as what it is, it goes on, and R12 asks its purpose
    politie = {"Authorization": "Bearer " + mint(SECRET, gemeente=G, user="agent",
                                                 rol="partij:politie",
                                                 soort="aanpalend.politie")}
    as_itself = {"ref": "politie", "soort": "aanpalend.politie"}
    r = client.post(step_path("betrokkenheid", None),
                    json={"partij": as_itself, "persoon": jan,
                          "dienst": "aanpalend.wijkagentinterventie"}, headers=politie)
    assert r.status_code == 200, r.text
    r = client.post(step_path("verzoek", None),
                    json={**BODIES["verzoek"], "partij": as_itself, "client": jan},
                    headers=politie)
    assert r.status_code == 422 and "R12" in r.json()["regels"], r.text
    # the municipality's registry goes before the token, and binds every caller
    w.set_setting(G, "partij_soorten", {"politie": "aanpalend.politie",
                                        "kredietbank": "wgs.schuldhulpverlener"})
    r = client.post(step_path("betrokkenheid", None),
                    json={"partij": as_wijkteam, "persoon": jan},
                    headers={"Authorization": "Bearer " + mint(
                        SECRET, gemeente=G, user="agent", rol="partij:politie",
                        soort="wmo.wijkteam")})
    assert r.status_code == 403 and r.json()["code"] == "access.party_kind", r.text
    r = client.post(step_path("betrek_partij", cid),
                    json={**BODIES["betrek_partij"],
                          "partij": {"ref": "kredietbank", "soort": "wmo.wijkteam"}},
                    headers=MEDEWERKER)
    assert r.status_code == 403 and r.json()["code"] == "access.party_kind", r.text


def test_only_a_partys_step_reads_the_registry(service, monkeypatch):
    """The registry of parties is read (a transaction of its own) only for the role whose
    check uses it: a party's token. An official's or a coordinator's step pays nothing for it
    (every step request of the service did, B7), and is still held to the registry by the
    core (the last test above)."""
    w, client, _ = service
    read: list[str] = []
    setting = w.setting

    def counted(gemeente: str, key: str) -> object:
        read.append(key)
        return setting(gemeente, key)

    monkeypatch.setattr(w, "setting", counted)
    r = client.post(step_path("hulpvraag", None), json=BODIES["hulpvraag"],
                    headers=MEDEWERKER)
    assert r.status_code == 201, r.text
    assert "partij_soorten" not in read
    politie = {"Authorization": "Bearer " + mint(SECRET, gemeente=G, user="agent",
                                                 rol="partij:politie",
                                                 soort="aanpalend.politie")}
    r = client.post(step_path("betrokkenheid", None),
                    json={"partij": {"ref": "politie", "soort": "aanpalend.politie"},
                          "persoon": {"ref": "jan3", "bsn": "111222333"},
                          "dienst": "aanpalend.wijkagentinterventie"}, headers=politie)
    assert r.status_code == 200, r.text
    assert read.count("partij_soorten") == 1
