"""Data keys and webhook subscriptions are in the keyed chain (both backends).

A DBA with write access and no keys: deletes, forges or renumbers a data key row, adds a
subscription that sends a municipality's events to his own address, redirects or removes one.
Each is a break of ``wams audit verify`` naming the row; what wams itself does (destroying a
case and a melding, subscribing, rotating a secret, unsubscribing) keeps the chain intact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from click.testing import CliRunner

from tests.helpers import G, ok, raw_sql
from wams.cli import cli
from wams.core import commands as c
from wams.core.clock import Clock
from wams.core.model import Persoon

JAN = Persoon(ref="jan", rol="client", bsn="123456782", naam="Jan Keten",
              geboortedatum=dt.date(1985, 4, 12))
URL = "https://ontvanger.example.nl/wams"


def _verify(db_url: str) -> Any:
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert "interne fout" not in result.output and "Traceback" not in result.output
    return result


def _broken(db_url: str) -> str:
    result = _verify(db_url)
    assert result.exit_code == 1, result.output
    return str(result.output)


def _intact(db_url: str) -> None:
    result = _verify(db_url)
    assert result.exit_code == 0, result.output


def _case(w: Any) -> str:
    d = ok(w.hulpvraag(G, wet="participatiewet", client=JAN, vraag="algemene bijstand",
                       aanleiding="noemt betalingsachterstanden"))
    return str(d.case_id)


def test_destruction_by_wams_keeps_the_data_keys_chain_intact(open_wams: Any,
                                                               db_url: str) -> None:
    clock = Clock(dt.date(2027, 2, 1))
    w = open_wams(clock=clock)
    cid = _case(w)
    ok(w.melding(G, melder=c.Melder("burger", "Buur"), over=JAN, zorg="zorgen"))
    ok(w.sluit(G, cid, terugvalafspraken="geen", reden="cliënt verhuist"))
    w.close()
    keys = raw_sql(db_url, "SELECT id, chain_n FROM data_keys")
    records = raw_sql(db_url, "SELECT id FROM data_keys WHERE id NOT IN (SELECT data_key "
                      "FROM actors)")  # the case's and the melding's; the rest: actors'
    assert len(records) == 2 and all(n is not None for _, n in keys)  # each named by its entry
    _intact(db_url)
    clock.set(dt.date(2040, 1, 1))
    w = open_wams(clock=clock)
    assert [i["case_id"] for i in w.retention_run(G)] == [cid]
    assert len(w.retention_run_records(G)) == 1
    w.close()
    assert raw_sql(db_url, "SELECT count(*) FROM data_keys WHERE id NOT IN (SELECT "
                   "data_key FROM actors)")[0][0] == 0  # the actors' keys live on
    [(removed,)] = raw_sql(db_url, "SELECT count(*) FROM destroyed_rows WHERE row_table = "
                                "'data_keys'")
    assert removed == 2  # each key's removal recorded, the entries that made them verify
    _intact(db_url)


def test_a_data_key_deleted_forged_or_moved_around_wams_is_caught(open_wams: Any,
                                                                  db_url: str) -> None:
    w = open_wams()
    cid, other = _case(w), _case(w)
    w.close()
    [(key, n)] = raw_sql(db_url, "SELECT d.id, d.chain_n FROM data_keys d JOIN cases c ON "
                              "c.data_key = d.id WHERE c.id = :c", c=cid)
    [(wrapped, kek, period)] = raw_sql(db_url, "SELECT wrapped, kek_id, period FROM data_keys "
                                            "WHERE id = :k", k=key)
    # Deleted: the case destroyed without a proof. The entry that made the key breaks, and
    # the case whose key it was is named too.
    raw_sql(db_url, "DELETE FROM data_keys WHERE id = :k", k=key)
    output = _broken(db_url)
    assert f"regel {n}" in output and "gegevenssleutels" in output, output
    assert f"casus {cid}" in output and "gegevenssleutel" in output, output
    # Put back with another entry's number: still not what that entry committed to.
    raw_sql(db_url, "INSERT INTO data_keys (id, gemeente, kek_id, wrapped, period, chain_n) "
                 "VALUES (:k, :g, :e, :w, :p, :n)", k=key, g=G, e=kek, w=wrapped, p=period,
         n=n + 1)
    assert "gegevenssleutels" in _broken(db_url)
    # Forged without any entry: a row no entry vouches for.
    raw_sql(db_url, "UPDATE data_keys SET chain_n = :n WHERE id = :k", k=key, n=n)
    _intact(db_url)  # control: the row as wams wrote it
    raw_sql(db_url, "INSERT INTO data_keys (id, gemeente, kek_id, wrapped, period) VALUES "
                 "(:k, :g, :e, :w, :p)", k="f" * 32, g=G, e=kek, w=wrapped, p=period)
    assert "gegevenssleutels noemt geen historieregel" in _broken(db_url)
    assert other


def test_subscriptions_by_wams_keep_the_chain_intact_and_any_other_change_is_named(
        open_wams: Any, db_url: str) -> None:
    w = open_wams()
    _case(w)
    sid, _ = w.subscribe(G, URL, steps=["hulpvraag"])
    assert w.rotate_subscription_secret(G, sid)
    gone, _ = w.subscribe(G, URL + "/tweede")
    assert w.unsubscribe(G, gone)
    w.close()
    steps = [r[0] for r in raw_sql(db_url, "SELECT step FROM history ORDER BY chain_n")]
    assert steps.count("abonnement") == 4  # added, rotated, added, removed: each an entry
    _intact(db_url)

    # Redirected: the municipality's events to someone else's address.
    raw_sql(db_url, "UPDATE subscriptions SET url = 'https://elders.example/x' WHERE id = :s",
         s=sid)
    output = _broken(db_url)
    assert f"abonnement {sid}" in output and "wijkt af" in output, output
    raw_sql(db_url, "UPDATE subscriptions SET url = :u WHERE id = :s", u=URL, s=sid)
    _intact(db_url)
    # The delivery position is no part of it (it moves on every delivery).
    raw_sql(db_url, "UPDATE subscriptions SET delivered_n = 0 WHERE id = :s", s=sid)
    _intact(db_url)
    # Added around wams.
    [(created,)] = raw_sql(db_url, "SELECT created_at FROM subscriptions WHERE id = :s", s=sid)
    raw_sql(db_url, "INSERT INTO subscriptions (gemeente, url, created_at, delivered_n, "
                 "secret_version) VALUES (:g, 'https://elders.example/y', :t, 0, 1)",
         g=G, t=created)
    [(forged,)] = raw_sql(db_url, "SELECT max(id) FROM subscriptions")
    output = _broken(db_url)
    # (SQLite may hand out the removed subscription's id again: then it differs from the
    # entry that removed it.)
    assert f"abonnement {forged}" in output, output
    assert "ingevoegd" in output or (forged == gone and "wijkt af" in output), output
    raw_sql(db_url, "DELETE FROM subscriptions WHERE id = :s", s=forged)
    # Removed around wams.
    raw_sql(db_url, "DELETE FROM subscriptions WHERE id = :s", s=sid)
    output = _broken(db_url)
    assert f"abonnement {sid}" in output and "verwijderd" in output, output


def test_a_number_or_flag_that_is_text_is_named_by_its_row(open_wams: Any,
                                                           db_url: str) -> None:
    """SQLite stores what it is given: a chain number or a flag written as text would end the
    audit in a comparison of text and number; it names the row instead (PostgreSQL refuses
    such values itself)."""
    if not db_url.startswith("sqlite"):
        return
    w = open_wams()
    cid = _case(w)
    w.close()
    [(key,)] = raw_sql(db_url, "SELECT data_key FROM cases WHERE id = :c", c=cid)
    raw_sql(db_url, "UPDATE data_keys SET chain_n = 'een' WHERE id = :k", k=key)
    raw_sql(db_url, "UPDATE history SET allowed = 'ja' WHERE chain_n = 1")
    output = _broken(db_url)
    assert f"data_keys id {key}: chain_n 'een' is geen geheel getal" in output, output
    assert "history seq 1: allowed 'ja' is geen 0 of 1" in output, output


def test_an_access_requests_reference_is_kept_only_as_a_keyed_digest(open_wams: Any,
                                                                    db_url: str) -> None:
    """The reference of an access request belongs to no case (no data key seals it) and the
    log outlives every destruction: it may name the person, so the log keeps a keyed digest
    that whoever holds the reference can find again."""
    from wams.core.privacy.inzage import reference_in_log

    w = open_wams()
    _case(w)
    verzoek = "brief van Jan Keten 123456782"
    report = w.inzage_persoon(G, bsn=JAN.bsn, actor="balie", verzoek=verzoek)
    assert verzoek in report["doel"]  # the person's own report names his request
    logged = reference_in_log(w.engine, G, verzoek)
    w.close()
    stored = [r[0] for r in raw_sql(db_url, "SELECT purpose FROM processing_log WHERE name "
                                            "LIKE 'inzage%'")]
    assert stored == [logged] and "hmac:" in logged, stored
    dump = " ".join(str(v) for table in ("processing_log", "history")
                    for row in raw_sql(db_url, f"SELECT * FROM {table}") for v in row)
    assert "Jan Keten" not in dump and "brief van" not in dump and "123456782" not in dump
    _intact(db_url)


def test_a_ref_that_looks_like_a_name_bsn_or_date_is_refused(open_wams: Any,
                                                             db_url: str) -> None:
    """A ref stays in clear in the history and the log after destruction: a full name, a BSN
    or a date as ref is bad input, and nothing is stored."""
    from wams.core.errors import InputError

    w = open_wams()
    before = raw_sql(db_url, "SELECT count(*) FROM history")[0][0]
    for ref in ("Jan Keten", "123456782", "jan-19850412", "12-04-1985", "1985/4/12"):
        try:
            w.hulpvraag(G, wet="participatiewet", client=Persoon(ref), vraag="bijstand",
                        aanleiding="achterstanden")
        except InputError as exc:
            assert "ref van een persoon" in str(exc) and ref not in str(exc)
        else:
            raise AssertionError(f"ref {ref!r} was accepted")
    assert raw_sql(db_url, "SELECT count(*) FROM history")[0][0] == before
    ok(w.hulpvraag(G, wet="participatiewet", client=Persoon("client-1"), vraag="bijstand",
                   aanleiding="achterstanden"))
    w.close()
