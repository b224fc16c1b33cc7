"""A supplier's application embedding wams: one case from hulpvraag to closure, in Python.

Run it with ``python examples/embedding.py`` (an in-memory database) or pass a database URL:
``python examples/embedding.py sqlite:///wams.db``. docs/embedding.md walks through it.

Every step returns a :class:`wams.Decision`; the application checks ``decision.allowed`` and
shows ``decision.message`` (Dutch, for the civil servant) when a step is refused.
"""

from __future__ import annotations

import datetime as dt
import sys

from wams import Decision, Partij, Persoon, StepEvent, Wams, hookimpl
from wams.core.clock import Clock
from wams.core.commands import Afspraken

GEMEENTE = "0599"  # CBS code of the municipality: every call names its tenant (R38)


class Meldingenbus:
    """A plugin of the application itself: wams calls it after every step (``wams_after_step``),
    here to put a message on the supplier's notification bus."""

    __name__ = "meldingenbus"

    def __init__(self) -> None:
        self.berichten: list[str] = []

    @hookimpl
    def wams_after_step(self, event: StepEvent) -> None:
        decision = event.decision
        if decision.allowed and event.step in ("coordinator", "sluit"):
            self.berichten.append(f"{event.step}: casus {event.case_id} is nu in fase "
                                  f"{decision.phase}")


def show(what: str, d: Decision) -> Decision:
    """Print one line per step, as the application's activity log would."""
    status = "toegestaan" if d.allowed else f"geweigerd ({d.code})"
    extra = f" fase={d.phase}" if d.phase else ""
    extra += f" werkplan={d.werkplan}" if d.werkplan else ""
    extra += f" signalen={','.join(d.signalen)}" if d.signalen else ""
    print(f"{what:<28} {status}{extra} regels={','.join(d.rule_ids)}")
    return d


def main(url: str = "sqlite://") -> int:
    bus = Meldingenbus()
    # A fixed clock makes the run reproducible; a real application leaves it out (wall time).
    with Wams.open(url, clock=Clock(dt.date(2027, 2, 1)), plugins=[bus]) as w:
        jan = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam="Jan Jansen")
        kredietbank = Partij(ref="kredietbank", soort="wgs.schuldhulpverlener",
                             naam="Kredietbank Rotterdam")
        werk = Partij(ref="werk-en-inkomen", soort="participatiewet.werk_en_inkomen")

        # 1. The hulpvraag opens the case (route A); the signals say what may be asked next.
        d = show("hulpvraag", w.hulpvraag(
            GEMEENTE, wet="participatiewet", client=jan, vraag="algemene bijstand",
            aanleiding="noemt betalingsachterstanden", actor="medewerker-017"))
        case_id = d.case_id
        assert case_id is not None and d.phase == "onderzoek"

        # 2. Scope: a domain joins with a reason and the cliënt's view (R03, R04).
        show("domein schuldhulp", w.domein(GEMEENTE, case_id, domein="schuldhulp",
                                           reden="betalingsachterstanden", client_akkoord=True))

        # 3. Data requests and answers (R13-R16). A refusal changes nothing and says why.
        show("vraag_gegevens zonder doel", w.vraag_gegevens(
            GEMEENTE, case_id, bij=kredietbank, categorie="wgs.schuldenoverzicht", over="jan",
            doel=None, noodzaak=None))
        show("vraag_gegevens", w.vraag_gegevens(
            GEMEENTE, case_id, bij=kredietbank, categorie="wgs.schuldenoverzicht", over="jan",
            doel="onderzoek", toelichting="zicht op schulden",
            noodzaak="bepalen of schuldhulp nodig is"))
        show("verstrekking", w.verstrekking(
            GEMEENTE, case_id, bij="kredietbank", categorie="wgs.schuldenoverzicht", over="jan",
            besluit="verstrekt", voorwaarden=["geen_doorverstrekking"]))

        # 4. Services and interventions, each for a person in the case.
        show("dienst bijstand", w.dienst(GEMEENTE, case_id, persoon="jan",
                                         dienst="participatiewet.algemene_bijstand",
                                         status="lopend", partij=werk))
        show("dienst schuldhulp", w.dienst(GEMEENTE, case_id, persoon="jan",
                                           dienst="wgs.schuldhulpverlening", status="benodigd",
                                           partij=kredietbank))

        # 5. Terugkoppeling ends the onderzoek; two services → a werkplan is verplicht (R22).
        show("terugkoppeling", w.terugkoppeling(
            GEMEENTE, case_id, samenvatting="bijstand en schuldhulp hangen samen"))
        show("werkplan", w.werkplan(
            GEMEENTE, case_id, samenhang="schulden verhinderen uitstroom", coordinatie_helpt=True,
            afspraken=Afspraken(coordinatie="wijkteam volgt de voortgang",
                                evaluatie="na 3 maanden",
                                beeindiging="als de schuldregeling loopt")))
        show("coordinator", w.coordinator(GEMEENTE, case_id, type="ambtenaar",
                                          wie="M. de Vries"))

        # 6. Reading the dossier is processing too (raadplegen): logged, with actor and purpose.
        casus = w.case(GEMEENTE, case_id, actor="medewerker-017", purpose="behandeling")
        print(f"casus {casus.id}: fase={casus.phase} domeinen={','.join(sorted(casus.scope))} "
              f"diensten={len(casus.items)} "
              f"werkplan=v{casus.werkplan.version if casus.werkplan else 0}")

        # 7. Closing after coordination needs terugvalafspraken (R32).
        w.clock.advance(180)
        show("sluit zonder afspraken", w.sluit(GEMEENTE, case_id, terugvalafspraken=None))
        show("sluit", w.sluit(GEMEENTE, case_id,
                              terugvalafspraken="contact met wijkteam bij nieuwe achterstand"))

        # 8. The person's access report (AVG art. 15): every processing about him.
        report = show("inzage", w.inzage(GEMEENTE, case_id, persoon="jan")).report or {}
        verwerkingen = report.get("verwerkingen", [])
        print(f"verwerkingen over jan: {len(verwerkingen)} "
              f"({', '.join(sorted({v['handeling'] for v in verwerkingen}))})")
        print(f"versies: {', '.join(f'{n} {v}' for n, v in d.versions)}")
        for bericht in bus.berichten:
            print(f"bus: {bericht}")
        print(f"zaken in {GEMEENTE}: {len(w.cases(GEMEENTE))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
