"""B3: one policy decision ("may party P supply category C about person X now?") against one
pluggy hook call with five implementations.

The decision is ``wams.core.law.policy.check_request`` on a prepared case (a case after
hulpvraag and domein, so every check runs to the end: objection, in-case, category declared,
scope, party involvable, party may supply). It uses the precompiled catalogue, no hook at run
time. The reference is a throwaway hookspec with five registered plugins, each returning a small
value."""

from __future__ import annotations

import datetime as dt
import timeit

import pluggy

from benchmarks import common

NUMBER = 20000

_spec = pluggy.HookspecMarker("wamsbench")
_impl = pluggy.HookimplMarker("wamsbench")


class _Spec:
    @_spec
    def may_supply(self, soort: str, categorie: str, over: str):  # type: ignore[no-untyped-def]
        """Throwaway hook."""


def _plugin(value: int) -> object:
    class Plugin:
        @_impl
        def may_supply(self, soort: str, categorie: str, over: str) -> int:
            return value
    Plugin.__name__ = f"Plugin{value}"
    return Plugin()


def _hook_call():  # type: ignore[no-untyped-def]
    pm = pluggy.PluginManager("wamsbench")
    pm.add_hookspecs(_Spec)
    for v in range(5):
        pm.register(_plugin(v))
    hook = pm.hook.may_supply

    def call() -> object:
        return hook(soort="wgs.schuldhulpverlener", categorie="wgs.schuldenoverzicht",
                    over="jan")
    assert len(call()) == 5
    return call


def _decision():  # type: ignore[no-untyped-def]
    from wams.api import Wams
    from wams.core.clock import Clock
    from wams.core.law import policy
    from wams.core.model import Partij, Persoon

    w = Wams.open("sqlite://", clock=Clock(common.START))
    jan = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12))
    d = w.hulpvraag(common.GEMEENTE, wet="participatiewet", client=jan,
                    vraag="algemene bijstand", aanleiding="noemt betalingsachterstanden")
    w.domein(common.GEMEENTE, d.case_id, domein="schuldhulp", reden="achterstanden",
             client_akkoord=True)
    case = w.case(common.GEMEENTE, d.case_id, actor="bench", purpose="behandeling")
    cat = w.catalogue
    w.close()
    kb = Partij(ref="kredietbank", soort="wgs.schuldhulpverlener")

    def call() -> object:
        return policy.check_request(case, cat, "jan", "wgs.schuldenoverzicht", kb)
    if call() is not None:
        raise SystemExit(f"B3: the prepared decision is refused: {call()}")
    return call


def run(rounds: int = 5) -> list[str]:
    decide, hook = _decision(), _hook_call()

    def per_call_ns(fn) -> float:  # type: ignore[no-untyped-def]
        return timeit.timeit(fn, number=NUMBER) / NUMBER * 1e9

    # Interleaved; the figure is cost per call, so the ratio is decision / hook (lower is better).
    d, h = common.interleave(rounds, lambda: per_call_ns(decide), lambda: per_call_ns(hook))
    ratio = common.median(common.ratios(d, h))
    return [common.line("B3", f"decision {common.median(d):.0f} ns",
                        f"hook {common.median(h):.0f} ns", ratio, "B3",
                        f"[{NUMBER} calls × {rounds} rounds, median]")]
