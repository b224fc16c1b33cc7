"""Shared pieces: the B1 lifecycle through the public API, fresh database files, reporting."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
from collections.abc import Callable, Sequence

GEMEENTE = "0599"
COMMANDS_PER_CASE = 10
START = dt.date(2027, 2, 1)


def lifecycle(w, gemeente: str, i: int) -> list:  # type: ignore[no-untyped-def]
    """The ten commands of speed goal B1, each its own transaction: hulpvraag → domein →
    2× vraag_gegevens → 2× dienst → terugkoppeling → werkplan → coordinator → sluit."""
    from wams.core.commands import Afspraken
    from wams.core.model import Partij, Persoon
    from wams.testdata import test_bsn

    kb = Partij(ref="kredietbank", soort="wgs.schuldhulpverlener")
    jan = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam=f"Jan Bakker {i}",
                  bsn=test_bsn(i))
    g = gemeente
    d = w.hulpvraag(g, wet="participatiewet", client=jan, vraag="algemene bijstand",
                    aanleiding="noemt betalingsachterstanden")
    cid = d.case_id
    out = [d]
    out.append(w.domein(g, cid, domein="schuldhulp", reden="betalingsachterstanden",
                        client_akkoord=True))
    out.append(w.vraag_gegevens(g, cid, bij=kb, categorie="wgs.schuldenoverzicht", over="jan",
                                doel="onderzoek", toelichting="zicht op schulden",
                                noodzaak="bepalen of schuldhulp nodig is"))
    out.append(w.vraag_gegevens(g, cid, bij=kb, categorie="wgs.betalingsachterstanden",
                                over="jan", doel="onderzoek", toelichting="zicht op achterstanden",
                                noodzaak="bepalen of schuldhulp nodig is"))
    out.append(w.dienst(g, cid, persoon="jan", dienst="participatiewet.algemene_bijstand",
                        status="lopend"))
    out.append(w.dienst(g, cid, persoon="jan", dienst="wgs.schuldhulpverlening",
                        status="benodigd", partij=kb))
    out.append(w.terugkoppeling(g, cid, samenvatting="twee diensten en samenhang"))
    out.append(w.werkplan(g, cid, samenhang="schulden verhinderen uitstroom",
                          coordinatie_helpt=True,
                          afspraken=Afspraken("wijkteam volgt voortgang", "na 3 maanden",
                                              "als schuldregeling loopt")))
    out.append(w.coordinator(g, cid, type="ambtenaar", wie="M. de Vries"))
    out.append(w.sluit(g, cid, terugvalafspraken="contact opnemen met wijkteam"))
    return out


def check_lifecycle(decisions: Sequence) -> None:  # type: ignore[type-arg]
    bad = [(d.step, d.code) for d in decisions if not d.allowed]
    if bad or len(decisions) != COMMANDS_PER_CASE:
        raise SystemExit(f"benchmark lifecycle refused: {bad}")


def fresh_sqlite(directory: str, name: str) -> str:
    """Path of a database file that does not exist yet (with its WAL and SHM)."""
    path = os.path.join(directory, name)
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass
    return path


def tempdir() -> tempfile.TemporaryDirectory:  # type: ignore[type-arg]
    return tempfile.TemporaryDirectory(prefix="wams-bench-")


def interleave(rounds: int, a: Callable[[], float], b: Callable[[], float]
               ) -> tuple[list[float], list[float]]:
    """Run ``a`` and ``b`` ``rounds`` times, alternating which goes first (machine noise and
    warm caches hit both); each returns a throughput."""
    ra: list[float] = []
    rb: list[float] = []
    for r in range(rounds):
        if r % 2 == 0:
            ra.append(a())
            rb.append(b())
        else:
            rb.append(b())
            ra.append(a())
    return ra, rb


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    return [x / y for x, y in zip(a, b, strict=False)]


def line(fid: str, left: str, right: str, ratio: float, key: str, note: str = "",
         *, judged: bool = True) -> str:
    """``B1  wams … cmd/s  raw … cmd/s  ratio 0.72  goal …  (ok)  note  [load 1.3]``: the
    goal is the one of ``key`` in :mod:`benchmarks.goals`."""
    from benchmarks import goals

    return goals.line(fid, f"{left}  {right}  ratio {ratio:.2f}", key, ratio, note,
                      judged=judged)
