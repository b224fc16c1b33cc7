"""Selecting plugins (allow/block list) and the startup errors that name the plugin at fault.

Third-party plugins installed in the environment are kept out (``entry_points=False``, or an
allow list of the built-ins for ``Wams.open``), so these tests see the built-ins and their own
throwaway plugins only.
"""

from __future__ import annotations

import datetime as dt

import pytest

from wams import DataCategory, Domain, Law, PartyKind, Persoon, Service, Signal, hookimpl
from wams.api import Wams
from wams.core.catalogue import Catalogue, CatalogueError
from wams.core.clock import Clock
from wams.core.plugins import BUILTINS
from wams.core.plugins import load_catalogue as _load_catalogue
from wams.testing import named_plugin

BLOCK_ENV, ALLOW_ENV = "WAMS_PLUGINS_BLOCK", "WAMS_PLUGINS_ALLOW"


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BLOCK_ENV, raising=False)
    monkeypatch.setenv(ALLOW_ENV, ",".join(BUILTINS))


def load_catalogue(extra: list[object] | None = None, **kwargs: object) -> Catalogue:
    kwargs.setdefault("allow", [*BUILTINS, *(_name(p) for p in extra or ())])
    return _load_catalogue(extra, entry_points=False, **kwargs)  # type: ignore[arg-type]


def _name(plugin: object) -> str:
    return str(getattr(plugin, "__name__", type(plugin).__name__))


def _open(**kwargs: object) -> Wams:
    return Wams.open("sqlite://", clock=Clock(dt.date(2027, 2, 1)), **kwargs)  # type: ignore[arg-type]


def _hulpvraag(w: Wams, wet: str):  # type: ignore[no-untyped-def]
    return w.hulpvraag("0599", wet=wet, client=Persoon(ref="jan"), vraag="hulp",
                       aanleiding="noemt schulden")


# -- allow / block ------------------------------------------------------------------------------


def test_all_builtins_load_by_default() -> None:
    cat = load_catalogue()
    assert set(BUILTINS) <= {p.name for p in cat.plugins}
    assert "wgs" in cat.laws and "wgs.schuldenoverzicht" in cat.categories


def test_blocking_wgs_removes_its_law_and_categories() -> None:
    cat = load_catalogue(block=["wgs"])
    assert "wgs" not in {p.name for p in cat.plugins}
    assert "wgs" not in cat.laws
    assert "schuldhulp" not in cat.domains
    assert not [c for c in cat.categories if c.startswith("wgs.")]
    assert not [k for k in cat.party_kinds if k.startswith("wgs.")]
    # The signal participatiewet → schuldhulp points into the blocked plugin: it is silenced.
    assert "schuldhulp" not in cat.signals_for("participatiewet")
    assert "participatiewet" in cat.laws


def test_hulpvraag_under_a_blocked_law_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BLOCK_ENV, "wgs")
    with _open() as w:
        d = _hulpvraag(w, "wgs")
        assert not d.allowed and d.code == "entry.law_unknown"
        assert _hulpvraag(w, "participatiewet").allowed
    monkeypatch.delenv(BLOCK_ENV)
    with _open() as w:
        assert _hulpvraag(w, "wgs").allowed


def test_block_env_takes_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BLOCK_ENV, "wgs, jeugdwet")
    names = {p.name for p in load_catalogue(allow=None).plugins}
    assert not {"wgs", "jeugdwet"} & names and "wmo" in names


def test_allow_list_keeps_only_those(monkeypatch: pytest.MonkeyPatch) -> None:
    cat = load_catalogue(allow=["wmo", "aanpalend"])
    assert {p.name for p in cat.plugins} == {"wmo", "aanpalend"}
    assert set(cat.laws) == {"wmo", "leerplichtwet", "wvggz", "wzd"}
    monkeypatch.setenv(ALLOW_ENV, "wmo")
    assert {p.name for p in load_catalogue(allow=None).plugins} == {"wmo"}
    # An explicit argument wins over the environment.
    assert {p.name for p in load_catalogue(allow=["wgs"]).plugins} == {"wgs"}


