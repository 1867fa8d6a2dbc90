"""The audit trail: hash-chained, append-only in the database, and checked by `frontdoor audit verify`."""

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from mash import audit
from mash.audit import GENESIS, _digest
from mash.models import AuditEvent
from store.db import make_engine, make_sessionmaker
from store.migrate import upgrade


def write_events(session, n, contact_id=None):
    for i in range(n):
        audit.record(session, event="contact.viewed", actor=f"staff:{i}", contact_id=contact_id,
                     details={"n": i})
    session.commit()


def test_an_intact_chain_verifies(db_session):
    write_events(db_session, 25)
    result = audit.verify(db_session, batch=7)
    assert result.ok and result.checked == 25


def test_the_database_refuses_to_update_or_delete_audit_rows(db_session):
    write_events(db_session, 2)
    for statement in ("UPDATE audit_events SET actor = 'someone else' WHERE seq = 1",
                      "DELETE FROM audit_events WHERE seq = 2"):
        with pytest.raises(DatabaseError, match="append-only"):
            db_session.execute(text(statement))
        db_session.rollback()
    assert audit.verify(db_session).ok


def _tamper(session, statement):
    """An attacker with the database owner's rights drops the guard, edits, and puts the guard back."""
    session.execute(text("DROP TRIGGER audit_events_no_update"))
    session.execute(text("DROP TRIGGER audit_events_no_delete"))
    session.execute(text(statement))
    session.commit()


def test_an_edited_row_is_found(db_session):
    write_events(db_session, 10)
    _tamper(db_session, "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 4")
    result = audit.verify(db_session)
    assert not result.ok and result.first_broken_seq == 4 and result.checked == 3
    assert "contents" in result.problem


def test_a_deleted_row_is_found(db_session):
    write_events(db_session, 10)
    _tamper(db_session, "DELETE FROM audit_events WHERE seq = 6")
    result = audit.verify(db_session)
    assert not result.ok and result.first_broken_seq == 6 and "missing" in result.problem


def test_a_deleted_newest_row_is_found(db_session):
    write_events(db_session, 5)
    _tamper(db_session, "DELETE FROM audit_events WHERE seq = 5")
    result = audit.verify(db_session)
    assert not result.ok and result.first_broken_seq == 5


def test_concurrent_writers_keep_one_chain(database_url):
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    errors = []

    def worker(n):
        try:
            with sessions() as session:
                for i in range(20):
                    audit.record(session, event="contact.viewed", actor=f"staff:{n}", details={"i": i})
                    session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as session:
        result = audit.verify(session)
    assert result.ok and result.checked == 80
    engine.dispose()


# --- the keyed chain (issue 11) ------------------------------------------------------------------------------

RELINKED = "UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"
UNKEYED = "UPDATE audit_events SET prev_hash = :p, hash = :h, key_id = NULL WHERE seq = :s"


def _recompute_plain_chain(session, from_seq, *, drop_key=False):
    """What an attacker without the key can do after editing a row: recompute every later hash as plain
    SHA-256 (the old, unkeyed chain), and the head to match."""
    rows = session.execute(text("SELECT seq, at, event, actor, contact_id, reason, details, prev_hash "
                                "FROM audit_events ORDER BY seq")).all()
    prev = GENESIS
    for r in rows:
        if r.seq >= from_seq:
            at = r.at if isinstance(r.at, dt.datetime) else dt.datetime.fromisoformat(r.at)
            details = r.details if isinstance(r.details, dict) else json.loads(r.details)
            digest = _digest(prev, r.seq, at.replace(tzinfo=at.tzinfo or dt.UTC), r.event, r.actor, r.contact_id,
                             r.reason, details)
            session.execute(text(UNKEYED if drop_key else RELINKED), {"p": prev, "h": digest, "s": r.seq})
            prev = digest
        else:
            prev = session.scalar(text("SELECT hash FROM audit_events WHERE seq = :s"), {"s": r.seq})
    session.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
    session.commit()


def test_an_edit_with_the_plain_sha256_chain_recomputed_is_found(db_session):
    write_events(db_session, 10)
    _tamper(db_session, "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 4")
    _recompute_plain_chain(db_session, 4)
    result = audit.verify(db_session)
    assert not result.ok and result.first_broken_seq == 4 and "contents" in result.problem


def test_an_edit_passed_off_as_an_event_from_before_the_key_is_found(db_session):
    write_events(db_session, 10)
    _tamper(db_session, "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 4")
    _recompute_plain_chain(db_session, 4, drop_key=True)
    result = audit.verify(db_session)
    assert not result.ok and result.first_broken_seq == 4 and "carries no key" in result.problem


