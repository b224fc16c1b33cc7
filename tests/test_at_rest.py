"""Personal data at rest, tried as an attacker with a copy of the disk would (quality C7, R33).

A case runs through every kind of step (gezinslid, melding, betrokkenheid, casusoverleg, inzage
before and after destruction, refusals quoting the caller's free text), everything is destroyed
after its terms, and then the raw bytes are searched for the persons' names, BSNs and birth
dates (in several formats) and for a unique marker in every free text: the SQLite file and its
WAL (also while a reader holds a transaction open during the destruction), and on PostgreSQL a
``pg_dump``, the database's heap files under the data directory and ``pg_wal`` after a
``CHECKPOINT``. Nothing may be found. The identities are random per run (a shared server's WAL
holds other databases' writes too) and every BSN passes the elfproef.

The PostgreSQL half needs the server's data directory: ``WAMS_TEST_POSTGRES_DATADIR`` (``.ci/run``
sets it). Without it the raw-bytes part skips locally and fails in CI.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.helpers import unsealed
from wams.core import commands as c
from wams.core.model import Partij, Persoon

G = "0599"
DATADIR_ENV = "WAMS_TEST_POSTGRES_DATADIR"
PG_DUMP = os.environ.get("WAMS_TEST_PG_DUMP", "/usr/lib/postgresql/15/bin/pg_dump")
WIJKTEAM = Partij("wijkteam", "wmo.wijkteam")
KREDIETBANK = Partij("kredietbank", "wgs.schuldhulpverlener")


def bsn(rng: random.Random) -> str:
    """A random BSN that passes the elfproef."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


def formats(day: dt.date) -> list[str]:
    return [day.isoformat(), day.strftime("%d-%m-%Y"), day.strftime("%Y%m%d"),
            day.strftime("%d/%m/%Y"), day.strftime("%d%m%Y")]


class World:
    """The persons and free-text markers of one run; :meth:`secrets` is what must vanish."""

    def __init__(self) -> None:
        rng = random.Random()
        tag = uuid.uuid4().hex[:10]
        self.tag = tag

        def person(ref: str, rol: str = "client", relatie: str | None = None) -> Persoon:
            born = dt.date(1931, 1, 1) + dt.timedelta(days=rng.randint(0, 25000))
            return Persoon(ref, rol=rol, relatie=relatie, bsn=bsn(rng),  # type: ignore[arg-type]
                           naam=f"Naam{ref.capitalize()} Achternaam{tag}", geboortedatum=born)

        self.client = person("p1")
        self.kind = person("p2", "gezinslid", "dochter")
        self.b_client = person("p3")
        self.gemeld = person("p4")
        self.melder = f"MelderNaam{tag}"
        self.markers: dict[str, str] = {}

    def m(self, what: str) -> str:
        """A unique marker for one free text."""
        value = f"MRK{what}{self.tag}"
        self.markers[what] = value
        return value

    def secrets(self) -> list[str]:
        out = [self.melder, *self.markers.values()]
        for p in (self.client, self.kind, self.b_client, self.gemeld):
            assert p.naam and p.bsn and p.geboortedatum
            out += [p.naam, p.naam.split()[0], p.bsn, *formats(p.geboortedatum)]
        return out


def refused(d: Any, code: str) -> None:
    assert not d.allowed and d.code == code, (d.code, d.message)