def test_blocking_aanpalend_silences_signals_into_its_domains(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Jeugdwet's signal points at onderwijs, a domain of the aanpalend plugin: with aanpalend
    blocked the catalogue still loads and the dangling signal is dropped (not an error)."""
    cat = load_catalogue(block=["aanpalend"])
    assert "onderwijs" not in cat.domains
    assert cat.signals_for("jeugdwet") == ()
    monkeypatch.setenv(BLOCK_ENV, "aanpalend")
    with _open() as w:
        d = _hulpvraag(w, "jeugdwet")
        assert d.allowed and "onderwijs" not in d.signalen
        assert _hulpvraag(w, "wvggz").code == "entry.law_unknown"


def test_blocking_applies_to_extra_plugins_too() -> None:
    plugin = named_plugin(_Plugin(domains=[Domain("sport", "sport", "aanpalend")]), "sport")
    assert "sport" in load_catalogue([plugin]).domains
    assert "sport" not in load_catalogue([plugin], block=["sport"]).domains


# -- startup errors name the plugin ------------------------------------------------------------


class _Plugin:
    """A throwaway plugin returning whatever it is given."""

    def __init__(self, **records: list[object]) -> None:
        self.records = records

    @hookimpl
    def wams_laws(self) -> list[Law]:
        return self.records.get("laws", [])  # type: ignore[return-value]

    @hookimpl
    def wams_domains(self) -> list[Domain]:
        return self.records.get("domains", [])  # type: ignore[return-value]

    @hookimpl
    def wams_party_kinds(self) -> list[PartyKind]:
        return self.records.get("party_kinds", [])  # type: ignore[return-value]

    @hookimpl
    def wams_services(self) -> list[Service]:
        return self.records.get("services", [])  # type: ignore[return-value]

    @hookimpl
    def wams_data_categories(self) -> list[DataCategory]:
        return self.records.get("categories", [])  # type: ignore[return-value]

    @hookimpl
    def wams_signals(self) -> list[Signal]:
        return self.records.get("signals", [])  # type: ignore[return-value]


def _fails(name: str, match: str, **records: list[object]) -> CatalogueError:
    with pytest.raises(CatalogueError, match=match) as info:
        load_catalogue([named_plugin(_Plugin(**records), name)])
    assert str(info.value).startswith(f"plugin '{name}'"), str(info.value)
    return info.value


def test_duplicate_law_names_both_plugins() -> None:
    err = _fails("dubbel", "al gedeclareerd", laws=[
        Law("wgs", "nog een Wgs", "sociaal", "art. 1", "schuldhulp")])
    assert "laws 'wgs'" in str(err) and "plugin 'wgs'" in str(err)


def test_duplicate_domain() -> None:
    err = _fails("dubbel", "al gedeclareerd", domains=[Domain("onderwijs", "onderwijs",
                                                                "aanpalend")])
    assert "plugin 'aanpalend'" in str(err)


def test_duplicate_code_within_one_plugin() -> None:
    _fails("dubbel", "party_kinds 'dubbel.coach' is al gedeclareerd", party_kinds=[
        PartyKind("coach", "coach", "welzijn"), PartyKind("coach", "coach", "welzijn")])


def test_law_adjacent_to_the_builtin_leerplichtwet_is_a_duplicate() -> None:
    _fails("rmc", "laws 'leerplichtwet' is al gedeclareerd door plugin 'aanpalend'",
           laws=[Law("leerplichtwet", "Leerplichtwet 1969", "aanpalend", "Lpw", "onderwijs")])


@pytest.mark.parametrize("section,record", [
    ("party_kinds", PartyKind("coach", "coach", "sport")),
    ("services", Service("training", "training", "sport")),
    ("categories", DataCategory("uren", "uren", "sport", suppliers=("aanpalend.school",))),
    ("laws", Law("sportwet", "Sportwet", "aanpalend", "art. 1", "sport")),
])
def test_unknown_domain(section: str, record: object) -> None:
    _fails("sport", f"{section} '.*': onbekend domein 'sport'", **{section: [record]})


def test_supplier_party_kind_that_does_not_exist() -> None:
    _fails("sport", "verstrekker 'sport.coach' is geen bekende partijsoort", categories=[
        DataCategory("uren", "uren", "welzijn", suppliers=("sport.coach",))])


def test_supplier_of_a_blocked_plugin_does_not_exist() -> None:
    plugin = named_plugin(_Plugin(categories=[DataCategory(
        "schulden", "schulden", "participatie", suppliers=("wgs.schuldhulpverlener",))]), "p")
    assert "p.schulden" in load_catalogue([plugin]).categories
    with pytest.raises(CatalogueError, match="plugin 'p'.*'wgs.schuldhulpverlener'"):
        load_catalogue([plugin], block=["wgs"])


def test_coercive_dienst_is_refused() -> None:
    _fails("dwang", "gedwongen maatregel kan geen dienst zijn", services=[
        Service("opname", "gedwongen opname", "geneeskundige_zorg", kind="dienst",
                coercive=True, legal_basis="Wvggz")])


def test_coercive_interventie_with_legal_basis_is_accepted() -> None:
    plugin = named_plugin(_Plugin(services=[Service(
        "opname", "gedwongen opname", "geneeskundige_zorg", kind="interventie", coercive=True,
        legal_basis="Wvggz art. 6:4")]), "dwang")
    assert load_catalogue([plugin]).services["dwang.opname"].coercive


def test_a_hook_returning_a_dict_is_refused() -> None:
    _fails("dict", "wams_domains gaf als record 1 een dict, verwacht Domain",
           domains=[{"code": "x", "name": "x", "kind": "aanpalend"}])


def test_unknown_hook_name_is_refused() -> None:
    class Typo:
        __name__ = "typo"

        @hookimpl
        def wams_lawz(self) -> list[Law]:
            return []

    with pytest.raises(CatalogueError, match="plugin 'typo'"):
        load_catalogue([Typo()])


# -- versions ---------------------------------------------------------------------------------


def test_decision_versions_name_core_and_every_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_ENV, ",".join([*BUILTINS, "sport"]))
    plugin = named_plugin(_Plugin(domains=[Domain("sport", "sport", "aanpalend")]), "sport")
    with _open(plugins=[plugin]) as w:
        d = _hulpvraag(w, "wmo")
        versions = dict(d.versions)
        assert versions["wams"]
        assert {p.name for p in w.catalogue.plugins} | {"wams"} == set(versions)
        assert set(BUILTINS) | {"sport", "wams"} <= set(versions)
        assert versions["sport"] == "-"  # an in-process plugin has no distribution
        # A refusal carries the versions too: every answer says what decided it.
        refused = _hulpvraag(w, "onbekend")
        assert not refused.allowed and dict(refused.versions) == versions


def test_after_step_gets_a_copy_and_cannot_undo_the_step(caplog: pytest.LogCaptureFixture) -> None:
    """hookspecs.wams_after_step: the plugin must not change the case, and what it raises is
    logged without undoing the committed step."""
    import datetime as dt

    from wams.api import Wams
    from wams.core.law.hookspecs import hookimpl
    from wams.core.model import Persoon

    seen: list[object] = []

    class Meddler:
        @hookimpl
        def wams_after_step(self, case, decision, events):  # type: ignore[no-untyped-def]
            seen.append(decision.step)
            if case is not None:
                case.phase = "vernietigd"  # a plugin tampering with what it was given
            raise RuntimeError("bus down")

    with Wams.open("sqlite://", plugins=[("meddler", Meddler())]) as w:
        w.clock.set(dt.date(2027, 2, 1))
        with caplog.at_level("ERROR", logger="wams"):
            d = w.hulpvraag("0599", wet="wmo", client=Persoon("jan"), vraag="hulp",
                            aanleiding="eenzaam")
        assert d.allowed and seen == ["hulpvraag"]
        assert "bus down" in caplog.text
        assert w.cases("0599")[0]["phase"] == "onderzoek"
        assert w.domein("0599", d.case_id, domein="welzijn", reden="eenzaamheid",
                        client_akkoord=True).allowed
