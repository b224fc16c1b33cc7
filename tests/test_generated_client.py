"""A client generated from the committed OpenAPI document by a standard generator
(openapi-python-client, in the test extras) runs a lifecycle against a real ``wams serve`` on
a loopback port, on both backends: what a supplier gets when it points its generator at
``wams/schema/openapi.json``. Every answer arrives as the typed record the document promises
(``Besluit``, ``Casus``, ``Probleem``, a page of cases), never as an untyped dict, and the
generator itself reports no warning about the document."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.service_helpers import SECRET, G, served
from wams.service.auth import mint

DOCUMENT = Path(__file__).resolve().parent.parent / "wams" / "schema" / "openapi.json"
PACKAGE = "wams_gen_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The generated package, imported (generated once per run)."""
    bin_dir = Path(sys.executable).parent
    generator = bin_dir / "openapi-python-client"
    assert generator.exists(), ("openapi-python-client ontbreekt: pip install -e '.[test]' "
                                "installeert het")
    root = tmp_path_factory.mktemp("generated")
    # the generator formats its output with ruff, found on PATH (the environment's own)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(generator), "generate", "--path", str(DOCUMENT), "--output-path",
         str(root / PACKAGE), "--meta", "none"],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # a schema the generator cannot express would be a warning naming it: there is none
    assert "Warning" not in output and "Unable" not in output, output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def sub(package: Any, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_lifecycle_through_the_generated_client(generated, db_url):
    models = sub(generated, "models")
    steps = {n: sub(generated, f"api.stappen.{n}") for n in (
        "hulpvraag", "informeer", "domein", "betrek_partij", "vraag_gegevens", "verstrekking",
        "terugkoppeling")}
    reads = {n: sub(generated, f"api.lezen.{n}") for n in ("casus", "casussen")}
    client_module = sub(generated, "client")

    def client_for(rol: str, user: str, soort: str | None = None) -> Any:
        token = mint(SECRET, gemeente=G, user=user, rol=rol, soort=soort)
        return client_module.AuthenticatedClient(base_url=f"{base}/v2", token=token,
                                                 raise_on_unexpected_status=True)

    kredietbank = models.Partij(ref="kredietbank", soort="wgs.schuldhulpverlener")
    with served(db_url) as base:
        with client_for("medewerker", "anna") as anna:
            opened = steps["hulpvraag"].sync_detailed(G, client=anna, body=models.Hulpvraag(
                wet="participatiewet", vraag="algemene bijstand",
                aanleiding="noemt betalingsachterstanden",
                client=models.Persoon(ref="jan", bsn="111222333", naam="Jan Jansen")))
            assert opened.status_code == 201
            besluit = opened.parsed
            assert isinstance(besluit, models.Besluit) and besluit.toegestaan
            cid = besluit.casus
            assert opened.headers["Location"].endswith(f"/casussen/{cid}")

            def ok(step: str, body: Any, client: Any = anna) -> Any:
                d = steps[step].sync(G, cid, client=client, body=body)
                assert isinstance(d, models.Besluit), (step, d)
                assert d.toegestaan, (step, d.code, d.toelichting)
                return d

            ok("informeer", models.Informeer(personen=["jan"], wijze="brief"))
            ok("domein", models.Domein(domein="schuldhulp", reden="achterstanden",
                                       client_akkoord=True))
            ok("betrek_partij", models.BetrekPartij(partij=kredietbank, aanleiding="schulden"))
            # a purpose code is an enum of the codes the operation may name
            ok("vraag_gegevens", models.VraagGegevens(
                bij=kredietbank, categorie="wgs.schuldenoverzicht", over="jan",
                doel=models.VraagGegevensDoelType0("onderzoek"), toelichting="zicht op schulden",
                noodzaak="achterstanden"))
            answer = models.Verstrekking(
                bij="kredietbank", categorie="wgs.schuldenoverzicht", over="jan",
                besluit=models.VerstrekkingBesluit("verstrekt"))
            # an official cannot answer for the party (R16): a typed problem, 403
            refused = steps["verstrekking"].sync_detailed(G, cid, client=anna, body=answer)
            assert refused.status_code == 403 and isinstance(refused.parsed, models.Probleem)
            with client_for("partij:kredietbank", "piet", "wgs.schuldhulpverlener") as bank:
                ok("verstrekking", answer, bank)
            d = ok("terugkoppeling", models.Terugkoppeling(samenvatting="één traject"))
            assert d.fase is not None

            behandeling = models.CasusDoel("behandeling")
            casus = reads["casus"].sync(G, cid, client=anna, doel=behandeling)
            assert isinstance(casus, models.Casus) and casus.versie == d.versie
            page = reads["casussen"].sync(G, client=anna, limit=1)
            assert isinstance(page, models.CasussenPaginaCasussen) and len(page.casussen) == 1

            # bad input and an unknown case: typed problems with a reason code
            bad = steps["hulpvraag"].sync_detailed(G, client=anna, body=models.Hulpvraag(
                wet="participatiewet", vraag="x", aanleiding="y",
                client=models.Persoon(ref="kees", bsn="123456789")))
            assert bad.status_code == 400 and isinstance(bad.parsed, models.Probleem)
            assert bad.parsed.code == "input.invalid"
            missing = reads["casus"].sync_detailed(G, "0" * 32, client=anna, doel=behandeling)
            assert missing.status_code == 404 and isinstance(missing.parsed, models.Probleem)
