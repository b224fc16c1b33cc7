"""The rule table and reason codes: complete, ordered, and citing only real sources.

The lists below are hard-coded on purpose (CI has no access to the spec or the memorandum):
- ``MVT_SECTIONS``: the numbered headings of the 2020 consultation memorandum (it stops at
  §3.3.3; §3.4 and chapter 4 are referred to but not in the text);
- ``ARTICLE_CITATIONS``: every non-MvT citation the table may use. The test asserts the table
  uses *exactly* these, so adding an (invented) article number fails until it is reviewed here.
When the memorandum is available locally, its headings are checked against ``MVT_SECTIONS``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wams.core.reasons import REASONS, Reason, reason
from wams.core.rules import RULES, RULESET, Rule, citations, rule

MVT_SECTIONS = frozenset(
    {
        "1.1", "1.2", "1.3", "1.4",
        "2.1", "2.2",
        "3.1", "3.1.1", "3.1.2", "3.1.3", "3.1.4",
        "3.2", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.2.5",
        "3.3", "3.3.1", "3.3.2", "3.3.3",
    }
)  # fmt: skip

ARTICLE_CITATIONS = frozenset(
    {
        "Wmo 2015 §2.3a (voorstel)",  # new paragraph with the college's tasks, MvT §1.3
        "Wmo 2015 art. 2.2.5 (voorstel)",  # meldpunt, MvT §1.2
        "Wmo 2015 hoofdstuk 5 (voorstel)",  # extended data-processing rules, MvT §1.3
        "spiegelbepalingen Jeugdwet, Participatiewet en Wgs (voorstel)",  # MvT §1.3
        "Jeugdwet art. 7.4.0 lid 2 (model)",  # quoted in MvT §3.2.3
        "AVG art. 6 lid 1 sub e",  # MvT §3.3
        "AVG art. 15",  # right of access (R36)
        "AVG art. 21",  # right to object (R09, MvT §3.3.2)
        "AVG art. 30",  # records of processing (R36)
        "Wmo 2015: taak van het college van de eigen gemeente (MvT §1.3, §3.3.1)",  # R38
        "ontwerpkeuze (geen bron in MvT)",  # R14: the catalogue mechanism itself
    }
)

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
    "purpose.enforcement_excluded", "objection.pending", "objection.ended",
    "provision.condition_violated", "provision.no_basis", "capacity.crossing",
    "werkplan.geen_grondslag", "werkplan.incomplete", "coordinator.missing",
    "coordinator.invalid",
    "doorzettingsmacht.none", "casusoverleg.convener", "casusoverleg.recipient_not_entitled",
    "casusoverleg.not_involved",
    "closure.no_terugvalafspraken", "retention.not_expired", "melding.no_case",
    "state.invalid_transition", "access.role", "access.party_kind", "tenant.mismatch",
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


def test_every_source_is_a_real_section_or_an_allowed_citation() -> None:
    for r in RULES.values():
        for source in r.sources:
            m = _MVT.match(source)
            if m:
                assert m.group(1) in MVT_SECTIONS, f"{r.id}: {source!r} is not in the memorandum"
            else:
                assert source in ARTICLE_CITATIONS, f"{r.id}: {source!r} is not an allowed citation"


def test_allow_list_is_exactly_what_the_table_uses() -> None:
    used = {s for r in RULES.values() for s in r.sources if not _MVT.match(s)}
    assert used == ARTICLE_CITATIONS


def test_sections_named_inside_allowed_citations_exist() -> None:
    for citation in (c for c in ARTICLE_CITATIONS if "MvT §" in c):
        sections = _EMBEDDED_MVT.findall(citation[citation.index("MvT §") :])
        assert sections, citation
        for section in sections:
            assert section in MVT_SECTIONS, citation


def test_no_article_numbers_of_the_four_laws_except_known_ones() -> None:
    # The only article numbers of the sociaal-domein laws known for this version.
    known = {"Wmo 2015 art. 2.2.5", "Jeugdwet art. 7.4.0"}
    for r in RULES.values():
        for source in r.sources:
            for law in ("Wmo 2015", "Jeugdwet", "Participatiewet", "Wgs"):
                for m in re.finditer(rf"{law} art\. ([\d.]+)", source):
                    assert f"{law} art. {m.group(1)}" in known, f"{r.id}: {source!r}"


#: the only article numbers of the sociaal-domein laws the memorandum gives
KNOWN_ARTICLES = {"Wmo 2015 art. 2.2.5", "Jeugdwet art. 7.4.0"}


def _plugin_citations() -> list[tuple[str, str]]:
    from wams.core.plugins import load_catalogue

    cat = load_catalogue()
    found = [(f"law {c}", law.provision) for c, law in cat.laws.items()]
    found += [(f"provision rule {c}", r.citation) for c, r in cat.provision_rules.items()]
    found += [(f"service {c}", s.legal_basis) for c, s in cat.services.items()
              if s.legal_basis]
    return found


def test_plugin_citations_are_checked_like_the_rule_table() -> None:
    # Revision 2, item 14: a plugin cites no article number the sources do not give
    # (no "Wmo 2015 art. 5.x") and only memorandum sections that exist.
    for what, citation in _plugin_citations():
        for m in re.finditer(r"((?:Wmo 2015|Jeugdwet|Participatiewet|Wgs)) art\. (\S+)",
                             citation):
            assert f"{m.group(1)} art. {m.group(2).rstrip(';,')}" in KNOWN_ARTICLES, \
                f"{what}: {citation!r} names an article the sources do not give"
        assert not re.search(r"art\. [\d.]*[a-z]\b", citation), f"{what}: {citation!r}"
        for part in citation.split(";"):
            if "MvT §" in part:
                for section in _EMBEDDED_MVT.findall(part[part.index("MvT §"):]):
                    assert section in MVT_SECTIONS, f"{what}: {citation!r}"


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
    assert RULES["R13"].sources[0] == "AVG art. 6 lid 1 sub e"
    # Revision 2, item 14: R15 rests on MvT §3.3.1 alone; the Jeugdwet example is about the
    # supplier weighing necessity (MvT §3.2.3), so it belongs to R16.
    assert RULES["R15"].sources == ("MvT §3.3.1",)
    assert {"MvT §3.2.3", "Jeugdwet art. 7.4.0 lid 2 (model)"} <= set(RULES["R16"].sources)
    assert "Wmo 2015 art. 2.2.5 (voorstel)" in RULES["R34"].sources
    assert {"AVG art. 30", "AVG art. 15"} <= set(RULES["R36"].sources)


def test_rule_lookup() -> None:
    assert rule("R01").id == "R01"
    with pytest.raises(KeyError, match="R99"):
        rule("R99")


def test_citations_distinct_and_ordered() -> None:
    got = citations(["R02", "R03", "R04"])
    assert got == ("MvT §3.3.1", "Wmo 2015 §2.3a (voorstel)")
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
    }
    for code, rules in expected.items():
        assert reason(code).rules == rules


def test_reason_lookup_unknown() -> None:
    with pytest.raises(KeyError, match="nope"):
        reason("nope")
