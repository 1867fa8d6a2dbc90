"""`frontdoor search reindex`: rows stored before migrations 0023 and 0026 get the search indexes those added."""

from sqlalchemy import select, update

from mash.models import Child, DomesticAbuseChild, DomesticAbuseNotification, HouseholdMember, MissingEpisode
from mash.reindex import reindex
from portal.demo import load_demo_contacts
from portal.police_api import load_demo_notifications

COLUMNS = {Child: ("name_sound_index",), DomesticAbuseChild: ("name_sound_index",),
           DomesticAbuseNotification: ("postcode_index",),
           MissingEpisode: ("name_sound_index", "first_name_index", "date_of_birth_index", "postcode_index")}


def _indexes(session):
    return {(model.__tablename__, column): sorted(str(v) for v in session.scalars(select(getattr(model, column))))
            for model, columns in COLUMNS.items() for column in columns}


def test_reindex_fills_the_indexes_a_migration_could_not_and_changes_nothing_else(db_session):
    load_demo_contacts(db_session)
    load_demo_notifications(db_session)
    db_session.commit()
    expected = _indexes(db_session)
    assert all(any(v != "None" for v in values) for values in expected.values())  # the demo has each kind
    for model, columns in COLUMNS.items():  # as a row stored before the migration has them
        db_session.execute(update(model.__table__).values({c: None for c in columns}))  # no validator runs
    db_session.commit()
    db_session.expire_all()
    assert _indexes(db_session) != expected
    done = reindex(db_session, batch=2)  # batches smaller than the tables
    db_session.expire_all()
    assert _indexes(db_session) == expected
    assert {d.table: d.rows for d in done}["children"] == db_session.query(Child).count()


def test_reindex_copies_a_households_phones_from_the_referral_onto_its_rows(db_session):
    """Migration 0028: household rows stored before it have no phone; the referral's answers do."""
    load_demo_contacts(db_session)
    db_session.commit()
    before = sorted((m.contact_id, m.position, m.phone, m.phone_index) for m in db_session.scalars(
        select(HouseholdMember)) if m.phone)
    assert before  # the demo's professional referral gives the mother's phone
    db_session.execute(update(HouseholdMember.__table__).values(phone=None, phone_index=None))
    db_session.commit()
    db_session.expire_all()
    done = {d.table: d.rows for d in reindex(db_session, batch=1)}
    db_session.expire_all()
    after = sorted((m.contact_id, m.position, m.phone, m.phone_index) for m in db_session.scalars(
        select(HouseholdMember)) if m.phone)
    assert after == before and done["household_members"] == len(before)
    assert reindex(db_session)[-1].rows == 0  # once is enough: nothing is copied twice


def test_the_command_says_how_many_rows_and_no_value(app, db_session):
    load_demo_contacts(db_session)
    db_session.commit()
    from portal.cli import cli

    result = app.test_cli_runner().invoke(cli, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Search indexes filled: contacts 3, children" in result.output
    assert "Jayden" not in result.output and "Morris" not in result.output
