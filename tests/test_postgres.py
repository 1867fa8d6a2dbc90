"""The same guarantees on PostgreSQL: migrations, the append-only audit trail, intake and a whole journey."""

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from forms import examples
from forms.referral import REPORT
from mash import audit
from mash.intake import receive_referral
from mash.models import Contact
from store.db import make_engine, make_sessionmaker
from tests.conftest import app_config
from tests.journey_support import walk

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def pg_sessions(pg_url):
    engine = make_engine(pg_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_intake_and_audit_on_postgres(pg_sessions):
    with pg_sessions() as session:
        referral, _ = REPORT.validate(examples.professional_concern())
        contact = receive_referral(session, referral, channel="web", actor="public:web", idempotency_key="k1")
        session.commit()
        again = receive_referral(session, referral, channel="web", actor="public:web", idempotency_key="k1")
        assert again.id == contact.id and contact.reference.endswith("-000001")
        assert audit.verify(session).ok
        raw = session.execute(text("SELECT referrer_name, concern_text FROM contacts")).one()
        assert "Priya" not in raw.referrer_name and "bruising" not in raw.concern_text


def test_postgres_refuses_to_change_audit_rows(pg_sessions):
    with pg_sessions() as session:
        audit.record(session, event="contact.viewed", actor="staff:1")
        session.commit()
        for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events",
                          "TRUNCATE audit_events CASCADE"):
            with pytest.raises(DatabaseError, match="append-only"):
                session.execute(text(statement))
            session.rollback()
        assert audit.verify(session).ok


def test_concurrent_audit_writers_keep_one_chain_on_postgres(pg_sessions):
    errors = []

    def worker(n):
        try:
            with pg_sessions() as session:
                for i in range(25):
                    audit.record(session, event="contact.viewed", actor=f"staff:{n}", details={"i": i})
                    session.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pg_sessions() as session:
        result = audit.verify(session)
    assert result.ok and result.checked == 200


def test_a_whole_web_journey_on_postgres(pg_url, tmp_path, pg_sessions):
    from portal import create_app

    client = create_app(app_config(pg_url, tmp_path)).test_client()
    walk(client, "help", examples.family_help_request())
    with pg_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1
        assert audit.verify(session).ok


def test_two_first_referrals_of_a_year_at_once_get_two_references(pg_sessions):
    import threading as th

    referral, _ = REPORT.validate(examples.professional_concern())
    barrier, references, errors = th.Barrier(2), [], []

    def submit(n):
        try:
            with pg_sessions() as session:
                barrier.wait()
                contact = receive_referral(session, referral, channel="web", actor="public:web",
                                           idempotency_key=f"twin-{n}")
                session.commit()
                references.append(contact.reference)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [th.Thread(target=submit, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(r[-6:] for r in references) == ["000001", "000002"]