def run_everything(w: Any, x: World, clock: Any) -> tuple[str, str]:
    """Route A with a gezinslid and a casusoverleg, route B on a betrokkenheid, a melding
    passed on; reads, access reports and refusals that quote the caller. Returns the cases."""
    d = w.hulpvraag(G, wet="participatiewet", client=x.client, vraag=x.m("vraag"),
                    aanleiding=x.m("aanleiding"))
    assert d.allowed, d
    a = d.case_id
    assert w.domein(G, a, domein="schuldhulp", reden=x.m("reden"), client_akkoord=True)
    assert w.gezinslid(G, a, persoon=x.kind, samenhang=x.m("samenhang"))
    assert w.betrek_partij(G, a, partij=KREDIETBANK, doel="onderzoek",
                           toelichting=x.m("betrekdoel"))
    assert w.vraag_gegevens(G, a, bij=KREDIETBANK, categorie="wgs.schuldenoverzicht", over="p1",
                            doel="onderzoek", toelichting=x.m("vraagdoel"),
                            noodzaak=x.m("noodzaak"))
    assert w.hergebruik(G, a, doel="hergebruik", categorie="participatiewet.vermogen", over="p1",
                        reden=x.m("hergebruik"))
    # A refusal whose Dutch detail quotes what the caller typed (a name in a ref field).
    refused(w.casusoverleg(G, a, doel="afstemming", bijeengeroepen_door="college",
                           deelnemers=["p1", x.m("weigering")], uitkomst=x.m("uitkomst0")),
            "casusoverleg.not_involved")
    assert w.dienst(G, a, persoon="p1", dienst="wgs.schuldhulpverlening", status="benodigd",
                    partij=KREDIETBANK)
    assert w.dienst(G, a, persoon="p1", dienst="participatiewet.reintegratie",
                    status="benodigd")
    assert w.terugkoppeling(G, a, samenvatting=x.m("samenvatting"))
    assert w.werkplan(G, a, samenhang=x.m("werkplansamenhang"), coordinatie_helpt=True,
                      afspraken=c.Afspraken(coordinatie=x.m("coordinatie"),
                                            evaluatie=x.m("evaluatie"),
                                            beeindiging=x.m("beeindiging")))
    assert w.coordinator(G, a, type="ambtenaar", wie=x.m("coordinator"))
    d = w.casusoverleg(G, a, doel="afstemming", bijeengeroepen_door="coordinator",
    deelnemers=["p1", "kredietbank"],
                       uitkomst=x.m("uitkomst"))
    assert d.allowed, d
    assert w.voortgang(G, a, samenvatting=x.m("voortgang"))
    assert w.bijdrage(G, a, partij="kredietbank", omschrijving=x.m("bijdrage"))
    w.case(G, a, actor="medewerker", purpose="behandeling", toelichting=x.m("raadpleegdoel"))
    assert w.inzage(G, a, persoon=x.client)
    assert w.sluit(G, a, terugvalafspraken=x.m("terugval"))

    assert w.betrokkenheid(G, partij=WIJKTEAM, persoon=x.b_client,
                           dienst="wmo.maatwerkvoorziening")
    d = w.verzoek(G, partij=WIJKTEAM, client=x.b_client, onderbouwing=x.m("onderbouwing"),
                  indicatoren=["basisbehoeften", "escalatie"], helpt=x.m("helpt"))
    assert d.allowed, d
    b = d.case_id
    assert w.besluit_verzoek(G, b, gegrond=True, motivering=x.m("motivering"),
                             werkinstructie="werkinstructie v2", indicatoren=["basisbehoeften"])
    assert w.informeer(G, b, personen=["p3"], wijze=x.m("wijze"))
    assert w.bezwaar(G, b, persoon="p3")
    assert w.besluit_bezwaar(G, b, persoon="p3", doorgaan=True, motivering=x.m("bezwaar"),
                             indicatoren=["veiligheid"])
    assert w.sluit(G, b, terugvalafspraken=x.m("terugvalb"))

    assert w.melding(G, melder=c.Melder("burger", x.melder), over=x.gemeld, zorg=x.m("zorg"))
    [m] = w.meldingen(G)
    refused(w.melding_doorgeven(G, m["melding"], aan=Partij("wijkteam", "wmo.wijkteam"),
    doel="melding_onderzoeken", reden=" "), "reason.missing")
    assert w.melding_doorgeven(G, m["melding"], aan=Partij("wijkteam", "wmo.wijkteam"),
    doel="melding_onderzoeken", reden=x.m("doorgeefreden"))
    # The request's reference is an administrative reference kept in the log in clear
    # (docs/operations.md): not a marker here.
    report = w.inzage_persoon(G, bsn=x.client.bsn, actor="medewerker", verzoek="AVG-1")
    assert report["casussen"]
    return a, b


#: markers of text that is never stored at all: the payload of a refused step
NEVER_STORED = ("uitkomst0",)
SEALED_COLUMNS = {"cases": "state", "history": "content", "processing_log": "purpose",
                  "meldingen": "content", "melders": "naam", "involvements": "content"}


def check_stored_sealed(w: Any, x: World) -> None:
    """The control of the search: every marker and identity *was* stored, sealed; the plain
    text behind the sealed values holds them (so not finding them later means something)."""
    plain: list[str] = []
    with w.engine.unit_of_work(G) as uow:
        for table in SEALED_COLUMNS:
            for _, text in unsealed(uow, table, plain=table == "processing_log"):
                if text is not None:
                    plain.append(text)
    joined = "\n".join(plain)
    for what, marker in x.markers.items():
        assert (marker in joined) == (what not in NEVER_STORED), what
    for p in (x.client, x.kind, x.b_client, x.gemeld):
        assert p.naam and p.naam in joined and p.bsn and p.bsn in joined
    assert x.melder in joined


def destroy_everything(w: Any, clock: Any) -> None:
    clock.set(dt.date(2029, 6, 1))  # past every term (12 months by default)
    done = w.retention_run() + w.retention_run_records()
    kinds = sorted(i.get("soort", "casus") for i in done)
    assert kinds == ["betrokkenheid", "casus", "casus", "melding"], done
    assert all(i["vernietigd"] for i in done)


