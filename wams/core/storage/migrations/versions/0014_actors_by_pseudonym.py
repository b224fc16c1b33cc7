"""Who acted is kept by pseudonym; the names are in the register of actors.

Revision ID: 0014
Revises: 0013

The history, the processing log and the proofs of destruction name who acted; they outlive
every case and the chain covers them, so a name written there could never be erased. From
this revision they keep a keyed pseudonym (``wams.core.privacy.actors``) and the table
``actors`` holds each name, sealed under a data key of its own.

Data (a database written by wams before this revision): every chain is verified as it stands
(a broken chain is refused, never laundered). Then, per municipality, every actor in those
three tables is replaced by its pseudonym, an idempotency key still kept in clear (stored
before they were digested) by its keyed digest, the chain is hashed again over the rows as
they are now (``wams.core.storage.rechain``), and one entry (step ``actorenregister``) commits
to the register's new entries and their data keys. The chain is verified again before the
revision commits. Anchors taken before no longer match: anchor right after upgrading.

This revision imports no room above storage: what it needs of the privacy room (the keyed
digest, an actor's sealed entry) is handed over by ``wams db upgrade`` (attribute ``actors``,
a ``wams.core.privacy.actors.Adoption``), as the key store is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from wams.core.errors import DatabaseError

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: The append-only tables the chain covered before this revision.
COVERED = ("processing_log", "involvements", "meldingen", "melders", "destruction_proofs",
           "register_versions", "destroyed_rows", "data_keys")
#: The tables that name an actor.
NAMING = ("history", "processing_log", "destruction_proofs")
#: Who wrote the register's entries here (an actor like any other: kept by pseudonym).
UPGRADE = "wams db upgrade"


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("pseudonym", sa.String(80), nullable=False),
        sa.Column("data_key", sa.String(32), nullable=False),
        sa.Column("naam", sa.Text(), nullable=False),
        sa.Column("chain_n", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("gemeente", "pseudonym", name="pk_actors"))
    conn = op.get_bind()
    gemeenten = [g for (g,) in conn.execute(sa.text(
        "SELECT gemeente FROM chain_heads ORDER BY gemeente"))]
    if not gemeenten:
        return
    key_store = context.config.attributes.get("key_store")
    adoption = context.config.attributes.get("actors")
    if key_store is None or adoption is None:
        raise DatabaseError("revisie 0014 vervangt wie handelde door een pseudoniem met de "
                           "sleutels uit de sleutelopslag; voer 'wams db upgrade' uit (met "
                           "WAMS_KEY_FILE)")
    from wams.core.storage.coverage import ChainKeys

    keys = ChainKeys(key_store)
    _verified(conn, keys, "voor", COVERED)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for gemeente in gemeenten:
        _adopt(conn, keys, adoption, gemeente, now)
    _verified(conn, keys, "na", None)


def _adopt(conn: sa.Connection, keys: Any, adoption: Any, gemeente: str,
           now: dt.datetime) -> None:
    from wams.core.storage.rechain import rechain
    from wams.core.storage.repository import Store
    from wams.core.storage.tables import Base

    tables = {name: Base.metadata.tables[name] for name in NAMING}
    names = {UPGRADE}
    for t in tables.values():
        names |= set(conn.execute(sa.select(t.c.actor).distinct()
                                  .where(t.c.gemeente == gemeente)).scalars())
    for name in sorted(names):
        pseudonym = adoption.digest(gemeente, "actor", name)
        for t in tables.values():
            conn.execute(sa.update(t).where(t.c.gemeente == gemeente, t.c.actor == name)
                         .values(actor=pseudonym))
    history = tables["history"]
    plain = conn.execute(sa.select(history.c.seq, history.c.idempotency_key).where(
        history.c.gemeente == gemeente, history.c.idempotency_key.isnot(None),
        history.c.idempotency_key.not_like("hmac:%"))).all()
    for seq, key in plain:
        conn.execute(sa.update(history).where(history.c.seq == seq).values(
            idempotency_key=adoption.digest(gemeente, "idempotency", key)))
    rechain(conn, keys, gemeente, COVERED)
    store = Store(conn, lock_heads=False, keys=keys)
    for name in sorted(names):
        adoption.register(store, gemeente, name, now.date())
    store.seal(at=now, actor=adoption.digest(gemeente, "actor", UPGRADE),
               trace_id=uuid.uuid4().hex, step="actorenregister")


def _verified(conn: sa.Connection, keys: Any, when: str, covered: Any) -> None:
    from wams.core.storage import audit
    from wams.core.storage.rechain import unstreamed

    # Only the chain decides here, not whether a destruction period's KEK is retired yet.
    report = audit.verify(conn, keys, today=dt.date.min, covered=covered)
    unstreamed(conn)
    if report.breaks:
        lines = "; ".join(b.line() for b in report.breaks[:5])
        raise DatabaseError(f"revisie 0014: de hashketen klopt {when} het vervangen van wie "
                           f"handelde niet ({lines}); er wordt niets gewijzigd (wams audit "
                           "verify zegt wat er mis is)")


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT count(*) FROM actors")).scalar_one():
        raise DatabaseError("revisie 0014 is niet terug te draaien: wie handelde staat alleen "
                           "nog als pseudoniem in de historie en het log (zet een back-up van "
                           "ervoor terug)")
    op.drop_table("actors")
