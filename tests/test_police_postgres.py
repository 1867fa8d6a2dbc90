"""Issue 6 on PostgreSQL: the migration, household and child matching with row values, the triage keyset, stats."""

import pytest

from mash import police, stats
from mash.models import DomesticAbuseNotification
from store.db import make_engine, make_sessionmaker
from tests.police_support import NOW, da, missing, receive
from tests.staff_support import create_contact

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_notifications_triage_and_figures_on_postgres(pg_url):
    engine = make_engine(pg_url)
    try:
        with make_sessionmaker(engine)() as session:
            contact = create_contact(session)
            dob = contact.children[0].date_of_birth
            first = receive(session, da(grade="medium", ticks=11, occurred_at="2026-06-01T20:00"))
            receive(session, da(grade="standard", ticks=2, occurred_at="2026-09-01T20:00", address="9 Else Rd",
                                postcode="RG9 9AA", children=[{"first_name": "Jayden", "last_name": "Morris",
                                                               "date_of_birth": "2019-05-01"}]))
            third = receive(session, da(grade="standard", ticks=3, children=[
                {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01"},
                {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": dob}]))
            receive(session, missing())
            n = session.get(DomesticAbuseNotification, third.id)
            assert n.household_count == 3 and n.rag == "red" and n.routed_contact_id == contact.id
            page = police.triage_page(session, size=2)
            assert [x.id for x in page.notifications] == [third.id, first.id]
            rest = police.triage_page(session, after=page.next_cursor, size=2)
            assert len(rest.notifications) == 1 and rest.next_cursor is None
            figures = stats.police_figures(session, NOW)
            assert figures.notifications == 3 and figures.missing_episodes == 1
    finally:
        engine.dispose()
