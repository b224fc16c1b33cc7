"""The extension contract of wams: every hook a plugin may implement, in one place.

A plugin is any module or object with functions marked ``@wams.hookimpl`` whose names are
listed here. Contribution hooks are called once, at startup, to build the catalogue; they
return lists of frozen records from :mod:`wams.core.law.records` (never dicts). Codes returned are
local to the plugin; the catalogue qualifies them as ``<plugin>.<code>``.

Hooks are grouped by phase:

1. Catalogue (startup): laws, domains, party kinds, services, data categories, provision rules,
   signals, processing activities, purposes.
2. Entry (run time, once per hulpvraag): the mirror provision, for a law with conditions of
   its own (without one, a registered law's default applies: see ``wams_entry``).
3. Notification (run time): after every step.
4. Keys (opening a database): where the keys live.
5. Command line (startup of the CLI): extra commands.

The contract has a version of its own (:data:`CONTRACT`, apart from the package's): every hook
says the contract version it was added in ("Since 0.1."), and a test fails for one that does
not or that names a version after :data:`CONTRACT`. A change to a hook keeps what plugins
written against an earlier version do working (pluggy passes an implementation only the
arguments it names), or it is a new hook. Core code calls hooks only through the catalogue
(:mod:`wams.core.catalogue`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from wams.core.law.records import (
    DataCategory,
    Doel,
    Domain,
    Entry,
    EntryRequest,
    KeyStore,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
    StepEvent,
)

if TYPE_CHECKING:
    import click

    from wams.core.model import Casus, Decision


PROJECT = "wams"
#: the version of this contract; 0.2 added the purpose vocabulary (``wams_doelen``) and the
#: typed :class:`~wams.core.law.records.StepEvent` of ``wams_after_step``
CONTRACT = "0.2"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- 1. Catalogue ---------------------------------------------------------------------------


@hookspec
def wams_laws() -> list[Law]:
    """Laws this plugin registers.

    Since 0.1.

    A law of kind ``sociaal`` opens the integrated approach through its provision (the Wmo 2015
    as carrier, the others through a mirror provision); a law of kind ``aanpalend`` never opens
    a case (R01).

    Returns:
        A list of :class:`~wams.core.law.records.Law`.

    Example::

        @hookimpl
        def wams_laws():
            return [Law(code="wgs", name="Wet gemeentelijke schuldhulpverlening",
                        kind="sociaal", domain="schuldhulp",
                        provision=Citation("Wet gemeentelijke schuldhulpverlening",
                                           "spiegelbepaling", "bron", ("§1.3",),
                                           voorstel=True))]
    """


@hookspec
def wams_domains() -> list[Domain]:
    """Domains this plugin defines. Domain codes are global; a code may be defined once.

    Since 0.1.

    Returns:
        A list of :class:`~wams.core.law.records.Domain`.

    Example::

        @hookimpl
        def wams_domains():
            return [Domain(code="schuldhulp", name="schuldhulpverlening", kind="sociaal")]
    """


@hookspec
def wams_party_kinds() -> list[PartyKind]:
    """Kinds of party that work in a domain and can take part in a case.

    Since 0.1.

    Returns:
        A list of :class:`~wams.core.law.records.PartyKind`; mark criminal-justice parties with
        ``justice=True`` (R12).

    Example::

        @hookimpl
        def wams_party_kinds():
            return [PartyKind(code="schuldhulpverlener", name="schuldhulpverlener",
                              domain="schuldhulp")]
    """


@hookspec
def wams_services() -> list[Service]:
    """Services (diensten) and interventions (interventies), each in one domain.

    Since 0.1.

    Returns:
        A list of :class:`~wams.core.law.records.Service`. A coercive item must be an
        ``interventie`` (R37); declaring it a ``dienst`` is a startup error.

    Example::

        @hookimpl
        def wams_services():
            return [Service(code="budgetbeheer", name="budgetbeheer", domain="schuldhulp")]
    """


@hookspec
def wams_data_categories() -> list[DataCategory]:
    """Categories of personal data a case may process, with who may supply them (R14).

    Since 0.1.

    Returns:
        A list of :class:`~wams.core.law.records.DataCategory`; ``suppliers`` are qualified party
        kind codes, which must exist once all plugins are loaded.

    Example::

        @hookimpl
        def wams_data_categories():
            return [DataCategory(code="schuldenoverzicht", name="schuldenoverzicht",
                                 domain="schuldhulp", suppliers=("wgs.schuldhulpverlener",))]
    """


@hookspec
def wams_provision_rules() -> list[ProvisionRule]:
    """Legal provisions under which parties supply data for a case (R16, R17).

    Since 0.1.

    Returns:
        A list of :class:`~wams.core.law.records.ProvisionRule`.

    Example::

        @hookimpl
        def wams_provision_rules():
            return [ProvisionRule(code="verstrekking_jeugdhulp",
                                  citation=Citation(
                                      "Wmo 2015", "verstrekking aan het college",
                                      "aangekondigd", ("§3.3", "§3.2.3"), voorstel=True),
                                  categories=("jeugdwet.jeugdhulpgegevens",),
                                  overrides=("beroepsgeheim",))]
    """


@hookspec
def wams_signals() -> list[Signal]:
    """Questions that may always be asked after a hulpvraag under a law (R05, MvT §3.3.1).

    Since 0.1.

    Returns:
        A list of :class:`~wams.core.law.records.Signal`.

    Example::

        @hookimpl
        def wams_signals():
            return [Signal(law="participatiewet", domain="schuldhulp",
                           question="Zijn er schulden waarbij u ondersteuning nodig heeft?")]
    """


@hookspec
def wams_processing_activities() -> list[ProcessingActivity]:
    """Processing activities for the register of processing activities (AVG art. 30).

    Since 0.1.

    Returns:
        A list of :class:`~wams.core.law.records.ProcessingActivity`.

    Example::

        @hookimpl
        def wams_processing_activities():
            return [ProcessingActivity(code="schuldenonderzoek", name="Onderzoek schulden",
                                       purpose="Bepalen of schuldhulp nodig is",
                                       categories=("wgs.schuldenoverzicht",))]
    """


@hookspec
def wams_doelen() -> list[Doel]:
    """Purposes this plugin adds to the closed vocabulary of purpose codes.

    Since 0.2.

    Every purpose-bearing step (``vraag_gegevens``, ``betrek_partij``, ``hergebruik``,
    ``casusoverleg``, ...) and every read names a purpose *code*; the core declares one for each
    lifecycle activity (``onderzoek``, ``werkplan``, ``coordinatie``, ...). A plugin adds a
    narrower one under one of its own processing activities (``activiteit``, the local code of
    a :class:`~wams.core.law.records.ProcessingActivity` it declares), with its legal basis. The
    code is qualified as ``<plugin>.<code>``. A purpose that names enforcement, investigation
    or prosecution, or claims to be a justice purpose, is a startup error naming the plugin.

    Returns:
        A list of :class:`~wams.core.law.records.Doel`.

    Example::

        @hookimpl
        def wams_doelen():
            return [Doel(code="schuldregeling", omschrijving="Een schuldregeling voorbereiden",
                         activiteit="schuldenonderzoek",
                         grondslag="AVG art. 6 lid 1 sub e; Wgs (MvT §1.3)")]
    """


# -- 2. Entry ---------------------------------------------------------------------------------


@hookspec(firstresult=True)
def wams_entry(request: EntryRequest) -> Entry | None:
    """The mirror provision: does a hulpvraag under ``request.law`` open paragraph 3a?

    Since 0.1.

    Only the plugin that registers ``request.law`` answers; every other plugin returns
    ``None``. The first answer wins.

    Args:
        request: the law named in the hulpvraag, the question and any aanleiding.

    Returns:
        An :class:`~wams.core.law.records.Entry` citing the provision, or ``None``.

    Example::

        @hookimpl
        def wams_entry(request):
            if request.law != "wgs":
                return None
            return Entry(law="wgs", opens=True, domain="schuldhulp",
                         provision=SPIEGELBEPALING)  # the Citation wams_laws gives
    """


# -- 3. Notification --------------------------------------------------------------------------


@hookspec
def wams_after_step(event: StepEvent, case: Casus | None, decision: Decision,
                    events: list[StepEvent]) -> None:
    """Called after every step has been decided and, when allowed, committed.

    Since 0.1; the argument ``event`` since 0.2. Implement it with only the arguments you
    need (pluggy passes those): ``def wams_after_step(event)`` is the way from 0.2 on.

    Use it to feed a supplier's notification bus. It must not change the case; what it raises
    is logged and does not undo the committed step. Inside a batch the plugins hear of its
    steps after the batch committed, in order.

    Args:
        event: the :class:`~wams.core.law.records.StepEvent`: step, municipality, case id, trace
            id, the decision and a copy of the case after the step (read-only).
        case: the same copy of the case (``event.case``; kept for plugins before 0.2).
        decision: the same :class:`~wams.core.model.Decision` (``event.decision``).
        events: ``[event]`` when the step was allowed, ``[]`` when refused (kept for plugins
            before 0.2, whose events were dicts: ``event["step"]`` still answers).

    Example::

        @hookimpl
        def wams_after_step(event):
            if event.decision.allowed and event.decision.phase == "coordinatie":
                bus.publish("coordinatie-gestart", event.case_id)
    """


# -- 4. Keys ------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def wams_key_store(url: str) -> KeyStore | None:
    """The key store for the database at ``url``: Vault, a cloud KMS, an HSM.

    Since 0.1.

    The key-encryption keys (purposes ``"kek:open:YYYY-MM"`` and ``"kek:YYYY-MM"``, one per
    destruction period; they wrap the data key of every case, melding and betrokkenheid),
    the pseudonym keys of the processing log (``"pseudonym"``) and the key
    of the audit chain (``"chain"``) never live in the database, so a copy of
    the database alone reveals nothing. By default they
    live in a key file (``WAMS_KEY_FILE``, or beside the SQLite file); a supplier returns its
    own store here instead. The first plugin that answers wins; return ``None`` to leave the
    choice to the next plugin or to the default. An explicit ``key_file`` of ``Wams.open``
    takes precedence over every plugin.

    The store implements :class:`~wams.core.law.records.KeyStore`: ``current(gemeente,
    purpose)`` (the key in force, created on first use), ``get(gemeente, purpose, key_id)``
    (an old key, or :class:`~wams.core.privacy.keystore.KeyMissingError` naming the store),
    ``rotate(gemeente, purpose)``, ``retire(gemeente, purpose, key_id)`` (delete a key for
    good, and with the current key of a KEK purpose the whole purpose: ``wams retention run``
    calls it for each destruction period that is over and empty, ``wams keys retire`` for an
    old KEK no data key uses; delete every version and copy the store keeps),
    ``purposes(gemeente)`` (the purposes it holds keys for) and ``describe()``;
    ``examples/vault_key_store.py`` implements it on Vault's KV engine. Keys are
    :class:`~wams.core.privacy.keystore.Key` records: an id and 32 bytes. Deleting a key in the
    store makes everything wrapped by it unreadable, on every
    copy of the database. ``current`` must see another process's rotation (the key file
    compares its generation on every call): a running process then wraps new data keys
    under the new KEK. wams asks ``current`` only for a municipality without data or with
    its keys present: a store that lacks a key the database names is refused when the
    database is opened, so ``current`` never makes a key for existing data.

    Args:
        url: the database URL being opened.

    Returns:
        A key store, or ``None``.

    Example::

        @hookimpl
        def wams_key_store(url):
            if url.startswith("postgresql"):
                return VaultKeyStore(os.environ["VAULT_ADDR"], mount="wams")
            return None
    """


# -- 5. Command line --------------------------------------------------------------------------


@hookspec
def wams_commands(cli: click.Group) -> None:
    """Add commands to the ``wams`` command line.

    Since 0.1.

    Args:
        cli: the root :class:`click.Group`.

    Example::

        @hookimpl
        def wams_commands(cli):
            @cli.command()
            def leerplicht():
                click.echo("leerplicht-plugin actief")
    """
