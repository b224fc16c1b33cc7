"""Personal data at rest: sealed under data keys, keys out of the database (quality C7, R33).

Revision ID: 0006
Revises: 0005

Schema: ``data_keys`` (wrapped data keys), ``cases.data_key``, sealed ``content`` with its own
data key on ``involvements`` and ``meldingen`` (their plain ``dienst`` / ``zorg`` columns go),
and ``tenant_keys`` (the pseudonym keys, in the database) is dropped.

Data (a database written by wams before this revision): every pseudonym key moves into the
key store (``config.attributes["key_store"]``) and every pseudonym gets its key id; every
case that is not destroyed, every melding and betrokkenheid gets a data key, and its state,
history content, reporter's name and free-text log purposes are sealed under it. The history
keeps no identity (persons by ref) and no decision message (the detail is sealed). The hash
chain is verified as it was first (a broken chain is refused, never laundered) and then
recomputed over the sealed content, whose digests it now commits to. What earlier
destructions left in clear in the log (free-text purposes of destroyed cases) is replaced by
a marker; the old plain pages are then freed by the rewrite (SQLite: secure_delete, and the
operator should VACUUM; PostgreSQL: VACUUM FULL — see docs/operations.md).

Unlike 0001/0002 this revision uses wams code: the reason texts (to split the detail from a
stored message) and the sealing format, which the caller passes in with the key store
(``config.attributes["sealing"]``: a migration imports nothing above the storage room).
Those are stable formats, not the models.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from wams.core.errors import DatabaseError

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DESTROYED_PURPOSE = "(vernietigd met het dossier)"
INZAGE_PURPOSE = "inzage door betrokkene (AVG art. 15)"
GENESIS = "0" * 64
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("kek_id", sa.String(64), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_data_keys"),
    )
    op.create_index("ix_data_keys_kek", "data_keys", ["gemeente", "kek_id"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("data_key", sa.String(32), nullable=True))
    with op.batch_alter_table("involvements") as batch:
        batch.add_column(sa.Column("data_key", sa.String(32), nullable=True))
        batch.add_column(sa.Column("content", sa.Text(), nullable=True))
    with op.batch_alter_table("meldingen") as batch:
        batch.add_column(sa.Column("data_key", sa.String(32), nullable=True))
        batch.add_column(sa.Column("content", sa.Text(), nullable=True))
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT 1 FROM history LIMIT 1")).first() is not None:
        keys = context.config.attributes.get("key_store")
        sealing = context.config.attributes.get("sealing")
        if keys is None or sealing is None:
            raise DatabaseError("deze migratie versleutelt de bestaande gegevens en heeft de "
                               "sleutelopslag nodig: voer 'wams db upgrade' uit")
        Sealer(conn, keys, sealing).run()
    with op.batch_alter_table("involvements") as batch:
        batch.alter_column("data_key", existing_type=sa.String(32), nullable=False)
        batch.alter_column("content", existing_type=sa.Text(), nullable=False)
        batch.drop_column("dienst")
    with op.batch_alter_table("meldingen") as batch:
        batch.alter_column("data_key", existing_type=sa.String(32), nullable=False)
        batch.alter_column("content", existing_type=sa.Text(), nullable=False)
        batch.drop_column("zorg")
    op.drop_table("tenant_keys")


def downgrade() -> None:
    raise DatabaseError("0006 seals personal data; there is no way back to plain text")


# -- the data ---------------------------------------------------------------------------------


def entry_hash(prev_hash: str, gemeente: str, chain_n: int, case_id: str | None, at: Any,
               step: str, allowed: bool, code: str, actor: str, trace_id: str,
               idempotency_key: str | None, decision: str, digest: str) -> str:
    """The chain's entry hash as of this revision (a snapshot: later code may change it)."""
    parts = (prev_hash, gemeente, str(chain_n), case_id or "",
             at.isoformat(timespec="microseconds"), step, "1" if allowed else "0", code, actor,
             trace_id, idempotency_key or "", decision, digest)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _strip(value: Any) -> Any:
    """A command's JSON with every person by ref, role and relation only (no identity)."""
    if isinstance(value, dict):
        if "ref" in value and ("bsn" in value or "naam" in value or "geboortedatum" in value):
            return {k: value.get(k) for k in ("ref", "rol", "relatie")}
        return {k: _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _prefix_subjects(state: dict[str, Any], kid: dict[str, str], gemeente: str) -> None:
    state["subjects"] = {ref: f"{kid[gemeente]}:{s}" for ref, s in
                         (state.get("subjects") or {}).items()}


class Sealer:
    """Seal what a database written before this revision holds in clear."""

    def __init__(self, conn: sa.Connection, keys: Any, sealing: Any) -> None:
        # ``sealing`` (wams.core.storage.migrate.Sealing) is the privacy room's, passed in:
        # a migration imports nothing above the storage room.
        from wams.core.storage.repository import Store
        self.conn = conn
        self.keys = keys
        self.store = Store(conn, lock_heads=False)
        self.data_keys = sealing.data_keys(keys)

    def q(self, sql: str, **params: Any) -> Any:
        return self.conn.execute(sa.text(sql), params)

    def seal(self, data_key: str, text: str) -> str:
        # Bound to the data key alone, as values were sealed until 0011 bound them to
        # their place (and re-sealed these).
        sealed: str = self.data_keys.seal(self.store, data_key, text, None)
        return sealed

    def run(self) -> None:
        self.verify_chain()
        kid = self.pseudonym_keys()
        trace_key = self.cases(kid)
        self.records(kid, trace_key)
        self.history(trace_key)
        self.log(kid, trace_key)
        self.rechain()

    def verify_chain(self) -> None:
        for g, in self.q("SELECT gemeente FROM chain_heads").fetchall():
            prev = GENESIS
            for r in self.q("SELECT * FROM history WHERE gemeente = :g ORDER BY chain_n",
                            g=g).mappings():
                h = entry_hash(prev, g, r["chain_n"], r["case_id"], _dt(r["at"]), r["step"],
                               bool(r["allowed"]), r["code"], r["actor"], r["trace_id"],
                               r["idempotency_key"], r["decision"], r["content_digest"])
                content_ok = r["content"] is None or hashlib.sha256(
                    bytes.fromhex(r["content_salt"] or "") + r["content"].encode()
                ).hexdigest() == r["content_digest"]
                if h != r["entry_hash"] or r["prev_hash"] != prev or not content_ok:
                    raise DatabaseError(
                        f"de hash-keten van gemeente {g} is gebroken bij regel {r['chain_n']}; "
                        "versleutelen zou dat verbergen: onderzoek het eerst met "
                        "'wams audit verify'")
                prev = h

    def pseudonym_keys(self) -> dict[str, str]:
        """Move each municipality's pseudonym key into the key store; returns its key id."""
        adopt = getattr(self.keys, "adopt", None)
        kid: dict[str, str] = {}
        for g, key in self.q("SELECT gemeente, key FROM tenant_keys").fetchall():
            if adopt is None:
                raise DatabaseError(f"de sleutelopslag {self.keys.describe()} kan geen bestaande "
                                   "pseudoniemsleutel overnemen; migreer met een sleutelbestand")
            kid[g] = adopt(g, "pseudonym", bytes.fromhex(key)).id
        for table in ("processing_log", "involvements", "meldingen"):
            for g, k in kid.items():
                self.q(f"UPDATE {table} SET subject = :k || ':' || subject "  # noqa: S608
                       "WHERE gemeente = :g", k=k, g=g)
        return kid

    def cases(self, kid: dict[str, str]) -> dict[str, str | None]:
        """Seal each case's state; returns trace id → data key of every history entry of a
        case (None: the case is destroyed)."""
        trace_key: dict[str, str | None] = {}
        for r in self.q("SELECT id, gemeente, destroyed_on, state FROM cases").mappings():
            state = json.loads(r["state"])
            _prefix_subjects(state, kid, r["gemeente"])
            text = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
            dk = None
            if r["destroyed_on"] is None:
                dk = self.data_keys.create(self.store, r["gemeente"])
                text = self.seal(dk, text)
            self.q("UPDATE cases SET state = :s, data_key = :k WHERE id = :i",
                   s=text, k=dk, i=r["id"])
            for (trace,) in self.q("SELECT trace_id FROM history WHERE case_id = :i",
                                   i=r["id"]):
                trace_key[trace] = dk
        return trace_key

    def records(self, kid: dict[str, str], trace_key: dict[str, str | None]) -> None:
        """Betrokkenheid and meldingen: a data key each; the identity (only in the old
        history content) and the service / worry / reporter's name sealed under it."""
        for step, table in (("betrokkenheid", "involvements"), ("melding", "meldingen")):
            by_at = {(h["gemeente"], str(h["at"])): h for h in self.q(
                "SELECT gemeente, at, trace_id, content FROM history WHERE step = :s "
                "AND allowed = :t AND case_id IS NULL", s=step, t=True).mappings()}
            for r in self.q(f"SELECT * FROM {table}").mappings():  # noqa: S608
                h = by_at.get((r["gemeente"], str(r["at"])))
                command = json.loads(h["content"]) if h and h["content"] else {}
                dk = self.data_keys.create(self.store, r["gemeente"])
                if table == "involvements":
                    content = {"persoon": command.get("persoon"), "dienst": r["dienst"]}
                else:
                    content = {"over": command.get("over"), "zorg": r["zorg"]}
                self.q(f"UPDATE {table} SET data_key = :k, content = :c "  # noqa: S608
                       "WHERE id = :i", k=dk, i=r["id"],
                       c=self.seal(dk, json.dumps(content, ensure_ascii=False)))
                if h is not None:
                    trace_key[h["trace_id"]] = dk
                if table == "meldingen":
                    naam = self.q("SELECT naam FROM melders WHERE melding_id = :i",
                                  i=r["id"]).scalar()
                    if naam is not None:
                        self.q("UPDATE melders SET naam = :n WHERE melding_id = :i",
                               n=self.seal(dk, naam), i=r["id"])
        # Passing a melding on belongs to the melding.
        keys = dict(self.q("SELECT id, data_key FROM meldingen").fetchall())
        for h in self.q("SELECT trace_id, content FROM history WHERE step = "
                        "'melding_doorgeven' AND content IS NOT NULL").mappings():
            trace_key[h["trace_id"]] = keys.get(json.loads(h["content"]).get("melding"))

    def history(self, trace_key: dict[str, str | None]) -> None:
        from wams.core.law.reasons import reason
        for r in self.q("SELECT seq, code, trace_id, decision, content FROM history"
                        ).mappings():
            decision = json.loads(r["decision"])
            message = decision.pop("message", "")
            base = reason(r["code"]).message
            detail = message[len(base):].strip() or None if message.startswith(base) \
                else message or None
            decision.pop("report", None)
            dk = trace_key.get(r["trace_id"])
            content = None
            if dk is not None and (r["content"] is not None or detail):
                command = _strip(json.loads(r["content"])) if r["content"] else None
                body = {"command": command, "detail": detail} if r["content"] is not None \
                    else {"detail": detail}
                content = self.seal(dk, json.dumps(body, ensure_ascii=False,
                                                   separators=(",", ":")))
            digest = hashlib.sha256(content.encode()).hexdigest() if content is not None \
                else None
            self.q("UPDATE history SET decision = :d, content = :c, content_salt = NULL, "
                   "content_digest = COALESCE(:g, content_digest) WHERE seq = :s",
                   d=json.dumps(decision, ensure_ascii=False, separators=(",", ":")),
                   c=content, g=digest if digest is not None else
                   (EMPTY_DIGEST if r["content"] is not None else None), s=r["seq"])

    def log(self, kid: dict[str, str], trace_key: dict[str, str | None]) -> None:
        for r in self.q("SELECT id, trace_id, operation, name, case_id, purpose "
                        "FROM processing_log").mappings():
            if r["trace_id"] in trace_key:
                dk = trace_key[r["trace_id"]]
                purpose = self.seal(dk, r["purpose"]) if dk is not None else \
                    r["purpose"] if r["operation"] == "destroy" else DESTROYED_PURPOSE
            elif r["name"].startswith("inzage:"):
                purpose = INZAGE_PURPOSE  # the caller's purpose of an access report
            elif r["case_id"] is not None:
                purpose = DESTROYED_PURPOSE  # raadplegen: its case is gone or sealed now
                dk = self.q("SELECT data_key FROM cases WHERE id = :i",
                            i=r["case_id"]).scalar()
                if dk is not None:
                    purpose = self.seal(dk, r["purpose"])
            else:
                continue
            self.q("UPDATE processing_log SET purpose = :p WHERE id = :i",
                   p=purpose, i=r["id"])

    def rechain(self) -> None:
        for g, in self.q("SELECT gemeente FROM chain_heads").fetchall():
            prev, n = GENESIS, 0
            for r in self.q("SELECT * FROM history WHERE gemeente = :g ORDER BY chain_n",
                            g=g).mappings():
                h = entry_hash(prev, g, r["chain_n"], r["case_id"], _dt(r["at"]), r["step"],
                               bool(r["allowed"]), r["code"], r["actor"], r["trace_id"],
                               r["idempotency_key"], r["decision"], r["content_digest"])
                self.q("UPDATE history SET prev_hash = :p, entry_hash = :h WHERE seq = :s",
                       p=prev, h=h, s=r["seq"])
                prev, n = h, r["chain_n"]
            self.q("UPDATE chain_heads SET chain_n = :n, entry_hash = :h WHERE gemeente = :g",
                   n=n, h=prev, g=g)


def _dt(value: Any) -> Any:
    import datetime as dt
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
