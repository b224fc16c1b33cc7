"""The phase table (``wams.core.law.phases``) as the API sees it, on SQLite and PostgreSQL.

1. every edge in TRANSITIONS is reachable through the API and lands on its target phase;
2. every step runs in every phase of STEP_PHASES (the phase check passes; where a domain rule
   makes a step impossible in that phase, it refuses with that rule's code, never a phase code);
3. every step outside its phases is refused with the phase code and changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    JAN,
    WERK_INKOMEN,
    G,
    adopt_werkplan,
    build,
    ok,
    refused,
    route_a,
    route_b,
    snapshot,
    step_calls,
    two_services,
)
from wams.core.law import phases, steps
from wams.core.law.purposes import for_phase
from wams.core.model import PHASES, Decision

CALLS = step_calls(G)

IN_CASE_STEPS = sorted(steps.STEP_PHASES)


def test_calls_cover_every_in_case_step():
    assert set(CALLS) == set(steps.STEP_PHASES)
    assert set(CALLS) | steps.OPENING | steps.OUTSIDE_CASE == set(steps.STEPS)


# -- 1. every transition -------------------------------------------------------------------

EDGES = sorted(((p or "", s, t) for (p, s), ts in steps.TRANSITIONS.items() for t in ts))


def _drive(w: Any, phase: str, step: str, target: str) -> tuple[Decision, str]:
    if phase == "":
        if step == "hulpvraag":
            d = w.hulpvraag(G, wet="wmo", client=JAN, vraag="hulp bij huishouden",
                            aanleiding="mantelzorger overbelast" if target == "onderzoek" else None)
        else:
            ok(w.betrokkenheid(G, partij=WERK_INKOMEN, persoon=JAN,
                               dienst="participatiewet.algemene_bijstand"))
            d = w.verzoek(G, partij=WERK_INKOMEN, client=JAN, onderbouwing="geen inkomen",
                          indicatoren=["basisbehoeften"], helpt="samenhang")
        return d, d.case_id
    cid = build(w, phase)
    if step == "besluit_verzoek":
        d = w.besluit_verzoek(G, cid, gegrond=target == "onderzoek", motivering="indicatoren",
                              werkinstructie="v2", indicatoren=["basisbehoeften"])
    elif step == "terugkoppeling":
        if target == "werkplan":
            two_services(w, cid)
        d = CALLS[step](w, cid)
    elif step == "coordinator":
        adopt_werkplan(w, cid)
        d = CALLS[step](w, cid)
    elif step == "vernietig":
        w.clock.advance(400)
        d = CALLS[step](w, cid)
    else:
        d = CALLS[step](w, cid)
    return d, cid


@pytest.mark.parametrize("phase,step,target", EDGES,
                         ids=[f"{p or 'nieuw'}-{s}-{t}" for p, s, t in EDGES])
def test_transition(wams, phase, step, target):
    d, cid = _drive(wams, phase, step, target)
    assert d.allowed, d.message
    assert d.phase == target
    assert snapshot(wams, cid)["case"]["phase"] == target
    assert [x["phase"] for x in wams.cases(G) if x["id"] == cid] == [target]
    assert target in steps.TRANSITIONS[(phase or None, step)]


def test_every_edge_is_tested():
    assert {(p or None, s) for p, s, _ in EDGES} == set(steps.TRANSITIONS)
    assert len(EDGES) == sum(len(t) for t in steps.TRANSITIONS.values())


def test_steps_that_do_not_move_keep_the_phase(wams):
    cid = route_a(wams)
    for step in ("samenspraak", "domein", "gezinslid", "vraag_gegevens", "verstrekking",
                 "hergebruik", "dienst", "bijdrage", "export", "casusoverleg", "inzage"):
        d = ok(CALLS[step](wams, cid))
        assert d.phase == "onderzoek"
        assert ("onderzoek", step) not in steps.TRANSITIONS


# -- 2. every step in every phase it is allowed in ----------------------------------------------

ALLOWED_PAIRS = sorted((s, p) for s, ps in steps.STEP_PHASES.items() for p in ps)

# Where a domain rule, checked after the phase, makes the step impossible in that phase
# (docs/scenarios.md: voortgang needs a coordinator; casusoverleg by the college belongs to the
# onderzoek and, after the terugkoppeling, to agreeing the werkplan, by the coordinator to the
# coördinatie; taak is always refused, R28).
DOMAIN_REFUSALS = {
    ("voortgang", "onderzoek"): "coordinator.missing",
    ("voortgang", "werkplan"): "coordinator.missing",
    **{("taak", p): "doorzettingsmacht.none" for p in PHASES},
}


def _ask(w: Any, cid: str, phase: str) -> Decision:
    # a data request names a purpose of the case's phase (purpose.phase_mismatch otherwise)
    return w.vraag_gegevens(G, cid, bij=WERK_INKOMEN, categorie="participatiewet.inkomen",
                            over="jan", doel=for_phase(phase)[-1], toelichting="zicht op inkomen",
                            noodzaak="hoogte bijstand")


def _prepare(w: Any, step: str, phase: str) -> str:
    route = "B" if step == "besluit_bezwaar" else "A"
    cid = build(w, phase, route=route)
    if step == "verstrekking":
        ok(_ask(w, cid, phase))
    elif step in ("bijdrage", "akkoord_coordinatie"):
        ok(CALLS["betrek_partij"](w, cid))
    elif step == "besluit_bezwaar":
        ok(CALLS["bezwaar"](w, cid))
    elif step == "coordinator" and phase == "werkplan":
        adopt_werkplan(w, cid)
    elif step == "vernietig":
        w.clock.advance(400)
    return cid


def _in_case_call(w: Any, step: str, phase: str, cid: str) -> Decision:
    if step == "vraag_gegevens":
        return _ask(w, cid, phase)
    if step == "casusoverleg" and phase == "coordinatie":
        return w.casusoverleg(G, cid, doel="afstemming", bijeengeroepen_door="coordinator",
        deelnemers=["jan"])
    return CALLS[step](w, cid)


@pytest.mark.parametrize("step,phase", ALLOWED_PAIRS, ids=[f"{s}@{p}" for s, p in ALLOWED_PAIRS])
def test_step_runs_in_its_phases(wams, step, phase):
    cid = _prepare(wams, step, phase)
    expected = DOMAIN_REFUSALS.get((step, phase))
    if expected is None:
        d = _in_case_call(wams, step, phase, cid)
        assert d.allowed, f"{step}@{phase}: {d.code}: {d.message}"
    else:
        d = refused(wams, expected, lambda: _in_case_call(wams, step, phase, cid), cid)
    assert d.code not in ("state.invalid_transition", "verzoek.not_decided", "verzoek.rejected")


# -- 3. every step outside its phases is refused -------------------------------------------------

FORBIDDEN = {p: sorted(s for s, ps in steps.STEP_PHASES.items() if p not in ps)
             for p in PHASES}


def test_enough_forbidden_pairs():
    assert sum(len(v) for v in FORBIDDEN.values()) >= 15


def _route_for(phase: str) -> str:
    return "B" if phase in ("beoordeling", "afgewezen") else "A"


@pytest.mark.parametrize("phase", PHASES)
def test_forbidden_steps_are_refused(wams, phase):
    cid = build(wams, phase, route=_route_for(phase))
    if phase in ("afgesloten", "afgewezen"):
        wams.clock.advance(400)  # so that only the phase could refuse
    expected = phases.phase_refusal(phase)
    assert expected == {"beoordeling": "verzoek.not_decided",
                        "afgewezen": "verzoek.rejected"}.get(phase, "state.invalid_transition")
    assert FORBIDDEN[phase], phase
    for step in FORBIDDEN[phase]:
        refused(wams, expected, lambda step=step: CALLS[step](wams, cid), cid)


@pytest.mark.parametrize("phase", ("werkplan", "coordinatie"))
def test_route_b_running_phases(wams, phase):
    """Route B reaches the same running phases; a step outside them is still a phase error."""
    cid = build(wams, phase, route="B")
    refused(wams, "state.invalid_transition", lambda: CALLS["terugkoppeling"](wams, cid), cid)
    refused(wams, "state.invalid_transition", lambda: CALLS["vernietig"](wams, cid), cid)
    ok(wams.inzage(G, cid, persoon="jan"))


def test_afgewezen_keeps_only_inzage_and_vernietig(wams):
    cid = route_b(wams, decide=False)
    refused(wams, "verzoek.rejected", lambda: CALLS["informeer"](wams, cid), cid)
    refused(wams, "retention.not_expired", lambda: CALLS["vernietig"](wams, cid), cid)
    ok(wams.inzage(G, cid, persoon="jan"))
    wams.clock.advance(400)
    assert ok(wams.vernietig(G, cid)).phase == "vernietigd"


def test_bewaartermijn_counts_calendar_months_clamped_to_month_end() -> None:
    """R33: the bewaartermijn runs in calendar months from closure; a closure on the 31st ends
    on the last day of a shorter month, never in the month after."""
    import datetime as dt

    from wams.core.clock import add_months

    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 3, 15), 12) == dt.date(2028, 3, 15)
    assert add_months(dt.date(2027, 3, 31), -1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 1, 10), -13) == dt.date(2025, 12, 10)