def after_destruction(w: Any, x: World, a: str, url: str) -> None:
    """What must still work: the log of a destroyed person (``wams inzage --bsn``), an inzage
    step after destruction, and ``wams audit verify`` (the chain commits to ciphertext)."""
    from wams.cli.privacy import main
    from wams.cli.storage import audit

    report = w.inzage_persoon(G, bsn=x.client.bsn, actor="medewerker", verzoek="na")
    assert report["casussen"][0]["vernietigd"] and report["verwerkingen"]
    assert all(v["doel"] for v in report["verwerkingen"])
    assert w.inzage(G, a, persoon=x.client)  # the step, on the destroyed case
    assert w.meldingen(G) == []
    result = CliRunner().invoke(main, ["inzage", "--db", url, "--gemeente", G,
                                       "--bsn", x.client.bsn, "--verzoek", "V1", "--format",
                                       "json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["casussen"][0]["casus"] == a and shown["casussen"][0]["vernietigd"]
    operations = {v["bewerking"] for v in shown["verwerkingen"]}
    assert {"collect", "consult", "destroy"} <= operations
    result = CliRunner().invoke(audit, ["verify", "--db", url])
    assert result.exit_code == 0 and "keten intact" in result.output, result.output


def search(raw: bytes, x: World, where: str) -> None:
    found = [s for s in x.secrets() if s.encode() in raw]
    assert not found, f"{where}: {found}"


def _files(*paths: Path) -> bytes:
    return b"".join(p.read_bytes() for p in paths if p.exists())


# -- SQLite -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", [False, True], ids=["alone", "reader-open"])
def test_sqlite_files_hold_nothing_personal_after_destruction(
        tmp_path: Path, clock: Any, key_file: str, reader: bool,
        caplog: pytest.LogCaptureFixture) -> None:
    from wams.api import Wams

    path = tmp_path / "wams.db"
    x = World()
    w = Wams.open(f"sqlite:///{path}", clock=clock, key_file=key_file)
    try:
        a, _ = run_everything(w, x, clock)
        check_stored_sealed(w, x)
        files = (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        search(_files(*files), x, "sqlite before destruction (sealed from the start)")
        held = None
        if reader:
            # Another process reading, mid-transaction, while the run destroys.
            held = sqlite3.connect(path)
            held.execute("BEGIN")
            assert held.execute("SELECT count(*) FROM cases").fetchone()[0] == 2
        destroy_everything(w, clock)
        search(_files(*files), x, "sqlite after destruction" + (", reader open" if reader
                                                                else ""))
        blocked = [r for r in caplog.records if "niet ingekort" in r.getMessage()]
        # The reader blocked the WAL truncation: retried, then said (never silently).
        assert bool(blocked) == reader
        if held is not None:
            held.close()
            assert w.engine.scrub_files()  # the next checkpoint truncates the WAL
        after_destruction(w, x, a, f"sqlite:///{path}")
    finally:
        w.close()
    search(_files(*files), x, "sqlite after close")


# -- PostgreSQL -------------------------------------------------------------------------------


def _datadir() -> Path:
    value = os.environ.get(DATADIR_ENV)
    if not value:
        if os.environ.get("CI"):
            pytest.fail(f"{DATADIR_ENV} is not set in CI: .ci/run must export the data "
                        "directory of its PostgreSQL server")
        pytest.skip(f"set {DATADIR_ENV} to the server's data directory to search its files")
    return Path(value)


def test_postgresql_dump_heap_and_wal_hold_nothing_personal_after_destruction(
        clock: Any, key_file: str) -> None:
    from tests.conftest import _postgres_url, _reset_postgres
    from wams.api import Wams

    url = _postgres_url()
    datadir = _datadir()
    _reset_postgres(url)
    x = World()
    w = Wams.open(url, clock=clock, key_file=key_file)
    try:
        a, _ = run_everything(w, x, clock)
        check_stored_sealed(w, x)
        destroy_everything(w, clock)
        after_destruction(w, x, a, url)
        with w.engine.db.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")
            oid = conn.exec_driver_sql(
                "SELECT oid FROM pg_database WHERE datname = current_database()").scalar()
    finally:
        w.close()
    plain = sa.engine.make_url(url)
    dump = subprocess.run(
        [PG_DUMP, "-h", plain.host or "127.0.0.1", "-p", str(plain.port or 5432),
         "-U", plain.username or "postgres", plain.database or "postgres"],
        capture_output=True, check=True).stdout
    assert b"data_keys" in dump  # the dump is real
    search(dump, x, "pg_dump")
    heap = sorted(p for p in (datadir / "base" / str(oid)).iterdir() if p.is_file())
    assert heap
    search(_files(*heap), x, "heap files")
    wal = sorted(p for p in (datadir / "pg_wal").iterdir() if p.is_file())
    assert wal
    for segment in wal:
        search(segment.read_bytes(), x, f"pg_wal {segment.name}")
