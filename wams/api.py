"""The Python API: :class:`Wams`, one method per lifecycle step, each returning a Decision.

A supplier embeds wams like this::

    from wams import Wams, Persoon, Partij

    w = Wams.open("sqlite:///wams.db")
    jan = Persoon(ref="jan", geboortedatum=date(1985, 4, 12))
    d = w.hulpvraag("0599", wet="participatiewet", client=jan, vraag="algemene bijstand",
                    aanleiding="noemt betalingsachterstanden")
    assert d.allowed and d.phase == "onderzoek"
    w.domein("0599", d.case_id, domein="schuldhulp", reden="achterstanden", client_akkoord=True)

Every call takes the municipality (the tenant, R38) first: a case of another municipality is
refused with ``tenant.mismatch``; an unknown case id is refused too (``state.invalid_transition``,
a Decision, not an exception). Keyword options on every step: ``actor`` (who acts, logged;
never empty), ``idempotency_key`` (a retried call with the same key and the same command is
applied once; the key reused for another command raises InputError) and ``expected_version``
(optimistic concurrency: compare with ``decision.version``; a stale version raises
ConflictError).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from wams.api_admin import AdminMethods
from wams.api_steps import Steps
from wams.api_webhooks import WebhookMethods
from wams.core.catalogue import Catalogue
from wams.core.clock import Clock
from wams.core.engine import Authorize, Batch, Engine
from wams.core.engine.case_rows import check_case_continues
from wams.core.errors import InputError
from wams.core.model import Casus, Decision, Partij


class Wams(Steps, WebhookMethods, AdminMethods):
    """A handle on one wams database with the plugins loaded. Use :meth:`open`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, clock: Clock | None = None,
             plugins: Iterable[object] | None = None, key_file: str | None = None) -> Wams:
        """Open (and create or check) the database at ``url``.

        ``url`` defaults to ``$WAMS_DATABASE_URL``, else ``sqlite:///wams.db`` (the embedded
        default). ``sqlite://`` is a private in-memory database. ``plugins`` are extra plugin
        objects registered next to the built-ins and entry points (for tests).

        ``key_file`` is the key store (the keys that unlock the personal data, kept outside
        the database); it defaults to ``$WAMS_KEY_FILE``, else a plugin's store
        (``wams_key_store``), else ``<database file>.keys`` beside a SQLite file. PostgreSQL
        needs one of these named. Back the key file up separately from the database.
        """
        return cls(Engine.open(url, clock=clock, extra_plugins=plugins, key_file=key_file))

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> Wams:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def catalogue(self) -> Catalogue:
        return self._engine.catalogue

    @property
    def clock(self) -> Clock:
        return self._engine.clock

    @property
    def engine(self) -> Engine:
        return self._engine

    # -- generic --------------------------------------------------------------------------

    def execute(self, gemeente: str, case_id: str | None, command: object,
                **opts: Any) -> Decision:
        """Run one command record from :mod:`wams.core.commands` against a case."""
        # A command of its own commits its case's row at once: nothing to hold for a next
        # step (``case_continues`` speeds up an all-or-nothing batch only; see batch()).
        check_case_continues(opts.pop("case_continues", False))
        return self._engine.execute(gemeente, case_id, command, **opts)

    @contextlib.contextmanager
    def batch(self, *, all_or_nothing: bool = False, keep_cases: bool = True
              ) -> Iterator[InBatch]:
        """Many steps in one transaction, for bulk work (loading an archive, a migration from
        another system): ``with w.batch() as b: b.hulpvraag(...); b.domein(...)``. Every step
        is decided, logged and chained exactly as on its own; one that raises is undone alone
        (``all_or_nothing``: ends the batch, which then stores nothing; faster, no savepoint
        per step). Everything is stored when the block ends, or nothing if it raises. Inside
        the block ``b`` offers the step methods and :meth:`case` only (:class:`InBatch`).
        ``keep_cases=False``: the process does not keep the batch's cases in its case cache
        afterwards (a load that never returns to a case; see docs/scale.md). A step given
        ``case_continues=True`` in an all-or-nothing batch promises that the batch's next
        command is a step on the same case: the case's row is then written once, by the
        last step of the run, instead of once a step (a broken promise costs an extra
        history entry, ``casus_vastgelegd``, never a row the chain does not vouch for)."""
        with self._engine.batch(all_or_nothing=all_or_nothing, keep_cases=keep_cases) as batch:
            yield InBatch(self._engine, batch)

    def set_log_sink(self, sink: Callable[[list[dict[str, Any]]], None] | None) -> None:
        """Every processing-log record (Logboek shape) also goes to ``sink``, inside the
        step's transaction: what it raises aborts the step, nothing stored (fail closed)."""
        self._engine.log_sink = sink

    def set_public_url(self, url: str | None) -> None:
        """Processing activity ids become URLs of the API at ``url`` (its address with the
        major version, ``https://wams.example/v2``; resolving at
        ``{url}/verwerkingsactiviteiten/{id}``) instead of ``urn:wams:...``."""
        self._engine.set_public_url(url)

    def set_setting(self, gemeente: str, key: str, value: object) -> None:
        """A municipal setting, e.g. ``bewaartermijn_maanden`` (R33: a municipal choice)."""
        self._engine.set_setting(gemeente, key, value)

    def setting(self, gemeente: str, key: str) -> object:
        return self._engine.setting(gemeente, key)

    # -- reads ----------------------------------------------------------------------------

    def case(self, gemeente: str, case_id: str, *, actor: str, purpose: str,
             authorize: Authorize | None = None, toelichting: str | None = None) -> Casus:
        """The case as it stands. Viewing a dossier is processing (raadplegen): it is logged
        for every person in it, with the actor and the purpose (R36). An unknown case raises
        InputError; an enforcement purpose (R20) or another municipality's case raises
        :class:`~wams.core.engine.Refused` and returns nothing. ``authorize(case, None)`` may
        return a reason code to refuse the read (Refused, nothing logged); every step takes the
        same option, called with the case and the command."""
        return self._engine.view_case(gemeente, case_id, actor=actor, purpose=purpose,
                                      authorize=authorize, toelichting=toelichting)

    def party_view(self, gemeente: str, case_id: str, *, partij: str, actor: str,
                   purpose: str) -> dict[str, Any]:
        """What party ``partij`` may see of a case: requests addressed to it, what it supplied,
        what a casusoverleg shared with it, its own bijdragen (R19, R30). Logged (R36)."""
        return self._engine.view_for_party(gemeente, case_id, partij, actor=actor,
                                           purpose=purpose)

    def case_summary(self, gemeente: str, case_id: str) -> dict[str, Any]:
        """One case's id, route, law, phase, version and dates: no personal data, not logged."""
        from wams.core.privacy import casefile

        return casefile.summary(self._engine, gemeente, case_id)

    def case_steps(self, gemeente: str, case_id: str) -> list[dict[str, Any]]:
        """The steps of a case as decided, allowed and refused (``decision`` as stored JSON),
        without their payload: no case content, so readable after destruction too."""
        from wams.core.privacy import casefile

        return casefile.steps(self._engine, gemeente, case_id)

    def case_parties(self, gemeente: str, case_id: str) -> dict[str, str]:
        """The organisations in a case: party ref → registered party kind. No person and no
        case content (not logged as a consult)."""
        return self._engine.case_parties(gemeente, case_id)

    def case_log(self, gemeente: str, case_id: str) -> list[dict[str, Any]]:
        """The processing-log rows of a case (R36), persons as keyed pseudonyms."""
        from wams.core.privacy import casefile

        return casefile.processing_log(self._engine, gemeente, case_id)

    def cases(self, gemeente: str, *, limit: int | None = None,
              after: str | None = None) -> list[dict[str, object]]:
        """Case summaries (id, phase, route, law, dates) of one municipality: no personal
        data, in order of opening, after the case ``after`` (the last id of the previous
        page) if given. With ``limit`` one page of at most that many; without, all of them:
        for a large municipality use :meth:`iter_cases`, which keeps memory flat."""
        if limit is None:
            return list(self._engine.iter_cases(gemeente, after=after))
        return self._engine.case_page(gemeente, limit=limit, after=after)

    def iter_cases(self, gemeente: str, *, after: str | None = None
                   ) -> Iterator[dict[str, object]]:
        """Every case summary of :meth:`cases` (after case ``after``), fetched a page at a
        time: memory stays flat however many cases the municipality has."""
        return self._engine.iter_cases(gemeente, after=after)

    def municipalities(self) -> list[str]:
        """The CBS codes of every municipality with a history in this database."""
        with self._engine.unit_of_work(None) as uow:
            return uow.store.municipalities()

    def today(self) -> dt.date:
        return self._engine.clock.today()

    # -- privacy operations (AVG art. 15 and 30, R33, R34, R36) -------------------------

    def processing_activities(self, gemeente: str, query: object, *, actor: str,
                              after: str | None = None, limit: int = 100,
                              verzoek: str | None = None, everything: bool = False,
                              ) -> tuple[list[dict[str, Any]], str | None]:
        """The processing log read after the Logboek Dataverwerkingen read extension (LDV
        lezen 1.1.0): ``query`` filters on ``traceId``, ``startTime``, ``endTime`` and the
        ``dpl.core.*`` attributes (at least one); one page of records (the export's, in
        camelCase) and the cursor of the next page. ``everything`` is the privacy officer's
        read; otherwise it is a person's access request (``verzoek``, filtered on his
        ``dpl.core.data_subject_id``) and is logged (R36)."""
        from wams.core.privacy import logread

        return logread.read(self._engine, gemeente, query, after=after, limit=limit,
                            actor=actor, verzoek=verzoek, everything=everything)

    def inzage_persoon(self, gemeente: str, *, bsn: str | None = None, ref: str | None = None,
                       case_id: str | None = None, actor: str,
                       verzoek: str) -> dict[str, Any]:
        """The access report (AVG art. 15) of a person, found by ``bsn`` over every case, or
        (without a BSN) by the caller's ``ref`` inside ``case_id``: cases, processings,
        objections (R09), informing (R08), meldingen. It is the person's right, not a search:
        its purpose is fixed ("verzoek van betrokkene (AVG art. 15)") and ``verzoek`` is the
        reference of his request. Giving it is logged. Render with
        :func:`wams.api_texts.inzage_text`."""
        from wams.core.privacy import inzage

        return inzage.inzage_persoon(self._engine, gemeente, bsn=bsn, ref=ref, case_id=case_id,
                                     actor=actor, verzoek=verzoek)

    def melding_doorgeven(self, gemeente: str, melding_id: int, *, aan: Partij,
                          reden: str | None, doel: str | None,
                          toelichting: str | None = None, actor: str = "meldpunt") -> Decision:
        """Pass a melding's data on to party ``aan``; refused (``reason.missing``) without a
        recorded ``reden`` and purpose code ``doel`` (R34), and without a justice purpose
        when ``aan`` is a justice or enforcement body (R12). The reporter's identity is never
        passed on."""
        from wams.core.privacy import meldpunt

        return meldpunt.doorgeven(self._engine, gemeente, melding_id, aan=aan, reden=reden,
                                  doel=doel, toelichting=toelichting, actor=actor)

    def meldingen(self, gemeente: str) -> list[dict[str, Any]]:
        """The meldingen of a municipality (id, date, times passed on); no personal data."""
        from wams.core.privacy import meldpunt

        return meldpunt.lijst(self._engine, gemeente)

    def register(self, gemeente: str) -> list[dict[str, Any]]:
        """The register of processing activities (AVG art. 30) as ProcessingActivityVersion
        objects, with the version in force of each entry."""
        from wams.core.privacy import register

        return register.build(self._engine, gemeente)

    def rotate_keys(self, gemeente: str | None = None) -> dict[str, int]:
        """``wams keys rotate``: a new key-encryption key per municipality, every data key
        re-wrapped under it (see :meth:`wams.core.engine.Engine.rotate_keys`)."""
        return self._engine.rotate_keys(gemeente)

    def retention_run(self, gemeente: str | None = None, *, dry_run: bool = False,
                      progress: Any = None) -> list[dict[str, Any]]:
        """Destroy every case whose bewaartermijn has passed (R33), like ``vernietig``."""
        from wams.core.privacy import retention

        return retention.run(self._engine, gemeente, dry_run=dry_run, progress=progress)

    def retention_run_records(self, gemeente: str | None = None, *,
                              dry_run: bool = False) -> list[dict[str, Any]]:
        """Destroy every melding and betrokkenheid record whose own bewaartermijn has passed
        (R33, R34), with a proof of destruction; a betrokkenheid is kept while a route-B case
        resting on it exists. ``wams retention run`` runs this after the cases."""
        from wams.core.privacy import record_retention

        return record_retention.run(self._engine, gemeente, dry_run=dry_run)

    def retire_periods(self, gemeente: str | None = None) -> list[dict[str, Any]]:
        """The end of ``wams retention run``: move the data keys still in a destruction period
        that is over into the open month, then retire every past period's KEK no data key
        uses (the key store deletes it). Until then ``audit`` reports each proof whose period
        is over while its KEK lives. One dict per period (gemeente, periode, sleutels or
        reden)."""
        from wams.core.privacy import periods

        return periods.settle(self._engine, gemeente)

    def audit(self, gemeente: str | None = None) -> dict[str, Any]:
        """Recompute the hash chain (of ``gemeente``, or every one): entries checked and the
        first break of each broken chain, as lines (``wams audit verify``)."""
        from wams.core.engine import database

        # The chain keys come from the engine's key store, never from the database.
        report = database.verify_open(self._engine.db, self._engine.keys, gemeente)
        return {"intact": report.intact, "gemeenten": report.gemeenten,
                "entries": report.entries, "breaks": [b.line() for b in report.breaks]}

    def ping(self) -> None:
        """Raises when the database does not answer (a readiness check)."""
        with self._engine.db.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def log_records(self, *, gemeente: str | None = None,
                    since: dt.date | dt.datetime | None = None,
                    profile: str = "logboek") -> Iterator[dict[str, Any]]:
        """Stream the processing log as Logboek Dataverwerkingen records; ``profile="audit"``
        gives who acted instead, one line per span id (kept out of the records proper)."""
        from wams.core.privacy import actors, logexport

        if profile not in logexport.PROFILES:
            raise InputError(f"profiel '{profile}' bestaat niet; kies logboek of audit")
        who = None
        if profile == "audit":  # the log keeps pseudonyms; the register has the names
            names = actors.directory(self._engine, gemeente)

            def who(g: str, stored: str) -> str:
                return actors.shown(stored, names.get((g, stored)))
        return logexport.records(self._engine.db, gemeente=gemeente, since=since,
                                 profile=profile, who=who)


