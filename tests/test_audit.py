"""The audit trail: hash-chained, append-only in the database, and checked by `frontdoor audit verify`."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from mash import audit
from store.db import make_engine, make_sessionmaker


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