def test_moving_the_unkeyed_boundary_is_caught_by_a_checkpoint(db_session):
    write_events(db_session, 10)
    mark = audit.checkpoint(db_session)
    _tamper(db_session, "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 4")
    _recompute_plain_chain(db_session, 4, drop_key=True)
    db_session.execute(text("UPDATE audit_head SET legacy_seq = 10"))
    db_session.commit()
    assert audit.verify(db_session).ok  # inside the database alone, this rewrite cannot be told apart
    result = audit.verify(db_session, checkpoint=mark)
    assert not result.ok and result.first_broken_seq == 4 and "carries no key" in result.problem


def test_a_wrong_or_missing_key_fails(db_session):
    write_events(db_session, 3)
    wrong = audit.verify(db_session, keys=audit.AuditKeys.parse(["test1:" + "b" * 40]))
    assert not wrong.ok and wrong.first_broken_seq == 1 and "contents" in wrong.problem
    missing = audit.verify(db_session, keys=audit.AuditKeys.parse(["other:" + "a" * 40]))
    assert not missing.ok and missing.first_broken_seq == 1 and "'test1'" in missing.problem


def test_nothing_is_written_without_a_key(db_session, monkeypatch):
    monkeypatch.setattr(audit, "_keys", None)
    with pytest.raises(audit.AuditKeyError):
        audit.record(db_session, event="contact.viewed", actor="staff:1")


@pytest.mark.parametrize("spec", ["", "nokey", "k1:short", "bad id:" + "a" * 40, f"k1:{'a' * 40},k1:{'b' * 40}"])
def test_malformed_keys_are_refused_without_echoing_them(spec):
    with pytest.raises(audit.AuditKeyError) as refused:
        audit.AuditKeys.parse(spec)
    assert "a" * 40 not in str(refused.value)


def test_rotation_new_events_take_the_first_key_and_both_verify(db_session):
    write_events(db_session, 3)
    audit.configure_keys(["test2:" + "c" * 40, "test1:" + "a" * 40])  # the new key first, the old kept
    write_events(db_session, 2)
    assert audit.verify(db_session).ok and audit.verify(db_session).checked == 5
    signers = list(db_session.scalars(text("SELECT key_id FROM audit_events ORDER BY seq")))
    assert signers == ["test1"] * 3 + ["test2"] * 2
    audit.configure_keys(["test2:" + "c" * 40])  # the old key removed too soon
    result = audit.verify(db_session)
    assert not result.ok and result.first_broken_seq == 1


