"""The lifecycle steps, one record each: everything the software knows about a step, in one table.

A :class:`Step` says what the step is called (its scenario key and log name), which command
record it takes, where it runs (it opens a case, runs inside one, or stands outside any), the
phases it may run in and the phase changes it may make, the pure decision that allows or
refuses it (:mod:`wams.core.law.policy`, :mod:`wams.core.law.sharing`), what an allowed step
does to the case (:mod:`wams.core.law.lifecycle`), which of the engine's handlers carries it
out, which legal basis its log rows name, which party takes it, whom an objection elsewhere
protects from it, its HTTP address and its sentences in the documentation (English for the
scenario reference, Dutch for the OpenAPI document and the reports).

Everything keyed by step elsewhere is derived from :data:`STEPS` (the engine's dispatch, the
scenario format's keys, the service's endpoints, the generated references); a test fails for a
step-keyed table written anywhere else, and for a ``step == "..."`` test outside this module.
Adding a step is one record here, its command record, its decision and (inside a case) its
effect on the case; docs/contributing.md shows it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from wams.core import commands as c
from wams.core.errors import ExcludedPurpose, InputError
from wams.core.law import lifecycle, phases, policy, sharing
from wams.core.law.checks import Verdict, check_phase, check_registered_kind, no
from wams.core.law.lifecycle import Applied
from wams.core.law.phases import ANY, ENDED, RUNNING
from wams.core.model import Casus, Persoon, Phase, Route


class Where(enum.Enum):
    """Where a step runs: it opens a case, runs inside one, or stands outside any (R35: a
    melding opens nothing)."""

    OPENS = "opent een casus"
    IN_CASE = "in een casus"
    OUTSIDE = "buiten een casus"


class Effect(enum.Enum):
    """Which of the engine's handlers carries an allowed step out (the engine has one per
    value; the law says which, the engine how)."""

    OPEN = "open"                # a new case, sealed under a new data key
    INVOLVEMENT = "involvement"  # a party's involvement with a person, outside any case (R06)
    MELDING = "melding"          # a melding at the meldpunt, outside any case (R34, R35)
    PASS_ON = "pass_on"          # a melding passed on to a party (R34)
    APPLY = "apply"              # the step's lifecycle function changes the case
    DESTROY = "destroy"          # retention destroys the case (R33)
    INZAGE = "inzage"            # the access report (R36, AVG art. 15)


class Need(enum.Enum):
    """What a decision needs to know beyond the case and the command: the engine reads it
    before deciding, and only for the steps whose record names it."""

    ENTRY = "entry"                  # the law's entry conditions (R01)
    INVOLVEMENT = "involvement"      # whether the requesting party is involved (R06)
    INDICATOREN = "indicatoren"      # the municipality's extra indicators (R06, R07, R09)
    BEWAARTERMIJN = "bewaartermijn"  # the municipality's retention period (R33)


class LogBasis(enum.Enum):
    """The legal basis the processing-log rows of a step name (R36)."""

    AANPAK = "aanpak"        # the coordinated approach itself
    MELDPUNT = "meldpunt"    # the meldpunt's own task (R34)
    INZAGE = "inzage"        # the data subject's right of access


class Rights(enum.Enum):
    """What an allowed step says about a person's rights, which his access report shows
    (R08, R09)."""

    INFORMED = "informed"                  # informed of the processing and his rights (R08)
    OBJECTION = "objection"                # he asked to stop the processing (R09)
    OBJECTION_DECIDED = "objection_decided"  # the college decided on that (R09)


#: the persons a step processes, whom a bezwaar made elsewhere may halt (R09): (ref, person)
Concerns = Callable[[Casus, Any], list[tuple[str, Persoon]]]


@attrs.frozen
class Step:
    """One lifecycle step. ``decide`` takes ``(case, cmd, ctx)`` inside a case and ``(cmd,
    ctx)`` for a step that opens one or stands outside any; ``apply`` (inside a case) takes
    ``(case, cmd, ctx)`` and returns what was processed and the phase the case moves to."""

    name: str
    command: type
    where: Where
    decide: Callable[..., Verdict]
    doc: str              # what it does, for the scenario reference (docs/scenarios.md)
    omschrijving: str     # the same in Dutch, for the OpenAPI document
    label: str            # what a case worker calls it (the case report)
    phases: frozenset[Phase] = frozenset()
    #: phase before → the phases it may move the case to (None before: a case it opens)
    moves: Mapping[Phase | None, frozenset[Phase]] = attrs.field(factory=dict)
    apply: Callable[..., Applied] | None = None
    effect: Effect = Effect.APPLY
    #: the path segment of its endpoint: a collection for a step that opens a case or stands
    #: outside one, an action below the case otherwise; None: not a plain step endpoint
    http: str | None = attrs.field()
    log_basis: LogBasis = LogBasis.AANPAK
    #: the command field that names the party taking this step itself (R06, R16, R28)
    party_field: str | None = None
    #: only the party that field names may take it: the reason code refusing anyone else
    only_that_party: str | None = None
    #: asked before the phase (a bad purpose code is bad input in any phase, R20)
    first: Callable[[Any, policy.Context], object] | None = None
    concerns: Concerns | None = None
    #: the werkplan grondslag its decision reports, also when refused (R22–R24)
    werkplan: Callable[[Casus, Any], str] | None = None
    #: the kind of data flow it is in the data-flow diagram (None: moves no data between bodies)
    flow: str | None = None
    #: allowed without a case too (the access report of someone in none, R36)
    without_case: bool = False
    #: the route a case it opens follows (A: a hulpvraag, B: a party's verzoek)
    route: Route | None = None
    needs: frozenset[Need] = frozenset()
    #: what it says about a person's rights, for his access report
    rights: Rights | None = None
    #: the college's own decision: a coordinator does not take it (R26, R27: the
    #: coordinator coordinates; deciding stays with the college)
    by_college: bool = False

    @http.default
    def _http(self) -> str | None:
        return self.name.replace("_", "-") if self.where is Where.IN_CASE else None

    @property
    def opens_case(self) -> bool:
        return self.where is Where.OPENS

    @property
    def in_case(self) -> bool:
        return self.where is Where.IN_CASE


# -- whom a step processes (R09 across cases) ------------------------------------------------


def _known(case: Casus, refs: Iterable[object]) -> list[tuple[str, Persoon]]:
    return [(ref, case.persons[ref].persoon) for ref in dict.fromkeys(refs)
            if isinstance(ref, str) and ref in case.persons]


def _new_person(case: Casus, cmd: Any) -> list[tuple[str, Persoon]]:
    return [(cmd.persoon.ref, cmd.persoon)] if isinstance(cmd.persoon, Persoon) else []


def _about(case: Casus, cmd: Any) -> list[tuple[str, Persoon]]:
    return _known(case, [cmd.over])


def _person(case: Casus, cmd: Any) -> list[tuple[str, Persoon]]:
    return _known(case, [cmd.persoon])


def _brought_in(case: Casus, cmd: Any) -> list[tuple[str, Persoon]]:
    return _known(case, [item.over for item in cmd.inbreng])


def _everyone(case: Casus, cmd: Any) -> list[tuple[str, Persoon]]:
    return _known(case, case.persons)


def _edges(*steps: tuple[Phase, Phase]) -> dict[Phase | None, frozenset[Phase]]:
    return {before: frozenset({after}) for before, after in steps}


# -- the table ---------------------------------------------------------------------------------

_IN_CASE = Where.IN_CASE
_STEPS: tuple[Step, ...] = (
    Step("hulpvraag", c.Hulpvraag, Where.OPENS, policy.hulpvraag, effect=Effect.OPEN,
         moves={None: frozenset({"intake", "onderzoek"})}, http="hulpvragen", route="A",
         needs=frozenset({Need.ENTRY}),
         label="hulpvraag",
         doc="Route A: a request for help under a law, through that law's plugin (R01). With "
             "an `aanleiding` the onderzoek starts (R02), without one the case waits in "
             "`intake`. `bron` other than `client` (early warning, data analysis, file "
             "matching) never opens a case.",
         omschrijving="Route A: een hulpvraag onder een wet opent een casus (R01); met een "
                      "aanleiding begint het onderzoek (R02). Antwoordt 201 met de casus in "
                      "Location."),
    Step("aanleiding", c.Aanleiding, _IN_CASE, policy.aanleiding, apply=lifecycle.aanleiding,
         phases=frozenset({"intake"}), moves=_edges(("intake", "onderzoek")),
         label="aanleiding vastgelegd",
         doc="A reason found during the intake: starts the onderzoek (route A, R02).",
         omschrijving="Een aanleiding gevonden tijdens de intake: het onderzoek begint (R02)."),
    Step("verzoek", c.Verzoek, Where.OPENS, policy.verzoek, effect=Effect.OPEN,
         moves={None: frozenset({"beoordeling"})}, http="verzoeken", party_field="partij",
         route="B", needs=frozenset({Need.INVOLVEMENT, Need.INDICATOREN}),
         label="verzoek",
         doc="Route B: a party already involved with the person asks the college for an "
             "onderzoek, substantiated with `indicatoren` (R06).",
         omschrijving="Route B: een partij die al bij de persoon betrokken is vraagt het "
                      "college om een onderzoek, onderbouwd met indicatoren (R06). Antwoordt "
                      "201."),
    Step("betrokkenheid", c.Betrokkenheid, Where.OUTSIDE, policy.betrokkenheid,
         effect=Effect.INVOLVEMENT, http="betrokkenheden", party_field="partij",
         label="betrokkenheid van een partij",
         doc="Records that a party is already involved with a person; needed before its "
             "`verzoek` (R06). Opens no case.",
         omschrijving="Legt vast dat een partij al bij een persoon betrokken is (nodig voor "
                      "haar verzoek, R06); opent geen casus."),
    Step("besluit_verzoek", c.BesluitVerzoek, _IN_CASE, policy.besluit_verzoek,
         apply=lifecycle.besluit_verzoek, phases=frozenset({"beoordeling"}),
         moves={"beoordeling": frozenset({"onderzoek", "afgewezen"})}, by_college=True,
         label="besluit op verzoek",
         doc="The college decides on a verzoek (R07): `gegrond: nee` ends the case in phase "
             "`afgewezen`; `gegrond: ja` names the `indicatoren` it rests on.",
         omschrijving="Het college beslist op een verzoek (R07); ongegrond beëindigt de "
                      "casus."),
    Step("informeer", c.Informeer, _IN_CASE, policy.informeer, apply=lifecycle.informeer,
         phases=RUNNING, label="betrokkenen geïnformeerd", rights=Rights.INFORMED,
         doc="Informs persons of the intended processing and their rights (R08; in route A a "
             "gezinslid, R03); `via_vertegenwoordiger: ja` for minors informed through their "
             "legal representative.",
         omschrijving="Informeert personen over de voorgenomen verwerking en hun rechten "
                      "(R08)."),
    Step("samenspraak", c.Samenspraak, _IN_CASE, policy.samenspraak,
         apply=lifecycle.samenspraak, phases=RUNNING, label="samenspraak",
         doc="Records an attempt to involve the cliënt (R08).",
         omschrijving="Legt een poging vast om de cliënt te betrekken (R08)."),
    Step("domein", c.Domein, _IN_CASE, policy.domein, apply=lifecycle.domein, phases=RUNNING,
         label="leefdomein",
         doc="Adds a domain to the onderzoek, with a `reden` and the cliënt's view (R03, R04).",
         omschrijving="Voegt een domein toe aan het onderzoek, met reden en de mening van de "
                      "cliënt (R03, R04)."),
    Step("gezinslid", c.Gezinslid, _IN_CASE, policy.gezinslid, apply=lifecycle.gezinslid,
         phases=RUNNING, concerns=_new_person, label="gezinslid betrokken",
         doc="Draws a family member into the case, with the `samenhang` that justifies it "
             "(R10).",
         omschrijving="Betrekt een gezinslid bij de casus, met de samenhang die dat "
                      "rechtvaardigt (R10)."),
    Step("betrek_partij", c.BetrekPartij, _IN_CASE, policy.betrek_partij,
         apply=lifecycle.betrek_partij, phases=RUNNING, label="partij betrokken",
         doc="Involves a party: its domain in scope, an `aanleiding` for an adjacent party, a "
             "justice purpose code as `doel` for a justice party (R11, R12).",
         omschrijving="Betrekt een partij bij de casus (R11; een justitiepartij met doel, "
                      "R12)."),
    Step("vraag_gegevens", c.VraagGegevens, _IN_CASE, sharing.vraag_gegevens,
         apply=lifecycle.vraag_gegevens, phases=RUNNING, concerns=_about, flow="verzoek",
         label="gegevens gevraagd",
         doc="The college asks a party for a category of data about a person (R13–R20) for a "
             "purpose code `doel`, checked in the order below.",
         omschrijving="Het college vraagt een partij om een categorie gegevens over een "
                      "persoon (R13–R20)."),
    Step("verstrekking", c.Verstrekking, _IN_CASE, sharing.verstrekking,
         apply=lifecycle.verstrekking, phases=RUNNING, concerns=_about, flow="verstrekking",
         party_field="bij", only_that_party="access.party_answers",
         label="gegevens verstrekt",
         doc="The party's answer to an earlier request: `verstrekt`, `gedeeltelijk` or "
             "`geweigerd` (with a `reden`), optionally with `voorwaarden` (R16).",
         omschrijving="Het antwoord van de partij zelf op een verzoek om gegevens (R16): "
                      "verstrekt, gedeeltelijk of geweigerd, eventueel met voorwaarden."),
    Step("hergebruik", c.Hergebruik, _IN_CASE, sharing.hergebruik,
         apply=lifecycle.hergebruik, phases=RUNNING, concerns=_about, flow="hergebruik",
         label="gegevens hergebruikt",
         doc="The college reuses data it holds under one of the four laws (R18) for a "
             "purpose code `doel` with a `reden`; never data under professional secrecy or a "
             "criminal regime (R17, R21).",
         omschrijving="Het college hergebruikt gegevens die het al heeft onder een van de "
                      "vier wetten (R18)."),
    Step("dienst", c.Dienst, _IN_CASE, policy.dienst, apply=lifecycle.dienst, phases=RUNNING,
         concerns=_person, label="dienst vastgelegd",
         doc="Records a service or intervention for a person, `lopend` or `benodigd`, "
             "optionally with the providing party.",
         omschrijving="Legt een dienst of interventie voor een persoon vast, lopend of "
                      "benodigd."),
    Step("terugkoppeling", c.Terugkoppeling, _IN_CASE, policy.terugkoppeling,
         apply=lifecycle.terugkoppeling, phases=frozenset({"onderzoek"}),
         moves={"onderzoek": frozenset({"werkplan", "afgesloten"})},
         werkplan=policy.terugkoppeling_grondslag, label="terugkoppeling",
         doc="Feedback to the cliënt; ends the onderzoek: phase `werkplan` when a werkplan is "
             "verplicht or bevoegd, else `afgesloten`.",
         omschrijving="Terugkoppeling aan de cliënt; sluit het onderzoek af (R22–R24)."),
    Step("werkplan", c.Werkplan, _IN_CASE, policy.werkplan, apply=lifecycle.werkplan,
         phases=frozenset({"werkplan", "coordinatie"}), concerns=_everyone,
         werkplan=policy.werkplan_grondslag, label="werkplan",
         doc="Adopts a werkplan (or a new version): grondslag first, then completeness "
             "(R22–R25).",
         omschrijving="Stelt een (nieuwe versie van het) werkplan vast (R22–R25)."),
    Step("akkoord_coordinatie", c.AkkoordCoordinatie, _IN_CASE, policy.akkoord_coordinatie,
         apply=lifecycle.akkoord_coordinatie,
         # a party may take the coordinating role on itself once the onderzoek runs (R26, R28)
         phases=RUNNING, party_field="partij", only_that_party="access.party_consents",
         label="akkoord op coördinatie",
         doc="A party takes the coordinating role on itself (R26, R28): its own step (in the "
             "service only its own token); needed before the college designates it.",
         omschrijving="De partij neemt zelf de coördinerende rol op zich (R26, R28); alleen "
                      "met het token van die partij."),
    Step("coordinator", c.Coordinator, _IN_CASE, policy.coordinator,
         apply=lifecycle.coordinator, phases=frozenset({"werkplan", "coordinatie"}),
         moves=_edges(("werkplan", "coordinatie")), label="coördinator",
         by_college=True,
         doc="Designates the coordinator (R26); moves `werkplan` → `coordinatie`.",
         omschrijving="Het college wijst de coördinator aan (R26); een partij pas na haar "
                      "eigen akkoord."),
    Step("casusoverleg", c.Casusoverleg, _IN_CASE, sharing.casusoverleg,
         apply=lifecycle.casusoverleg, phases=RUNNING, concerns=_brought_in,
         flow="casusoverleg", label="casusoverleg",
         doc="A case conference with its participants and each item of data brought in "
             "(R29–R31) for a purpose code `doel` (a justice purpose with a justice party at "
             "the table, R12); `partij: college` is the college bringing data it holds.",
         omschrijving="Een casusoverleg: wie deelneemt en welke gegevens worden ingebracht "
                      "(R29, R30)."),
    Step("voortgang", c.Voortgang, _IN_CASE, policy.voortgang, apply=lifecycle.voortgang,
         phases=RUNNING, concerns=_everyone, label="voortgangsrapportage",
         doc="The coordinator's progress report to the college (R27).",
         omschrijving="De coördinator legt de voortgang vast (R27)."),
    # R28: taak is refused in every phase with its own reason, never a phase error.
    Step("taak", c.Taak, _IN_CASE, policy.taak, phases=ANY, label="taak",
         doc="The college or coordinator tries to impose a task on a party: always refused "
             "(R28, no doorzettingsmacht).",
         omschrijving="Een taak opleggen aan een partij: altijd geweigerd, want er is geen "
                      "doorzettingsmacht (R28)."),
    Step("bijdrage", c.Bijdrage, _IN_CASE, policy.bijdrage, apply=lifecycle.bijdrage,
         phases=RUNNING, party_field="partij", label="bijdrage",
         doc="An involved party records its own contribution (R28).",
         omschrijving="De partij legt haar eigen bijdrage vast (R28)."),
    Step("bezwaar", c.Bezwaar, _IN_CASE, policy.bezwaar, apply=lifecycle.bezwaar,
         phases=RUNNING, label="bezwaar (verzoek om te stoppen)", rights=Rights.OBJECTION,
         doc="A person objects to the processing (R09): route A ends it, route B halts it "
             "until the college decides.",
         omschrijving="Een persoon maakt bezwaar tegen de verwerking (R09): route A eindigt "
                      "haar, route B staat stil tot het college beslist."),
    Step("besluit_bezwaar", c.BesluitBezwaar, _IN_CASE, policy.besluit_bezwaar,
         apply=lifecycle.besluit_bezwaar, phases=RUNNING, label="besluit op bezwaar",
         by_college=True,
         rights=Rights.OBJECTION_DECIDED,
         needs=frozenset({Need.INDICATOREN}),
         doc="The college's decision on a route B objection (R09).",
         omschrijving="Het college beslist op een bezwaar: stoppen, of doorgaan op grond van "
                      "indicatoren (R09)."),
    # MvT §3.1.4: a case with no coordinated approach may be closed from intake or onderzoek.
    Step("sluit", c.Sluit, _IN_CASE, policy.sluit, apply=lifecycle.sluit,
         phases=frozenset({"intake", "onderzoek", "werkplan", "coordinatie"}),
         moves={p: frozenset({"afgesloten"})
                for p in ("intake", "onderzoek", "werkplan", "coordinatie")},
         label="casus gesloten",
         doc="Closes the case (R32).",
         omschrijving="Sluit de casus, met terugvalafspraken (R32)."),
    Step("vernietig", c.Vernietig, _IN_CASE, policy.vernietig, effect=Effect.DESTROY,
         by_college=True,
         needs=frozenset({Need.BEWAARTERMIJN}),
         phases=ENDED, moves={p: frozenset({"vernietigd"}) for p in ENDED},
         label="dossier vernietigd",
         doc="Runs retention for this case (R33): destroys it once the bewaartermijn has "
             "passed.",
         omschrijving="Vernietigt de casus na de bewaartermijn (R33): de sleutel van de "
                      "gegevens wordt vernietigd."),
    Step("melding", c.Melding, Where.OUTSIDE, policy.melding, effect=Effect.MELDING,
         http="meldingen", log_basis=LogBasis.MELDPUNT, label="melding",
         doc="A report at the meldpunt (R34); it opens no case (R35).",
         omschrijving="Een melding bij het meldpunt (R34); opent nooit een casus (R35)."),
    # its endpoint is the melding's own resource (POST .../meldingen/{id}/doorgeven)
    Step("melding_doorgeven", c.MeldingDoorgeven, Where.OUTSIDE, policy.melding_doorgeven,
         effect=Effect.PASS_ON, http=None, log_basis=LogBasis.MELDPUNT,
         label="melding doorgegeven",
         doc="Passes the data of a melding on to party `aan` (an id from `partijen`) for a "
             "purpose code `doel` with a `reden` (R34; a justice purpose for a justice party, "
             "R12); without `melding` the scenario's last melding.",
         omschrijving="Geeft de gegevens van een melding door, alleen met reden (R34); de "
                      "melder wordt nooit doorgegeven."),
    # R36 / AVG art. 15: in every phase, after rejection and destruction, and without a case
    Step("inzage", c.Inzage, _IN_CASE, policy.inzage, effect=Effect.INZAGE, phases=ANY,
         log_basis=LogBasis.INZAGE, without_case=True, label="inzage",
         doc="The access report for a person (R36, AVG art. 15); `verwacht.verwerkingen` "
             "counts the records in the report.",
         omschrijving="Het inzageoverzicht (AVG art. 15) van een persoon binnen deze casus "
                      "(R36)."),
    Step("export", c.Export, _IN_CASE, sharing.export, apply=lifecycle.export,
         phases=RUNNING, first=policy.export_purpose, concerns=_everyone, flow="export",
         by_college=True,
         label="export",
         doc="Exports case data for a purpose code `doel` (`overdracht`, `evaluatie`); a "
             "non-code naming enforcement is refused (R20).",
         omschrijving="Exporteert de casus voor een doel; nooit voor handhaving (R20)."),
)

#: step name (the scenario key, the log's step) → its record, in the lifecycle's order
STEPS: Mapping[str, Step] = MappingProxyType({s.name: s for s in _STEPS})
#: command record → its step
BY_COMMAND: Mapping[type, Step] = MappingProxyType({s.command: s for s in _STEPS})

# -- views derived from the table (read-only) --------------------------------------------------

#: step name → command class (the scenario format's step keys, the one way in)
COMMANDS: Mapping[str, type] = MappingProxyType({s.name: s.command for s in _STEPS})
OPENING = frozenset(s.name for s in _STEPS if s.where is Where.OPENS)
OUTSIDE_CASE = frozenset(s.name for s in _STEPS if s.where is Where.OUTSIDE)
#: step → phases in which it may run (inside a case)
STEP_PHASES: Mapping[str, frozenset[Phase]] = MappingProxyType(
    {s.name: s.phases for s in _STEPS if s.in_case})
#: (phase, step) → the phases the step may move the case to
TRANSITIONS: Mapping[tuple[Phase | None, str], frozenset[Phase]] = MappingProxyType(
    {(before, s.name): after for s in _STEPS for before, after in s.moves.items()})
#: the steps whose history entries the access report reads for a person's rights
RIGHTS_STEPS: tuple[str, ...] = tuple(s.name for s in _STEPS if s.rights is not None)
#: the step that passes a melding on (its log rows and history entries are the melding's)
PASSING_ON: str = next(s.name for s in _STEPS if s.effect is Effect.PASS_ON)
#: per step a party takes itself, the field that names that party
PARTY_STEPS: Mapping[str, str] = MappingProxyType(
    {s.name: s.party_field for s in _STEPS if s.party_field})


def step_of(cmd: object) -> Step:
    """The step a command record is for; a value that is no command record is bad input."""
    step = BY_COMMAND.get(type(cmd))
    if step is None:
        raise InputError(f"{type(cmd).__name__} is geen stap van de levenscyclus")
    return step


# -- deciding a step ---------------------------------------------------------------------------


def decide(step: Step, case: Casus | None, cmd: object, ctx: policy.Context) -> Verdict:
    """Decide one step: the party's registered kind, then (inside a case) what the step asks
    first and the phase, then its own decision; a toelichting naming enforcement is flagged
    for the FG on an allowed step (R20)."""
    # R06/R12: a party named as another kind than the municipality registered, whatever
    # the step (before the phase: who the party is does not depend on where the case is)
    refusal = check_registered_kind(cmd, ctx.partij_soorten) if ctx.partij_soorten else None
    if refusal:
        return refusal
    try:
        verdict = _decide(step, case, cmd, ctx)
    except ExcludedPurpose as exc:
        # R20: not in the vocabulary, and naming enforcement (MvT §1.4).
        return no("purpose.enforcement_excluded", f"'{exc.term}' is geen doel van de aanpak.")
    return policy.with_warning(verdict, cmd)


def _decide(step: Step, case: Casus | None, cmd: object, ctx: policy.Context) -> Verdict:
    if not step.in_case:
        return step.decide(cmd, ctx)
    if case is None:
        if step.without_case:
            return step.decide(None, cmd, ctx)
        return no("state.invalid_transition", "Er is nog geen casus: begin met een hulpvraag "
                  "of een verzoek.")
    if step.first is not None:
        step.first(cmd, ctx)
    refusal = check_phase(step.name, step.phases, case)
    if refusal:
        return refusal
    return step.decide(case, cmd, ctx)


# -- moving a case -----------------------------------------------------------------------------


def opening_phase(step: Step, phase: Phase) -> Phase:
    """The phase a case opened by ``step`` starts in, checked against the table."""
    if phase not in step.moves.get(None, frozenset()):
        raise RuntimeError(f"de fasetabel kent geen opening door {step.name} in fase {phase}")
    return phase


def move(case: Casus, step: Step, target: Phase | None) -> None:
    """Move ``case`` to ``target`` by ``step``: only along an edge of its record (a step that
    tries another is a bug in the engine, never the caller's doing). Staying in the phase is
    no move (a second coordinator in coordinatie)."""
    if target is None or case.phase == target:
        return
    if target not in step.moves.get(case.phase, frozenset()):
        raise RuntimeError(f"de fasetabel kent geen overgang {case.phase} → {target} door "
                           f"{step.name}")
    phases.enter(case, target)


__all__ = ["BY_COMMAND", "COMMANDS", "OPENING", "OUTSIDE_CASE", "PARTY_STEPS", "STEPS",
           "PASSING_ON", "RIGHTS_STEPS", "STEP_PHASES", "TRANSITIONS", "Concerns", "Effect",
           "LogBasis", "Need", "Rights", "Step", "Where",
           "decide", "move", "opening_phase", "step_of"]