class InBatch(Steps):
    """What ``with w.batch() as b`` gives: the lifecycle steps and :meth:`case`, run in the
    batch's transaction, and nothing else. Reports, listings, settings and the retention run
    open transactions of their own; call them on the handle after the block."""

    def __init__(self, engine: Engine, batch: Batch) -> None:
        self._engine, self._batch = engine, batch

    @property
    def clock(self) -> Clock:
        return self._engine.clock

    def execute(self, gemeente: str, case_id: str | None, command: object,
                **opts: Any) -> Decision:
        return self._batch.execute(gemeente, case_id, command, **opts)

    def case(self, gemeente: str, case_id: str, *, actor: str, purpose: str,
             authorize: Authorize | None = None, toelichting: str | None = None) -> Casus:
        """As :meth:`Wams.case`, inside the batch (the read is logged with the batch)."""
        return self._batch.view_case(gemeente, case_id, actor=actor, purpose=purpose,
                                     authorize=authorize, toelichting=toelichting)

    if not TYPE_CHECKING:  # for a type checker the batch has no such attribute at all
        def __getattr__(self, name: str) -> Any:
            if hasattr(Wams, name):
                raise InputError(f"{name} kan niet binnen een batch (w.batch()); daarin "
                                 f"alleen stappen en case(); roep {name} aan na het blok")
            raise AttributeError(name)
