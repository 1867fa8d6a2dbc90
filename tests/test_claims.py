"""Claims: two people can never hold the same contact; abandoned claims come back; 'next' is most urgent."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, insert, select, text

from mash.claims import LEASE, NotYours, StaleContact, bump_version, claim, claim_next, release, require_holder
from mash.models import AuditEvent, Contact
from mash.queue import Cursor, queue_page
from store.crypto import keyring
from store.db import make_engine, make_sessionmaker
from tests.staff_support import create_contact, create_staff

NOW = dt.datetime(2026, 11, 27, 11, 0, tzinfo=dt.UTC)


def bulk_contacts(session, n, *, start=0, rag_cycle=("green", "amber", "red")):
    token = keyring.encrypt("{}")
    ranks = {"red": 0, "amber": 1, "green": 2}
    rows = []
    for i in range(start, start + n):
        rag = rag_cycle[i % len(rag_cycle)]
        due = NOW + dt.timedelta(minutes=(i * 37) % 5000)
        rows.append({"reference": f"FD-2026-{i + 1:06d}", "kind": "concern", "journey": "report", "channel": "web",
                     "status": "new", "received_at": NOW - dt.timedelta(hours=1), "decision_due_at": due,
                     "rag": rag, "risk_rank": ranks[rag], "safety_flags": [], "concern_categories": [],
                     "referral_source": "2A", "referrer_type": "professional", "referrer_anonymous": False,
                     "answers": token, "version": 1})
    session.execute(insert(Contact.__table__), rows)
    session.commit()


def test_the_queue_is_by_risk_then_due_time_never_arrival(db_session):
    user, _ = create_staff(db_session)
    bulk_contacts(db_session, 30)
    page = queue_page(db_session, user, now=NOW, size=30)
    keys = [(c.risk_rank, c.decision_due_at, c.id) for c in page.contacts]
    assert keys == sorted(keys)
    assert [c.rag for c in page.contacts[:10]] == ["red"] * 10


def test_keyset_pages_cover_everything_once(db_session):
    user, _ = create_staff(db_session)
    bulk_contacts(db_session, 123)
    seen, after = [], None
    while True:
        page = queue_page(db_session, user, now=NOW, after=after, size=25)
        seen += [c.id for c in page.contacts]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sorted(seen) == list(range(1, 124)) and len(seen) == len(set(seen))


def test_a_malformed_cursor_shows_the_first_page(db_session):
    user, _ = create_staff(db_session)
    bulk_contacts(db_session, 3)
    assert Cursor.decode("1.x.3") is None and Cursor.decode("9" * 400) is None
    assert len(queue_page(db_session, user, after="garbage", now=NOW).contacts) == 3


def test_filters(db_session):
    me, _ = create_staff(db_session)
    other, _ = create_staff(db_session)
    bulk_contacts(db_session, 6)
    claim(db_session, 1, me, now=NOW)
    claim(db_session, 2, other, now=NOW)
    db_session.execute(text("UPDATE contacts SET status = 'awaiting_signoff' WHERE id = 3"))
    db_session.commit()
    ids = lambda view, now=NOW: {c.id for c in queue_page(db_session, me, view=view, now=now).contacts}  # noqa: E731
    assert ids("mine") == {1}
    assert ids("unclaimed") == {4, 5, 6}
    assert ids("awaiting_signoff") == {3}
    late = NOW + dt.timedelta(days=10)
    assert ids("overdue", late) == {1, 2, 4, 5, 6}
    assert ids("unclaimed", late) == {1, 2, 4, 5, 6}  # leases have run out by then


def test_two_people_cannot_hold_one_contact_and_leases_expire(db_session):
    a, _ = create_staff(db_session)
    b, _ = create_staff(db_session)
    bulk_contacts(db_session, 1)
    assert claim(db_session, 1, a, now=NOW)
    assert not claim(db_session, 1, b, now=NOW + dt.timedelta(minutes=5))
    assert claim(db_session, 1, b, now=NOW + LEASE + dt.timedelta(seconds=1))
    contact = db_session.get(Contact, 1)
    db_session.refresh(contact)
    with pytest.raises(NotYours):
        require_holder(contact, a, now=NOW + LEASE + dt.timedelta(minutes=1))


def test_release_returns_it_to_the_queue(db_session):
    a, _ = create_staff(db_session)
    bulk_contacts(db_session, 1)
    claim(db_session, 1, a, now=NOW)
    contact = db_session.get(Contact, 1)
    db_session.refresh(contact)
    release(db_session, contact, a, now=NOW)
    db_session.commit()
    assert claim_next(db_session, a, now=NOW) == 1


def test_next_hands_over_the_most_urgent(db_session):
    user, _ = create_staff(db_session)
    bulk_contacts(db_session, 9)
    first = claim_next(db_session, user, now=NOW)
    assert db_session.get(Contact, first).rag == "red"


def _lapsed_lease_comes_back_first(session):
    a, _ = create_staff(session)
    b, _ = create_staff(session)
    bulk_contacts(session, 6)  # red: 3 (due first), then 6; amber 2, 5; green 1, 4
    assert claim_next(session, a, now=NOW) == 3
    session.commit()
    assert claim_next(session, b, now=NOW) == 6  # a holds 3
    session.commit()
    # a walked away: once the lease has run out, 3 is again the most urgent claimable contact, ahead of free ones.
    later = NOW + LEASE + dt.timedelta(seconds=1)
    assert claim_next(session, b, now=later) == 3
    session.commit()
    assert claim_next(session, a, now=later) == 6  # b's first lease has run out too
    session.commit()
    assert claim_next(session, a, now=later) == 2
    session.commit()
    holders = dict(session.execute(select(Contact.id, Contact.claimed_by_id).where(Contact.id.in_([2, 3, 6]))).all())
    assert holders == {3: b.id, 6: a.id, 2: a.id}
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.event == "contact.claimed")) == 5


def test_next_takes_back_a_lapsed_lease_in_queue_order(db_session):
    _lapsed_lease_comes_back_first(db_session)


@pytest.mark.slow
@pytest.mark.postgres
def test_next_takes_back_a_lapsed_lease_in_queue_order_on_postgres(pg_url):
    engine = make_engine(pg_url)
    with make_sessionmaker(engine)() as session:
        _lapsed_lease_comes_back_first(session)
    engine.dispose()


def test_next_says_nothing_waiting_only_when_nothing_is(db_session):
    user, _ = create_staff(db_session)
    bulk_contacts(db_session, 2)
    db_session.execute(text("UPDATE contacts SET status = 'awaiting_signoff' WHERE id = 1"))
    db_session.commit()
    assert claim_next(db_session, user, now=NOW) == 2
    db_session.commit()
    assert claim_next(db_session, user, now=NOW) is None  # 1 is not screening; 2 is held, by this practitioner


def test_a_stale_form_is_refused(db_session):
    user, _ = create_staff(db_session)
    contact = create_contact(db_session)
    with pytest.raises(StaleContact):
        bump_version(db_session, contact, contact.version - 1)
    bump_version(db_session, contact, contact.version)
    db_session.commit()
    assert contact.version == 2


def _race(url, n_contacts):
    engine = make_engine(url, pool_size=10) if url.startswith("postgresql") else make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        users = [create_staff(session)[0] for _ in range(8)]
        bulk_contacts(session, n_contacts)
    errors, counts = [], [0] * 8

    def worker(i):
        try:
            with sessions() as session:
                user = session.merge(users[i])
                while True:
                    got = claim_next(session, user, now=NOW)
                    session.commit()
                    if got is None:
                        # "Nothing waiting" must be true: no contact may still be free at that moment.
                        left = session.scalar(select(func.count()).select_from(Contact)
                                              .where(Contact.claimed_by_id.is_(None)))
                        if left:
                            errors.append(AssertionError(f"worker {i} was told nothing was waiting; {left} were"))
                        return
                    counts[i] += 1
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sessions() as session:
        claimed = session.scalar(select(func.count()).select_from(Contact).where(Contact.claimed_by_id.is_not(None)))
        events = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.event == "contact.claimed"))
    engine.dispose()
    return errors, counts, claimed, events


def test_eight_workers_claim_a_thousand_contacts_each_exactly_once_on_sqlite(database_url):
    errors, counts, claimed, events = _race(database_url, 1000)
    assert errors == []
    assert sum(counts) == claimed == events == 1000


@pytest.mark.slow
@pytest.mark.postgres
def test_eight_workers_claim_a_thousand_contacts_each_exactly_once_on_postgres(pg_url):
    errors, counts, claimed, events = _race(pg_url, 1000)
    assert errors == []
    assert sum(counts) == claimed == events == 1000
    assert sum(1 for c in counts if c) > 1  # the work really was shared
