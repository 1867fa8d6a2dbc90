"""Fill the search indexes that migrations 0023, 0026 and 0028 added, for rows stored before them.

A migration cannot compute a blind index (it has no key), so those rows were found only by exact names and
identifiers until written again. Each model keeps its indexes in step through its validators (mash/models.py);
writing each value back to itself runs them. A household's phones (0028) were kept only in the referral's answers:
they are copied onto the household rows, whose validator indexes them. Run once after upgrading:
`frontdoor search reindex`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only, selectinload

from mash.models import Child, Contact, DomesticAbuseChild, DomesticAbuseNotification, HouseholdMember, MissingEpisode

# model -> the attributes whose validators set the indexes added after the rows may have been stored
INDEXED: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (Contact, ("referrer_phone",)), (Child, ("first_name", "last_name")),
    (DomesticAbuseNotification, ("postcode",)), (DomesticAbuseChild, ("first_name", "last_name")),
    (MissingEpisode, ("first_name", "last_name", "date_of_birth", "postcode")))


@dataclass(frozen=True)
class Reindexed:
    table: str
    rows: int


def reindex(session: Session, *, batch: int = 500) -> list[Reindexed]:
    """Rewrite each indexed value through its validator, a batch per transaction (the caller's session).
    Returns how many rows of each table were read: counts only, never a value."""
    done = []
    for model, names in INDEXED:
        count, last = 0, 0
        while True:
            rows = session.scalars(select(model).where(model.id > last).order_by(model.id).limit(batch)).all()
            if not rows:
                break
            for row in rows:
                for name in names:
                    setattr(row, name, getattr(row, name))
            last = rows[-1].id
            count += len(rows)
            session.commit()
            session.expunge_all()  # the decrypted values do not stay in memory past their batch
        done.append(Reindexed(model.__tablename__, count))
    done.append(Reindexed(HouseholdMember.__tablename__, _household_phones(session, batch)))
    return done


def _household_phones(session: Session, batch: int) -> int:
    """Each household row without a phone gets the one its referral gave (intake writes the household's people
    first, in order, so the row at position i is the answers' person i)."""
    count, last = 0, 0
    while True:
        # Only the parents' and carers' rows can have a phone (intake writes them first, from position 0, and only
        # those that are not the household's other children or a person typed as someone not listed).
        contacts = session.scalars(select(Contact).where(Contact.id > last, Contact.id.in_(
            select(HouseholdMember.contact_id).where(HouseholdMember.phone.is_(None),
                                                     HouseholdMember.parental_responsibility.is_not(None))))
            .order_by(Contact.id).limit(batch)
            .options(load_only(Contact.id, Contact.answers), selectinload(Contact.household))).all()
        if not contacts:
            break
        for contact in contacts:
            people = (contact.answers or {}).get("household") or []
            for member in contact.household:
                if member.phone is None and member.position < len(people) and people[member.position].get("phone"):
                    member.phone = people[member.position]["phone"]
                    count += 1
        last = contacts[-1].id
        session.commit()
        session.expunge_all()
    return count
