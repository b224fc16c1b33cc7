"""The built-in plugins declare exactly the catalogue the specification lists, copied here by
hand: a change to a plugin that the generated docs/catalogue.md would silently follow fails here.

Checked on the plugin modules themselves (records and hookspecs only), independent of the
catalogue builder: what scenario files may refer to must be there, with the right flags, and
every cross-reference between plugins must resolve.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import pluggy
import pytest

from wams.core.law import hookspecs
from wams.core.law.records import (
    REGIMES,
    SERVICE_KINDS,
    SPECIAL_KINDS,
    DataCategory,
    Domain,
    Entry,
    EntryRequest,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
)
from wams.core.plugins import load_catalogue
from wams.plugins import aanpalend, jeugdwet, participatiewet, wgs, wmo

PLUGINS: dict[str, ModuleType] = {
    "wmo": wmo,
    "jeugdwet": jeugdwet,
    "participatiewet": participatiewet,
    "wgs": wgs,
    "aanpalend": aanpalend,
}

# -- the catalogue the built-in plugins must declare ----------------------------------------

SOCIAAL = {"wmo", "jeugdhulp", "kinderbescherming", "jeugdreclassering", "schuldhulp",
           "participatie"}
AANPALEND = {"publieke_gezondheid", "geneeskundige_zorg", "langdurige_zorg", "onderwijs",
             "welzijn", "wonen", "werk_inkomen", "openbare_orde_veiligheid"}

DOMAINS_BY_PLUGIN = {
    "wmo": {"wmo"},
    "jeugdwet": {"jeugdhulp", "kinderbescherming", "jeugdreclassering"},
    "participatiewet": {"participatie"},
    "wgs": {"schuldhulp"},
    "aanpalend": AANPALEND,
}

# qualified code -> (domain, justice)
PARTY_KINDS = {
    "wmo.wijkteam": ("wmo", False),
    "wmo.zorgaanbieder": ("wmo", False),
    "wmo.meldpunt": ("wmo", False),
    "jeugdwet.jeugdhulpaanbieder": ("jeugdhulp", False),
    "jeugdwet.gecertificeerde_instelling": ("kinderbescherming", False),
    "jeugdwet.raad_kinderbescherming": ("kinderbescherming", True),
    "jeugdwet.halt": ("jeugdreclassering", True),
    "participatiewet.werk_en_inkomen": ("participatie", False),
    "participatiewet.reintegratiebedrijf": ("participatie", False),
    "wgs.schuldhulpverlener": ("schuldhulp", False),
    "aanpalend.ggd": ("publieke_gezondheid", False),
    "aanpalend.huisarts": ("geneeskundige_zorg", False),
    "aanpalend.ggz_aanbieder": ("geneeskundige_zorg", False),
    "aanpalend.wlz_aanbieder": ("langdurige_zorg", False),
    "aanpalend.school": ("onderwijs", False),
    "aanpalend.leerplichtambtenaar": ("onderwijs", False),
    "aanpalend.welzijnsorganisatie": ("welzijn", False),
    "aanpalend.woningcorporatie": ("wonen", False),
    "aanpalend.uwv": ("werk_inkomen", False),
    "aanpalend.politie": ("openbare_orde_veiligheid", True),
    "aanpalend.reclassering": ("openbare_orde_veiligheid", True),
    # ours, not the spec's: an enforcement body is decided on its kind (issue 23, R12)
    "aanpalend.sociale_recherche": ("openbare_orde_veiligheid", True),
    "aanpalend.veiligheidshuis": ("openbare_orde_veiligheid", False),
}

# qualified code -> (domain, kind, coercive)
SERVICES = {
    "wmo.maatwerkvoorziening": ("wmo", "dienst", False),
    "wmo.beschermd_wonen": ("wmo", "dienst", False),
    "wmo.clientondersteuning": ("wmo", "dienst", False),
    "wmo.algemene_voorziening": ("wmo", "dienst", False),
    "jeugdwet.jeugdhulp": ("jeugdhulp", "dienst", False),
    "jeugdwet.kinderbeschermingsmaatregel": ("kinderbescherming", "interventie", False),
    "jeugdwet.jeugdreclassering": ("jeugdreclassering", "interventie", False),
    "participatiewet.algemene_bijstand": ("participatie", "dienst", False),
    "participatiewet.bijzondere_bijstand": ("participatie", "dienst", False),
    "participatiewet.reintegratie": ("participatie", "dienst", False),
    "wgs.schuldhulpverlening": ("schuldhulp", "dienst", False),
    "wgs.budgetbeheer": ("schuldhulp", "dienst", False),
    "aanpalend.ggz_behandeling": ("geneeskundige_zorg", "dienst", False),
    "aanpalend.huisartsenzorg": ("geneeskundige_zorg", "dienst", False),
    "aanpalend.wlz_zorg": ("langdurige_zorg", "dienst", False),
    "aanpalend.passend_onderwijs": ("onderwijs", "dienst", False),
    "aanpalend.welzijnswerk": ("welzijn", "dienst", False),
    "aanpalend.huurachterstandaanpak": ("wonen", "dienst", False),
    "aanpalend.uwv_uitkering": ("werk_inkomen", "dienst", False),
    "aanpalend.leerplichthandhaving": ("onderwijs", "interventie", False),
    "aanpalend.wvggz_maatregel": ("geneeskundige_zorg", "interventie", True),
    "aanpalend.wzd_maatregel": ("langdurige_zorg", "interventie", True),
    "aanpalend.reclasseringstoezicht": ("openbare_orde_veiligheid", "interventie", False),
    "aanpalend.wijkagentinterventie": ("openbare_orde_veiligheid", "interventie", False),
}

# qualified code -> (domain, special, regime, suppliers)
CATEGORIES = {
    "wmo.ondersteuningsbehoefte": ("wmo", set(), None, {"wmo.wijkteam", "wmo.zorgaanbieder"}),
    "wmo.maatwerkvoorziening": ("wmo", set(), None, {"wmo.wijkteam", "wmo.zorgaanbieder"}),
    "wmo.meldinggegevens": ("wmo", set(), None, {"wmo.meldpunt"}),
    "jeugdwet.jeugdhulpgegevens": (
        "jeugdhulp", {"minor", "health"}, "beroepsgeheim",
        {"jeugdwet.jeugdhulpaanbieder", "jeugdwet.gecertificeerde_instelling"},
    ),
    "jeugdwet.kinderbeschermingsgegevens": (
        "kinderbescherming", {"minor"}, "beroepsgeheim",
        {"jeugdwet.gecertificeerde_instelling", "jeugdwet.raad_kinderbescherming"},
    ),
    # Issue 23: the college's own toeleiding data (MvT §3.2.5 "Over deze gegevens mag het
    # college beschikken"), no regime, held by the wijkteam that does the toeleiding for it
    "jeugdwet.toeleidingsgegevens": ("jeugdhulp", {"minor"}, None, {"wmo.wijkteam"}),
    "jeugdwet.jeugdreclasseringsgegevens": (
        "jeugdreclassering", {"minor", "criminal"}, "Wjsg",
        {"jeugdwet.gecertificeerde_instelling", "jeugdwet.halt"},
    ),
    "participatiewet.inkomen": (
        "participatie", set(), None, {"participatiewet.werk_en_inkomen"},
    ),
    "participatiewet.vermogen": (
        "participatie", set(), None, {"participatiewet.werk_en_inkomen"},
    ),
    "participatiewet.arbeidsvermogen": (
        "participatie", set(), None,
        {"participatiewet.werk_en_inkomen", "participatiewet.reintegratiebedrijf"},
    ),
    "wgs.schuldenoverzicht": ("schuldhulp", set(), None, {"wgs.schuldhulpverlener"}),
    "wgs.betalingsachterstanden": ("schuldhulp", set(), None, {"wgs.schuldhulpverlener"}),
    "aanpalend.gezondheid": (
        "geneeskundige_zorg", {"health"}, "beroepsgeheim",
        {"aanpalend.huisarts", "aanpalend.ggz_aanbieder", "aanpalend.ggd",
         "aanpalend.wlz_aanbieder"},
    ),
    "aanpalend.schoolverzuim": (
        "onderwijs", {"minor"}, None, {"aanpalend.school", "aanpalend.leerplichtambtenaar"},
    ),
    "aanpalend.onderwijsondersteuning": ("onderwijs", {"minor"}, None, {"aanpalend.school"}),
    "aanpalend.huurachterstand": ("wonen", set(), None, {"aanpalend.woningcorporatie"}),
    "aanpalend.uwv_uitkering": ("werk_inkomen", set(), None, {"aanpalend.uwv"}),
    "aanpalend.politiegegevens": (
        "openbare_orde_veiligheid", {"criminal"}, "Wpg", {"aanpalend.politie"},
    ),
    "aanpalend.justitiele_gegevens": (
        "openbare_orde_veiligheid", {"criminal"}, "Wjsg", {"aanpalend.reclassering"},
    ),
}

# law -> (kind, own domain, opens)
LAWS = {
    "wmo": ("sociaal", "wmo", True),
    "jeugdwet": ("sociaal", "jeugdhulp", True),
    "participatiewet": ("sociaal", "participatie", True),
    "wgs": ("sociaal", "schuldhulp", True),
    "leerplichtwet": ("aanpalend", "onderwijs", False),
    "wvggz": ("aanpalend", "geneeskundige_zorg", False),
    "wzd": ("aanpalend", "langdurige_zorg", False),
}

REQUIRED_SIGNALS = {("participatiewet", "schuldhulp"), ("wgs", "participatie"),
                    ("jeugdwet", "onderwijs")}

LOCAL_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
QUALIFIED_CODE = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
# An article number the MvT gives; any other "art." in a citation would be invented.
KNOWN_ARTICLES = ("Wmo 2015, artikel 2.2.5", "Jeugdwet, artikel 7.4.0, tweede en derde lid",
                  "Wmo 2015 art. 5.1.1", "Wmo 2015 art. 2.1.2")


def _collect(hook: str) -> dict[str, list[Any]]:
    return {name: list(getattr(module, hook)()) for name, module in PLUGINS.items()}


def _qualified(hook: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, records in _collect(hook).items():
        for record in records:
            key = f"{name}.{record.code}"
            assert key not in out, f"duplicate {key}"
            out[key] = record
    return out


def _all_domains() -> dict[str, Domain]:
    out: dict[str, Domain] = {}
    for records in _collect("wams_domains").values():
        for domain in records:
            assert isinstance(domain, Domain)
            assert domain.code not in out, f"domain {domain.code} defined twice"
            out[domain.code] = domain
    return out


def test_plugins_register_cleanly_against_the_hookspecs() -> None:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, module in PLUGINS.items():
        pm.register(module, name=name)
    pm.check_pending()
    assert len(pm.hook.wams_domains()) == len(PLUGINS)
    # no built-in law has conditions of its own: the catalogue's default entry answers
    assert pm.hook.wams_entry(request=EntryRequest(law="wgs", vraag="schulden")) is None
    entry = load_catalogue().entry(EntryRequest(law="wgs", vraag="schulden"))
    assert entry == Entry(law="wgs", opens=True, domain="schuldhulp",
                          provision=wgs.PROVISION)


def test_hooks_return_lists_of_the_right_records() -> None:
    shapes = {
        "wams_laws": Law, "wams_domains": Domain, "wams_party_kinds": PartyKind,
        "wams_services": Service, "wams_data_categories": DataCategory,
        "wams_provision_rules": ProvisionRule, "wams_signals": Signal,
        "wams_processing_activities": ProcessingActivity,
    }
    for hook, shape in shapes.items():
        for name, module in PLUGINS.items():
            result = getattr(module, hook)()
            assert isinstance(result, list), f"{name}.{hook} must return a list"
            assert all(isinstance(r, shape) for r in result), f"{name}.{hook}"


def test_domains_match_the_spec() -> None:
    domains = _all_domains()
    assert set(domains) == SOCIAAL | AANPALEND
    assert {c for c, d in domains.items() if d.kind == "sociaal"} == SOCIAAL
    assert {c for c, d in domains.items() if d.kind == "aanpalend"} == AANPALEND
    for name, records in _collect("wams_domains").items():
        assert {d.code for d in records} == DOMAINS_BY_PLUGIN[name]
    assert all(d.name for d in domains.values())


def test_laws_and_entry() -> None:
    catalogue = load_catalogue()
    laws: dict[str, Law] = {}
    for records in _collect("wams_laws").values():
        for law in records:
            assert isinstance(law, Law)
            assert law.code not in laws
            laws[law.code] = law
    assert set(laws) == set(LAWS)
    for code, (kind, domain, opens) in LAWS.items():
        law = laws[code]
        assert (law.kind, law.domain) == (kind, domain), code
        given = catalogue.entry(EntryRequest(law=code, vraag="hulp"))
        assert given == Entry(law=code, opens=opens, domain=domain, provision=law.provision)
    # MvT §1.3: "een nieuwe paragraaf 3a" and "spiegelbepalingen"; no article numbers
    assert laws["wmo"].provision.text() == "Wmo 2015, nieuwe paragraaf 3a (voorstel; MvT §1.3)"
    for code, wet in (("jeugdwet", "Jeugdwet"), ("participatiewet", "Participatiewet"),
                      ("wgs", "Wet gemeentelijke schuldhulpverlening")):
        assert laws[code].provision.text() == f"{wet}, spiegelbepaling (voorstel; MvT §1.3)"


def test_party_kinds_match_the_spec() -> None:
    kinds = _qualified("wams_party_kinds")
    assert set(kinds) == set(PARTY_KINDS)
    for code, (domain, justice) in PARTY_KINDS.items():
        kind = kinds[code]
        assert isinstance(kind, PartyKind)
        assert (kind.domain, kind.justice) == (domain, justice), code
        assert kind.name and LOCAL_CODE.match(kind.code)


def test_services_match_the_spec() -> None:
    services = _qualified("wams_services")
    assert set(services) == set(SERVICES)
    for code, (domain, kind, coercive) in SERVICES.items():
        service = services[code]
        assert isinstance(service, Service)
        assert (service.domain, service.kind, service.coercive) == (domain, kind, coercive), code
        assert service.kind in SERVICE_KINDS and service.name
        # R37: coercion only as an interventie, with its own legal basis.
        if service.coercive:
            assert service.kind == "interventie" and service.legal_basis, code
    assert services["aanpalend.leerplichthandhaving"].legal_basis == "Leerplichtwet 1969"
    assert "Wvggz" in services["aanpalend.wvggz_maatregel"].legal_basis
    assert "Wzd" in services["aanpalend.wzd_maatregel"].legal_basis


def test_data_categories_match_the_spec() -> None:
    categories = _qualified("wams_data_categories")
    assert set(categories) == set(CATEGORIES)
    for code, (domain, special, regime, suppliers) in CATEGORIES.items():
        category = categories[code]
        assert isinstance(category, DataCategory)
        assert category.domain == domain, code
        assert category.special == frozenset(special), code
        assert category.regime == regime, code
        assert set(category.suppliers) == suppliers, code
        assert len(category.suppliers) == len(suppliers), f"{code}: duplicate supplier"
        assert category.special <= set(SPECIAL_KINDS)
        assert category.regime is None or category.regime in REGIMES
        assert category.name


def test_references_resolve() -> None:
    domains = _all_domains()
    kinds = _qualified("wams_party_kinds")
    categories = _qualified("wams_data_categories")
    for records in (kinds, _qualified("wams_services"), categories):
        for code, record in records.items():
            assert record.domain in domains, f"{code}: unknown domain"
    for code, category in categories.items():
        for supplier in category.suppliers:
            assert QUALIFIED_CODE.match(supplier), f"{code}: {supplier} is not plugin.code"
            assert supplier in kinds, f"{code}: unknown supplier {supplier}"
    for rules in _collect("wams_provision_rules").values():
        for rule in rules:
            assert isinstance(rule, ProvisionRule)
            assert rule.categories and rule.citation
            for category in rule.categories:
                assert QUALIFIED_CODE.match(category) and category in categories, category
    for name, activities in _collect("wams_processing_activities").items():
        assert activities, f"{name} declares no processing activity"
        for activity in activities:
            assert isinstance(activity, ProcessingActivity)
            assert activity.purpose and activity.name
            for category in activity.categories:
                assert category in categories, f"{name}.{activity.code}: {category}"
    laws = {law.code for records in _collect("wams_laws").values() for law in records}
    for signals in _collect("wams_signals").values():
        for signal in signals:
            assert signal.law in laws and signal.domain in domains


def test_every_category_is_covered_by_a_provision_rule() -> None:
    # R16/R17: each plugin with categories says under which provision they are supplied, and
    # a rule covering a category breaks through the regime that category comes from.
    categories = _qualified("wams_data_categories")
    covered: dict[str, set[str]] = {}
    for rules in _collect("wams_provision_rules").values():
        for rule in rules:
            for category in rule.categories:
                covered.setdefault(category, set()).update(rule.overrides)
    for code, category in categories.items():
        assert code in covered, f"{code}: no provision rule"
        regime = category.regime
        if regime is not None:
            assert regime in covered[code], f"{code}: rule does not override {regime}"


def test_signals() -> None:
    given = {(s.law, s.domain) for records in _collect("wams_signals").values()
             for s in records}
    assert REQUIRED_SIGNALS <= given
    for name, signals in _collect("wams_signals").items():
        for signal in signals:
            assert signal.question.endswith("?")
            assert signal.law in {law.code for law in PLUGINS[name].wams_laws()}


@pytest.mark.parametrize("name", list(PLUGINS))
def test_citations_invent_no_article_numbers(name: str) -> None:
    module = PLUGINS[name]
    texts = [law.provision.text() for law in module.wams_laws()]
    texts += [c.text() for rule in module.wams_provision_rules() for c in rule.citation]
    texts += [s.legal_basis or "" for s in module.wams_services()]
    for text in texts:
        for known in KNOWN_ARTICLES:
            text = text.replace(known, "")
        assert not re.search(r"\bart(ikel|\.)", text), text


def test_entry_declines_other_laws() -> None:
    assert load_catalogue().entry(EntryRequest(law="wet_op_iets_anders", vraag="x")) is None
