"""The rule table and reason codes: complete, ordered, and citing only real sources.

``MVT_SECTIONS`` is hard-coded on purpose (CI has no access to the memorandum): the numbered
headings of the 2020 consultation memorandum (it stops at §3.3.3; §3.4 and chapter 4 are
referred to but not in the text). When the memorandum is available locally (``WAMS_MEMORANDUM``),
its headings are checked against it; ``tests/test_citations.py`` checks every citation record.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wams.core.law.reasons import REASONS, Reason, reason
from wams.core.law.rules import RULES, RULESET, Rule, citations, rule

MVT_SECTIONS = frozenset(
    {
        "1.1", "1.2", "1.3", "1.4",
        "2.1", "2.2",
        "3.1", "3.1.1", "3.1.2", "3.1.3", "3.1.4",
        "3.2", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.2.5",
        "3.3", "3.3.1", "3.3.2", "3.3.3",
    }
)  # fmt: skip

REASON_CODES = (
    "ok",
    "entry.law_unknown", "entry.not_a_hulpvraag", "entry.adjacent_cannot_open",
    "verzoek.party_not_involved", "verzoek.no_substantiation", "verzoek.not_decided",
    "verzoek.rejected",
    "inform.required",
    "scope.domain_refused", "scope.client_view_missing", "scope.domain_not_in_scope",
    "reason.missing",
    "family.no_samenhang", "family.already_in_case", "family.not_in_case",
    "party.adjacent_no_aanleiding", "party.justice_purpose", "party.not_involved",
    "category.undeclared", "category.party_may_not_supply",
    "purpose.enforcement_excluded", "purpose.phase_mismatch", "objection.pending",
    "objection.ended",
    "provision.condition_violated", "provision.no_basis", "capacity.crossing",
    "werkplan.geen_grondslag", "werkplan.incomplete", "coordinator.missing",
    "coordinator.invalid",
    "doorzettingsmacht.none", "casusoverleg.convener", "casusoverleg.recipient_not_entitled",
    "casusoverleg.not_involved",
    "closure.no_terugvalafspraken", "retention.not_expired", "melding.no_case",
    "state.invalid_transition", "access.role", "access.party_kind", "access.party_answers",
    "tenant.mismatch",
    # issue 23: the readings of the memorandum
    "inform.gezinslid_required", "reason.standaardscreening", "verzoek.namens_college",
    "betrokkenheid.dienst_not_deliverable", "besluit_verzoek.no_indicatoren",
    "coordinator.party_not_agreed", "casusoverleg.domain_withdrawn",
    "onderzoek.no_terugkoppeling", "access.party_consents",
)  # fmt: skip

#: The memorandum's text is not part of the repository; point this variable at a copy to
#: check MVT_SECTIONS against it.
MEMORANDUM_ENV = "WAMS_MEMORANDUM"
_MVT = re.compile(r"^MvT §(\d+(?:\.\d+)+)$")
_EMBEDDED_MVT = re.compile(r"§(\d+(?:\.\d+)+)")


def test_ruleset_id() -> None:
    assert RULESET == "wams-2020"


def test_all_rules_present_in_order() -> None:
    assert list(RULES) == [f"R{n:02d}" for n in range(1, 39)]
    for rule_id, r in RULES.items():
        assert isinstance(r, Rule)
        assert r.id == rule_id
        assert r.title.strip() and r.summary.strip()
        assert r.sources, f"{rule_id} has no source"
        assert len(set(r.sources)) == len(r.sources), f"{rule_id} repeats a source"


def test_mvt_sections_match_the_memorandum_when_available() -> None:
    name = os.environ.get(MEMORANDUM_ENV)
    if not name:
        pytest.skip(f"set {MEMORANDUM_ENV} to the memorandum's text to compare MVT_SECTIONS")
    path = Path(name)
    headings = {
        m.group(1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if (m := re.match(r"^\s*(\d+(?:\.\d+)+)\s+[A-Z]", line))
    }
    assert headings == MVT_SECTIONS


def test_specific_citations() -> None:
    texts = {r.id: [c.labelled() for c in r.sources] for r in RULES.values()}
    assert texts["R13"][0] == "bron: AVG, artikel 6, eerste lid, onderdeel e (MvT §3.3)"
    # R15 rests on MvT §3.3.1; its request format comes from the 2023 bill
    assert texts["R15"] == ["bron: MvT §3.3.1", "ander voorstel: Wams 2023 (Kamerstuk 36 295), "
                            "vorm van de gegevensvraag: zaak, categorie, persoon, doel en "
                            "noodzaak"]
    assert "bron: Jeugdwet, artikel 7.4.0, tweede en derde lid (model) (MvT §3.2.3)" \
        in texts["R16"]
    assert any(t.startswith("ander voorstel:") and "zwaarwegende" in t for t in texts["R16"])
    assert "bron: Wmo 2015, artikel 2.2.5 (voorstel; MvT §1.2)" in texts["R34"]
    # R36: a per-event log is no AVG art. 30 (that is the register); art. 15 is the right
    assert not any("30" in t for t in texts["R36"])
    assert any("artikel 15" in t for t in texts["R36"])
    # R17/R18/R30 need the regulation §3.3 announces for §3.4: announced, not "bron"
    for rule_id in ("R17", "R18", "R30"):
        assert {c.footing for c in RULES[rule_id].sources} == {"aangekondigd"}, rule_id
    for rule_id in ("R31", "R32"):
        assert [c.labelled() for c in RULES[rule_id].sources] == ["praktijk: MvT §3.1.4"]
    assert "wams-2020" == RULESET


def test_rule_lookup() -> None:
    assert rule("R01").id == "R01"
    with pytest.raises(KeyError, match="R99"):
        rule("R99")


def test_citations_distinct_and_ordered() -> None:
    got = [c.labelled() for c in citations(["R02", "R03", "R04"])]
    assert got == ["bron: MvT §3.3.1", "bron: Wmo 2015, nieuwe paragraaf 3a (voorstel; MvT §1.3)"]
    assert citations([]) == ()
    with pytest.raises(KeyError):
        citations(["R00"])


def test_every_reason_code_present() -> None:
    assert set(REASONS) == set(REASON_CODES)
    assert len(REASON_CODES) == len(set(REASON_CODES))
    assert reason("ok") == Reason(code="ok", message="Toegestaan.", rules=())


def test_reasons_cite_existing_rules_and_have_sentences() -> None:
    for code, r in REASONS.items():
        assert r.code == code
        for rule_id in r.rules:
            assert rule_id in RULES, f"{code} cites unknown {rule_id}"
        assert r.message[:1].isupper() and r.message.endswith("."), code
        assert "{" not in r.message and "}" not in r.message, code
        if code not in ("ok", "state.invalid_transition"):
            assert r.rules, f"{code} cites no rule"


def test_reason_mapping() -> None:
    expected = {
        "entry.law_unknown": ("R01",),
        "scope.domain_refused": ("R03", "R19"),
        "scope.domain_not_in_scope": ("R19", "R04"),
        "werkplan.geen_grondslag": ("R24", "R22", "R23"),
        "melding.no_case": ("R35", "R01"),
        "state.invalid_transition": (),
        "tenant.mismatch": ("R38",),
        "access.role": ("R19", "R30"),
        "access.party_kind": ("R06", "R12"),
        "access.party_answers": ("R16",),
    }
    for code, rules in expected.items():
        assert reason(code).rules == rules


def test_reason_lookup_unknown() -> None:
    with pytest.raises(KeyError, match="nope"):
        reason("nope")
