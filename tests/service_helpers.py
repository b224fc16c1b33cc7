"""Helpers for the HTTP service tests: tokens, request bodies of every step, a case in
coordination built over HTTP, and a real ``wams serve`` on a loopback port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import httpx

from wams.service.auth import mint

G = "0599"
OTHER_G = "0363"
SECRET = "wams-test-secret-" + "0123456789abcdef" * 2
COORDINATOR = "mdevries"

JAN = {"ref": "jan", "rol": "client", "geboortedatum": "1985-04-12", "naam": "Jan Jansen"}
WIJKTEAM = {"ref": "wijkteam", "soort": "wmo.wijkteam"}
KREDIETBANK = {"ref": "kredietbank", "soort": "wgs.schuldhulpverlener"}


#: the kind a party token's issuer vouches for (claim partij_soort), per party ref
PARTY_KINDS = {"wijkteam": "wmo.wijkteam", "kredietbank": "wgs.schuldhulpverlener",
               "school": "aanpalend.school"}


def auth(rol: str, user: str = "anna", gemeente: str = G, **extra: str) -> dict[str, str]:
    soort = PARTY_KINDS.get(rol.removeprefix("partij:")) if rol.startswith("partij:") else None
    token = mint(SECRET, gemeente=gemeente, user=user, rol=rol, soort=soort)
    return {"Authorization": f"Bearer {token}", **extra}


MEDEWERKER = auth("medewerker")
FG = auth("fg", "frits")

#: a body of the right shape for every step (the rules may still refuse it)
BODIES: dict[str, dict[str, Any]] = {
    "hulpvraag": {"wet": "participatiewet", "client": JAN, "vraag": "algemene bijstand",
                  "aanleiding": "noemt betalingsachterstanden"},
    "verzoek": {"partij": WIJKTEAM, "client": JAN, "onderbouwing": "dreigende huisuitzetting",
                "indicatoren": ["basisbehoeften"], "helpt": "één plan"},
    "betrokkenheid": {"partij": WIJKTEAM, "persoon": JAN, "dienst": "wmo.maatwerkvoorziening"},
    "melding": {"melder": {"soort": "burger"}, "over": JAN, "zorg": "post stapelt zich op"},
    "aanleiding": {"omschrijving": "nieuwe zorgen"},
    "besluit_verzoek": {"gegrond": True, "motivering": "basisbehoeften",
                        "werkinstructie": "werkinstructie v2", "indicatoren": ["basisbehoeften"]},
    "informeer": {"personen": ["jan"], "wijze": "brief"},
    "samenspraak": {"omschrijving": "gebeld"},
    "domein": {"domein": "schuldhulp", "reden": "achterstanden", "client_akkoord": True},
    "gezinslid": {"persoon": {"ref": "emma", "rol": "gezinslid", "relatie": "kind"},
                  "samenhang": "woont in"},
    "betrek_partij": {"partij": KREDIETBANK, "aanleiding": "schulden", "doel": "onderzoek",
    "toelichting": "traject"},
    "vraag_gegevens": {"bij": WIJKTEAM, "categorie": "wmo.ondersteuningsbehoefte",
                       "over": "jan", "doel": "onderzoek", "toelichting": "zicht op ondersteuning",
                       "noodzaak": "passende hulp"},
    "verstrekking": {"bij": "wijkteam", "categorie": "wmo.ondersteuningsbehoefte",
                     "over": "jan", "besluit": "verstrekt"},
    "hergebruik": {"doel": "hergebruik", "categorie": "participatiewet.inkomen", "over": "jan",
    "reden": "bijstand"},
    "dienst": {"persoon": "jan", "dienst": "wgs.budgetbeheer", "status": "benodigd"},
    "terugkoppeling": {"samenvatting": "twee diensten"},
    "werkplan": {"samenhang": "wonen en schulden", "coordinatie_helpt": True,
                 "afspraken": {"coordinatie": "wijkteam volgt", "evaluatie": "na 3 maanden",
                               "beeindiging": "als het loopt"}},
    "coordinator": {"type": "ambtenaar", "wie": COORDINATOR},
    "casusoverleg": {"doel": "afstemming", "bijeengeroepen_door": "coordinator",
                     "deelnemers": ["jan", "wijkteam", "kredietbank"],
                     "inbreng": [{"partij": "college", "categorie": "wmo.ondersteuningsbehoefte",
                                  "over": "jan"}]},
    "voortgang": {"samenvatting": "loopt"},
    "taak": {"partij": "wijkteam", "omschrijving": "doe dit"},
    "bijdrage": {"partij": "wijkteam", "omschrijving": "huisbezoek"},
    "akkoord_coordinatie": {"partij": "wijkteam"},
    "bezwaar": {"persoon": "jan"},
    "besluit_bezwaar": {"persoon": "jan", "doorgaan": True, "motivering": "ernstige zorgen"},
    "sluit": {"terugvalafspraken": "wijkteam belt bij terugval", "reden": "cliënt verhuist"},
    "vernietig": {},
    "inzage": {"persoon": "jan"},
    "export": {"doel": "evaluatie", "toelichting": "statistiek"},
}

ENTRY = {"hulpvraag": "hulpvragen", "verzoek": "verzoeken", "betrokkenheid": "betrokkenheden",
         "melding": "meldingen"}


def step_path(step: str, case_id: str | None, gemeente: str = G) -> str:
    if step in ENTRY:
        return f"/v2/gemeenten/{gemeente}/{ENTRY[step]}"
    return f"/v2/gemeenten/{gemeente}/casussen/{case_id}/{step.replace('_', '-')}"


def step(client: Any, name: str, case_id: str | None, body: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None, expect: int = 200) -> Any:
    r = client.post(step_path(name, case_id), json=BODIES[name] if body is None else body,
                    headers=MEDEWERKER if headers is None else headers)
    assert r.status_code == expect, (name, r.status_code, r.text)
    return r


def coordination_case(client: Any) -> str:
    """A route B case (the wijkteam's verzoek) up to a casusoverleg in coordinatie, with
    COORDINATOR as coordinator; each step by the role that may take it."""
    wijkteam = auth("partij:wijkteam", "piet")
    step(client, "betrokkenheid", None, headers=wijkteam)
    case_id = step(client, "verzoek", None, headers=wijkteam, expect=201).json()["casus"]
    for name in ("besluit_verzoek", "informeer", "domein", "vraag_gegevens"):
        step(client, name, case_id)
    step(client, "verstrekking", case_id, headers=wijkteam)
    step(client, "dienst", case_id, {"persoon": "jan", "dienst": "wmo.maatwerkvoorziening",
                                     "status": "lopend", "partij": WIJKTEAM})
    step(client, "dienst", case_id, {"persoon": "jan", "dienst": "wgs.schuldhulpverlening",
                                     "status": "benodigd", "partij": KREDIETBANK})
    for name in ("terugkoppeling", "werkplan", "coordinator"):
        step(client, name, case_id)
    step(client, "casusoverleg", case_id, headers=auth("coordinator", COORDINATOR))
    return case_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(url: str, *, workers: int = 1, timeout: float = 60, log: str | None = None,
           env: dict[str, str] | None = None) -> Iterator[str]:
    """A real ``wams serve`` on a free loopback port; yields its base URL; SIGTERM at the
    end (a graceful stop). Its output goes to the file ``log`` (a temporary one if not
    given: a pipe nobody reads would fill up and stall the server)."""
    port = free_port()
    env = {**os.environ, "WAMS_JWT_SECRET": SECRET, **(env or {})}
    out = open(log, "w+b") if log else tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-c", "from wams.cli import main; main()", "serve", "--db", url,
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                out.seek(0)
                text = out.read().decode(errors="replace")
                raise AssertionError(f"wams serve stopped (exit {proc.returncode}): {text}")
            try:
                if httpx.get(f"{base}/v2/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("wams serve did not become ready")
            time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        out.close()
