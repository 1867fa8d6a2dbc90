"""Repeat referrals: misspellings, swapped names and a changed address still find the earlier contact."""

import datetime as dt

from sqlalchemy import select

from forms import examples
from mash.models import RepeatMatch
from tests.staff_support import create_contact

LONDON = dt.UTC
EARLIER = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
DOB = "2019-05-14"


def child(**kw):
    base = {"born": "yes", "first_name": "Jayden", "last_name": "Morris", "date_of_birth": DOB, "gender": "boy",
            "postcode": "RG40 1AA"}
    base.update(kw)
    return base


def refer(db_session, at, **child_kw):
    return create_contact(db_session, answers=examples.professional_concern(children=[child(**child_kw)]),
                          received_at=at)


def matches(db_session, contact):
    return db_session.scalars(select(RepeatMatch).where(RepeatMatch.contact_id == contact.id)).all()


def test_the_same_child_is_found(db_session):
    first = refer(db_session, EARLIER)
    second = refer(db_session, LATER)
    [match] = matches(db_session, second)
    assert match.earlier_contact_id == first.id and match.status == "suggested"
    assert "same date of birth" in match.reasons and "same postcode" in match.reasons


def test_a_misspelt_name_at_a_new_address_is_found_by_date_of_birth(db_session):
    first = refer(db_session, EARLIER)
    second = refer(db_session, LATER, first_name="Jaydon", last_name="Moris", postcode="RG41 2YA")
    assert [m.earlier_contact_id for m in matches(db_session, second)] == [first.id]


def test_swapped_first_and_last_names_are_found(db_session):
    first = refer(db_session, EARLIER)
    second = refer(db_session, LATER, first_name="Morris", last_name="Jayden", date_of_birth="2019-05-15")
    [match] = matches(db_session, second)
    assert match.earlier_contact_id == first.id and "same postcode" in match.reasons


def test_a_different_child_at_the_same_address_is_not_suggested(db_session):
    refer(db_session, EARLIER)
    sibling = refer(db_session, LATER, first_name="Amelia", gender="girl", date_of_birth="2021-01-09")
    assert matches(db_session, sibling) == []


def test_only_the_last_twelve_months_count(db_session):
    refer(db_session, LATER - dt.timedelta(days=400))
    second = refer(db_session, LATER)
    assert matches(db_session, second) == []


def test_unborn_babies_are_not_matched_on_nothing(db_session):
    unborn = {"born": "no", "mother_name": "Kelly Morris", "due_date": "2027-03-01"}
    create_contact(db_session, answers=examples.professional_concern(children=[unborn]), received_at=EARLIER)
    second = create_contact(db_session, answers=examples.professional_concern(children=[unborn]), received_at=LATER)
    assert matches(db_session, second) == []


def test_a_child_referred_many_times_gets_the_best_few_suggestions_not_all(db_session):
    from mash.repeats import MAX_SUGGESTIONS

    for day in range(MAX_SUGGESTIONS + 3):
        refer(db_session, EARLIER + dt.timedelta(days=day))
    latest = refer(db_session, LATER)
    assert len(matches(db_session, latest)) == MAX_SUGGESTIONS
