"""wams-leerplicht: the regionale meld- en coördinatiefunctie voortijdig schoolverlaten (RMC).

A municipal extension of wams, installed as its own distribution and found through the entry
point group ``wams`` under the name ``leerplicht``; that name prefixes every code declared here
(``leerplicht.rmc_coordinator``). It changes nothing in wams itself.

Municipalities carry out the RMC function under the Leerplichtwet 1969: they register and
follow young people up to 23 who leave school without a startkwalificatie (MvT §3.1.3). The
RMC is an adjacent law: its parties take part in a case for a recorded reason (R11) but a
question under it never opens one (R01). The domain ``onderwijs`` and the party kind
``aanpalend.leerplichtambtenaar`` come from the built-in ``aanpalend`` plugin, which this
plugin therefore needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wams import (
    Citation,
    DataCategory,
    Entry,
    EntryRequest,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
    hookimpl,
)

if TYPE_CHECKING:
    import click

__version__ = "0.1.0"

#: The entry-point name: wams qualifies local codes with it.
PLUGIN = "leerplicht"
LAW = "leerplichtwet_rmc"
DOMAIN = "onderwijs"  # declared by the built-in aanpalend plugin (MvT §2.2)
#: the memorandum describes the RMC function as current practice (MvT §3.1.3)
PROVISION = Citation("Leerplichtwet", "regionale meld- en coördinatiefunctie voortijdig "
                     "schoolverlaten", "praktijk", ("§3.1.3",))
VERZUIMDOSSIER = f"{PLUGIN}.verzuimdossier"


@hookimpl
def wams_laws() -> list[Law]:
    return [Law(code=LAW, name="Leerplichtwet 1969: regionale meld- en coördinatiefunctie "
                "voortijdig schoolverlaten (RMC)", kind="aanpalend", domain=DOMAIN,
                provision=PROVISION)]


@hookimpl
def wams_party_kinds() -> list[PartyKind]:
    return [PartyKind(code="rmc_coordinator", name="RMC-coördinator (regionale meld- en "
                      "coördinatiefunctie)", domain=DOMAIN)]


@hookimpl
def wams_services() -> list[Service]:
    return [
        Service(code="rmc_trajectbegeleiding", name="trajectbegeleiding terug naar school of "
                "naar werk (RMC)", domain=DOMAIN),
        # Not coercive: an invitation to talk. A coercive item would need kind="interventie",
        # coercive=True and its own legal_basis (R37).
        Service(code="rmc_verzuimgesprek", name="gesprek na melding voortijdig schoolverlaten",
                domain=DOMAIN, kind="interventie"),
    ]


@hookimpl
def wams_data_categories() -> list[DataCategory]:
    return [DataCategory(
        code="verzuimdossier",
        name="verzuim- en uitvalgegevens (meldingen, opleidingshistorie, startkwalificatie)",
        domain=DOMAIN,
        # A supplier may belong to another plugin: qualified codes cross plugins.
        suppliers=(f"{PLUGIN}.rmc_coordinator", "aanpalend.leerplichtambtenaar"),
    )]


@hookimpl
def wams_provision_rules() -> list[ProvisionRule]:
    return [ProvisionRule(
        code="verstrekking_verzuimdossier",
        # the data-processing regulation MvT §3.3 announces for §3.4 (absent from the text)
        citation=Citation("Wmo 2015", "verstrekking aan het college voor de integrale aanpak",
                          "aangekondigd", ("§3.3", "§3.2.3"), voorstel=True),
        categories=(VERZUIMDOSSIER,),
        overrides=("doelbinding",),
        description="De RMC-coördinator verstrekt het college de verzuim- en uitvalgegevens "
                    "die noodzakelijk zijn voor de integrale aanpak.",
    )]


@hookimpl
def wams_signals() -> list[Signal]:
    # A young adult asking for bijstand may have left school without a startkwalificatie:
    # the college may always ask about it (R05, MvT §3.3.1).
    return [Signal(law="participatiewet", domain=DOMAIN,
                   question="Heeft u een startkwalificatie, of wilt u hulp om weer naar "
                            "school te gaan?")]


@hookimpl
def wams_processing_activities() -> list[ProcessingActivity]:
    return [ProcessingActivity(
        code="gegevensverzoek_verzuimdossier",
        name="Gegevensverzoek verzuimdossier (RMC)",
        purpose="behandeling"
                "van de integrale aanpak (MvT §3.1.3)",
        categories=(VERZUIMDOSSIER,),
    )]


@hookimpl
def wams_entry(request: EntryRequest) -> Entry | None:
    if request.law != LAW:
        return None
    # R01: the law is ours, so we answer, but an adjacent law never opens a case.
    return Entry(law=LAW, opens=False, domain=DOMAIN, provision=PROVISION)


@hookimpl
def wams_commands(cli: click.Group) -> None:
    import click

    @cli.command("rmc")
    def rmc() -> None:
        """Wat de RMC-plugin (wams-leerplicht) toevoegt."""
        click.echo(f"wams-leerplicht {__version__}: wet {LAW}, partijsoort "
                   f"{PLUGIN}.rmc_coordinator, gegevenscategorie {VERZUIMDOSSIER}")