def test_a_checkpoint_round_trip(db_session, tmp_path):
    write_events(db_session, 5)
    mark = audit.checkpoint(db_session, now=dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    assert (mark.seq, mark.at, mark.key_id) == (5, "2026-12-08T09:00:00+00:00", "test1")
    path = tmp_path / "checkpoint.json"
    path.write_text(mark.to_text() + "\n")
    write_events(db_session, 2)  # the chain may grow past a checkpoint
    for given in (str(path), mark.to_text()):
        result = audit.verify(db_session, checkpoint=audit.Checkpoint.load(given))
        assert result.ok and result.checked == 7


def test_a_forged_checkpoint_is_refused(db_session):
    write_events(db_session, 5)
    mark = audit.checkpoint(db_session)
    forged = audit.Checkpoint(3, mark.hash, mark.at, mark.legacy_until, mark.key_id, mark.mac)
    result = audit.verify(db_session, checkpoint=forged)
    assert not result.ok and "not signed" in result.problem


def test_a_chain_cut_short_after_a_checkpoint_is_caught(db_session):
    write_events(db_session, 10)
    mark = audit.checkpoint(db_session)
    write_events(db_session, 2)
    hash7 = db_session.scalar(text("SELECT hash FROM audit_events WHERE seq = 7"))
    _tamper(db_session, "DELETE FROM audit_events WHERE seq > 7")
    db_session.execute(text("UPDATE audit_head SET seq = 7, last_hash = :h"), {"h": hash7})  # the head hidden too
    db_session.commit()
    assert audit.verify(db_session).ok  # cut cleanly, the chain alone cannot know
    result = audit.verify(db_session, checkpoint=mark)
    assert not result.ok and result.first_broken_seq == 8 and "removed" in result.problem


def test_a_broken_chain_is_never_checkpointed(db_session):
    write_events(db_session, 5)
    _tamper(db_session, "UPDATE audit_events SET actor = 'staff:99' WHERE seq = 2")
    with pytest.raises(audit.CheckpointError, match="event 2"):
        audit.checkpoint(db_session)


def test_the_cli_prints_a_checkpoint_and_verifies_against_it(app, tmp_path):
    with app.app_context(), app.extensions["frontdoor.sessionmaker"]() as session:
        write_events(session, 4)
    from portal.cli import cli

    runner = app.test_cli_runner()
    printed = runner.invoke(cli, ["audit", "checkpoint"])
    assert printed.exit_code == 0, printed.output
    mark = audit.Checkpoint.from_text(printed.output.strip())
    assert mark.seq == 4
    checked = runner.invoke(cli, ["audit", "verify", "--checkpoint", printed.output.strip()])
    assert checked.exit_code == 0 and "matches the checkpoint at event 4" in checked.output
    forged = mark.to_text().replace('"seq":4', '"seq":9')
    refused = runner.invoke(cli, ["audit", "verify", "--checkpoint", forged])
    assert refused.exit_code == 1 and "not signed" in refused.output


def test_events_from_before_the_key_verify_up_to_the_recorded_boundary(tmp_path):
    """A database upgraded from 0011 keeps its unkeyed events as they were; new ones are signed after them."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0011")
    engine = make_engine(url)
    prev = GENESIS
    at = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:  # written exactly as the unkeyed writer wrote them
        for seq in (1, 2, 3):
            digest = _digest(prev, seq, at, "contact.viewed", "staff:1", None, None, {})
            conn.execute(text("INSERT INTO audit_events (seq, at, event, actor, details, prev_hash, hash) "
                              "VALUES (:s, :at, 'contact.viewed', 'staff:1', '{}', :p, :h)"),
                         {"s": seq, "at": at.replace(tzinfo=None), "p": prev, "h": digest})
            prev = digest
        conn.execute(text("UPDATE audit_head SET seq = 3, last_hash = :h"), {"h": prev})
    upgrade(url)
    with make_sessionmaker(engine)() as session:
        write_events(session, 2)
        result = audit.verify(session)
        assert result.ok and (result.checked, result.unkeyed, result.legacy_until) == (5, 3, 3)
        # An old event edited and the plain chain recomputed: the first signed event no longer links.
        _tamper(session, "UPDATE audit_events SET actor = 'staff:2' WHERE seq = 2")
        _recompute_plain_chain(session, 2, drop_key=True)
        result = audit.verify(session)
        assert not result.ok and result.first_broken_seq == 4
    engine.dispose()


def test_events_are_written_at_commit_and_forgotten_on_rollback(db_session):
    audit.record(db_session, event="contact.viewed", actor="staff:1")
    db_session.rollback()
    write_events(db_session, 1)
    assert db_session.scalar(text("SELECT count(*) FROM audit_events")) == 1
    audit.record(db_session, event="contact.viewed", actor="staff:2")
    # Read back in the same transaction, as the staff pages do: the event is there, chained.
    seen = db_session.scalars(select(AuditEvent.actor).order_by(AuditEvent.seq)).all()
    assert seen == ["staff:0", "staff:2"]
    db_session.commit()
    assert audit.verify(db_session).ok


def _many_writers(sessions, writers=8, each=25):
    """Writers at once, each event its own transaction beside a change of the writer's own, some in pairs."""
    errors = []
    barrier = threading.Barrier(writers)

    def worker(n):
        try:
            with sessions() as session:
                barrier.wait()
                for i in range(each):
                    entries = [audit.Entry("contact.viewed", f"staff:{n}", details={"i": i})]
                    if i % 5 == 0:
                        entries.append(audit.Entry("contact.released", f"staff:{n}", details={"i": i}))
                    audit.append(session, entries)
                    session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    expected = writers * (each + each // 5)
    with sessions() as session:
        result = audit.verify(session)
        seqs = list(session.scalars(text("SELECT seq FROM audit_events ORDER BY seq")))
    assert result.ok and result.checked == expected, result
    assert seqs == list(range(1, expected + 1))  # gap-free


def test_many_writers_at_once_keep_a_gap_free_chain_sqlite(database_url):
    engine = make_engine(database_url)
    _many_writers(make_sessionmaker(engine))
    engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_many_writers_at_once_keep_a_gap_free_chain_postgres(pg_url):
    engine = make_engine(pg_url, pool_size=10, max_overflow=0)
    _many_writers(make_sessionmaker(engine), writers=8, each=50)
    engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_the_plain_sha256_recomputation_is_found_on_postgres(pg_url):
    engine = make_engine(pg_url)
    with make_sessionmaker(engine)() as session:
        write_events(session, 6)
        session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))  # the owner's way round the guard
        session.execute(text("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3"))
        session.commit()
        _recompute_plain_chain(session, 3, drop_key=True)
        result = audit.verify(session)
        assert not result.ok and result.first_broken_seq == 3
    engine.dispose()


def test_the_app_refuses_to_start_without_a_good_audit_key(database_url, tmp_path):
    from portal import create_app
    from portal.config import ConfigError
    from tests.conftest import app_config

    with pytest.raises(ConfigError, match="AUDIT_HMAC_KEYS"):
        create_app(app_config(database_url, tmp_path, AUDIT_HMAC_KEYS=[]))
    with pytest.raises(audit.AuditKeyError):
        create_app(app_config(database_url, tmp_path, AUDIT_HMAC_KEYS=["k1:too-short"]))


def test_development_settings_include_an_audit_key():
    from portal.cli import development_settings

    keys = audit.AuditKeys.parse(development_settings()["AUDIT_HMAC_KEYS"])
    assert keys.signing[0] == "dev1" and len(keys.signing[1]) >= 32
