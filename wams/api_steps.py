"""The lifecycle steps of the Python API, one method each: what :class:`wams.api.Wams` offers
and, inside ``Wams.batch()``, all that the batch object offers (with ``case``).

Each method names the step's own keys and passes them through the one way in
(:mod:`wams.core.intake`), like a scenario file and an HTTP body; :meth:`Steps.execute` runs the
command, on its own transaction (:class:`wams.api.Wams`) or in the batch's
(:class:`wams.api.InBatch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wams.core import commands as c
from wams.core import intake
from wams.core.clock import Clock
from wams.core.model import Decision, Partij, Persoon

#: the keyword options every step method takes beside the step's own keys
STEP_OPTIONS = frozenset({"actor", "idempotency_key", "expected_version", "authorize",
                          "caller", "case_continues"})


class Steps:
    """One method per lifecycle step, each returning a :class:`~wams.core.model.Decision`."""

    def execute(self, gemeente: str, case_id: str | None, command: object,
                **opts: Any) -> Decision:
        """Run one command record from :mod:`wams.core.commands` against a case."""
        raise NotImplementedError

    @property
    def clock(self) -> Clock:
        """The clock the steps run at (a scenario's ``tijd`` step moves it)."""
        raise NotImplementedError

    def _step(self, step: str, args: dict[str, Any]) -> Decision:
        # The one way in (wams.core.intake), like a scenario file and an HTTP body: ``args``
        # are a step method's locals; a value of the wrong type (gegrond=1) is an InputError,
        # and a keyword that is no option is a key of the step, so a typo is named.
        opts: dict[str, Any] = args["opts"]
        fields = {k: v for k, v in args.items() if k not in ("self", "gemeente", "case_id",
                                                            "opts", "__class__")}
        fields.update((k, v) for k, v in opts.items() if k not in STEP_OPTIONS)
        options = {k: v for k, v in opts.items() if k in STEP_OPTIONS}
        return self.execute(args["gemeente"], args.get("case_id"),
                            intake.command(step, fields), **options)


    # -- entry (no case yet) --------------------------------------------------------------

    def hulpvraag(self, gemeente: str, *, wet: str, client: Persoon, vraag: str,
                  aanleiding: str | None = None, bron: str = "client", **opts: Any) -> Decision:
        """Route A: a hulpvraag under ``wet`` (R01, R02).

        The new case id is ``decision.case_id``."""
        return self._step("hulpvraag", locals())

    def verzoek(self, gemeente: str, *, partij: Partij, client: Persoon,
                onderbouwing: str | None, indicatoren: Sequence[str] = (),
                helpt: str | None = None, doel: str | None = None,
                toelichting: str | None = None, **opts: Any) -> Decision:
        """Route B: a verzoek by a party already involved with the person (R06). A justice
        party names its ``doel`` (R12). ``indicatoren`` are codes of the MvT §2.2 list or of
        the setting ``indicatoren_extra``; another code raises InputError."""
        return self._step("verzoek", locals())

    def betrokkenheid(self, gemeente: str, *, partij: Partij, persoon: Persoon,
                      dienst: str | None = None, **opts: Any) -> Decision:
        """Records that a party is already involved with a person (before its verzoek)."""
        return self._step("betrokkenheid", locals())

    def melding(self, gemeente: str, *, melder: c.Melder, over: Persoon, zorg: str,
                **opts: Any) -> Decision:
        """A report at the meldpunt (R34); it never opens a case (R35)."""
        return self._step("melding", locals())

    # -- inside a case --------------------------------------------------------------------

    def aanleiding(self, gemeente: str, case_id: str, *, omschrijving: str,
                   **opts: Any) -> Decision:
        return self._step("aanleiding", locals())

    def besluit_verzoek(self, gemeente: str, case_id: str, *, gegrond: bool,
                        motivering: str | None = None, werkinstructie: str | None = None,
                        indicatoren: Sequence[str] = (), **opts: Any) -> Decision:
        """The college's decision on a verzoek (R07), naming its ``indicatoren``."""
        return self._step("besluit_verzoek", locals())

    def informeer(self, gemeente: str, case_id: str, *, personen: Sequence[str],
                  wijze: str | None = None, via_vertegenwoordiger: bool = False,
                  **opts: Any) -> Decision:
        """Informs persons (R08; a route-A gezinslid, R03), minors via their representative."""
        return self._step("informeer", locals())

    def samenspraak(self, gemeente: str, case_id: str, *, omschrijving: str,
                    **opts: Any) -> Decision:
        return self._step("samenspraak", locals())

    def domein(self, gemeente: str, case_id: str, *, domein: str, reden: str | None,
               client_akkoord: bool | None = None, **opts: Any) -> Decision:
        """Adds a domain to the onderzoek (R03, R04). In route A ``client_akkoord`` (True or
        False, nothing else) is required: without it ``scope.client_view_missing``."""
        return self._step("domein", locals())

    def gezinslid(self, gemeente: str, case_id: str, *, persoon: Persoon,
                  samenhang: str | None, **opts: Any) -> Decision:
        return self._step("gezinslid", locals())

    def betrek_partij(self, gemeente: str, case_id: str, *, partij: Partij,
                      aanleiding: str | None = None, doel: str | None = None,
                      toelichting: str | None = None, **opts: Any) -> Decision:
        return self._step("betrek_partij", locals())

    def vraag_gegevens(self, gemeente: str, case_id: str, *, bij: Partij, categorie: str,
                       over: str, doel: str | None, noodzaak: str | None,
                       toelichting: str | None = None, **opts: Any) -> Decision:
        """A data request (R13, R15): ``doel`` is a purpose code (``wams doelen``), the only
        thing that decides; ``noodzaak`` and ``toelichting`` are free text, kept and scanned
        to warn the FG, never to refuse."""
        return self._step("vraag_gegevens", locals())

    def verstrekking(self, gemeente: str, case_id: str, *, bij: Partij | str, categorie: str,
                     over: str, besluit: str, voorwaarden: Sequence[str] = (),
                     reden: str | None = None, **opts: Any) -> Decision:
        """The party's answer to a data request (R16). ``bij`` is the party (its record, like
        in every other step, or its ref); ``voorwaarden`` ⊆ geen_doorverstrekking,
        niet_exporteren, alleen_onderzoek."""
        return self._step("verstrekking", locals())

    def hergebruik(self, gemeente: str, case_id: str, *, categorie: str, over: str,
                   reden: str | None, doel: str | None = None,
                   toelichting: str | None = None, **opts: Any) -> Decision:
        return self._step("hergebruik", locals())

    def dienst(self, gemeente: str, case_id: str, *, persoon: str, dienst: str, status: str,
               partij: Partij | None = None, **opts: Any) -> Decision:
        return self._step("dienst", locals())

    def terugkoppeling(self, gemeente: str, case_id: str, *, samenvatting: str,
                       **opts: Any) -> Decision:
        return self._step("terugkoppeling", locals())

    def werkplan(self, gemeente: str, case_id: str, *, samenhang: str | None,
                 coordinatie_helpt: bool, afspraken: c.Afspraken,
                 contactpersoon: str | None = None, **opts: Any) -> Decision:
        return self._step("werkplan", locals())

    def akkoord_coordinatie(self, gemeente: str, case_id: str, *, partij: str,
                            **opts: Any) -> Decision:
        """Party ``partij`` takes the coordinating role on itself (R26, R28): its own step,
        needed before the college designates it (no doorzettingsmacht)."""
        return self._step("akkoord_coordinatie", locals())

    def coordinator(self, gemeente: str, case_id: str, *, type: str, wie: str,
                    **opts: Any) -> Decision:
        return self._step("coordinator", locals())

    def casusoverleg(self, gemeente: str, case_id: str, *, bijeengeroepen_door: str,
                     deelnemers: Sequence[str], inbreng: Sequence[c.Inbreng] = (),
                     uitkomst: str | None = None, doel: str | None = None,
                     toelichting: str | None = None, **opts: Any) -> Decision:
        return self._step("casusoverleg", locals())

    def voortgang(self, gemeente: str, case_id: str, *, samenvatting: str, **opts: Any) -> Decision:
        return self._step("voortgang", locals())

    def taak(self, gemeente: str, case_id: str, *, partij: str, omschrijving: str,
             **opts: Any) -> Decision:
        return self._step("taak", locals())

    def bijdrage(self, gemeente: str, case_id: str, *, partij: str, omschrijving: str,
                 **opts: Any) -> Decision:
        return self._step("bijdrage", locals())

    def bezwaar(self, gemeente: str, case_id: str, *, persoon: str, **opts: Any) -> Decision:
        return self._step("bezwaar", locals())

    def besluit_bezwaar(self, gemeente: str, case_id: str, *, persoon: str, doorgaan: bool,
                        motivering: str | None = None, indicatoren: Sequence[str] = (),
                        **opts: Any) -> Decision:
        """The college's decision on a route-B objection (R09): going on needs a motivering
        and at least one indicator of severity."""
        return self._step("besluit_bezwaar", locals())

    def sluit(self, gemeente: str, case_id: str, *, terugvalafspraken: str | None,
              reden: str | None = None, **opts: Any) -> Decision:
        return self._step("sluit", locals())

    def vernietig(self, gemeente: str, case_id: str, **opts: Any) -> Decision:
        return self._step("vernietig", locals())

    def inzage(self, gemeente: str, case_id: str | None, *, persoon: Persoon | str,
               **opts: Any) -> Decision:
        """The access report (AVG art. 15, R36) for a person: ``decision.report`` lists every
        processing about him in the municipality. ``case_id`` may be None."""
        return self._step("inzage", locals())

    def export(self, gemeente: str, case_id: str, *, doel: str, toelichting: str | None = None,
               **opts: Any) -> Decision:
        return self._step("export", locals())
