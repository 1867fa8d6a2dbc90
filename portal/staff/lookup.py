"""Search (issue 15 item 2), in the staff face because it reaches the text conversations (bot) as well as the
MASH's records: find a child, a contact, a police notification, a missing episode or a conversation
from what a duty worker has in hand — a reference, a name, a date of birth, an NHS number or UPN, a postcode or a
phone number, typed in one box in any order.

Nothing is searched in clear text: every personal value is turned into its blind index (the keyed hash intake
stored) and looked up exactly; only the candidates found are decrypted, to rank names with rapidfuzz as repeat
matching does. A misspelt first and last name finds its candidates through the index of how the two sound
(mash.names: "Jaden Moris" finds "Jayden Morris"); a single misspelt name is found only beside something exact (a
date of birth, a postcode): the page says so. A date of birth is read as typed, "1/5/2019", "2019-05-01" or
"1st May 2019"; a postcode finds contacts' children, police notifications and missing episodes at it; a single
letter is not searched for (every name has it): the page says what is enough. A phone number finds text
conversations and the contacts whose referrer gave it (on the web or by text). Every search is audited with the
kinds of thing searched for and the count found, never the words.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

import phonenumbers
from rapidfuzz import fuzz
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, load_only, selectinload

from bot.conversations import sender_key
from bot.models import Conversation, ConversationContact
from forms.identifiers import clean_nhs_number, clean_upn
from forms.schema import FieldError, clean_postcode
from mash import audit
from mash.missing import child_index as missing_child_index
from mash.models import (
    Child,
    Contact,
    DomesticAbuseChild,
    DomesticAbuseNotification,
    HouseholdMember,
    MissingEpisode,
    StaffUser,
)
from mash.names import phone_index, query_sound_index
from mash.repeats import nhs_number_index, upn_index
from store.crypto import keyring

REFERENCE = re.compile(r"\bFD-?\d{4}-?\d{1,6}\b", re.I)
DATE = re.compile(r"\b(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
# a date written with its month's name: "1 May 2019", "1st May 2019", "01-May-2019", "May 1st, 2019"
MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
WRITTEN_DATE = re.compile(rf"\b{_DAY}[\s\-/.]*(?:of\s+)?({_MONTH})\b\.?,?[\s\-/.]*(\d{{4}})\b"
                          rf"|\b({_MONTH})\b\.?[\s\-/.]*{_DAY},?[\s\-/.]*(\d{{4}})\b", re.I)
MIN_NAME_LETTERS = 2
TOO_SHORT = "Type at least 2 letters of a name, or a full date of birth, reference, phone number or postcode"
POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.I)
NUMBERISH = re.compile(r"\+?\d[\d ()\-]{8,}\d")
UPN = re.compile(r"\b[A-Z]\d{11}[A-Z\d]\b", re.I)
# a police force's own reference: letters, then parts split by / or - with a digit somewhere ("TVP/DA/00412")
POLICE_REFERENCE = re.compile(r"\b[A-Z]{2,}\d*(?:[/\-][A-Z0-9]+)+\b", re.I)
NAME_STRONG = 85
NAME_FUZZY = 70
LIMIT = 50
CANDIDATES = 500
# Only what a result shows is read: the contact's encrypted referral is never decrypted to list it.
CONTACT_COLUMNS = (Contact.id, Contact.reference, Contact.received_at, Contact.status, Contact.rag, Contact.closed_at)
KIND_WORDS = {"reference": "reference", "police_reference": "police reference", "name": "name",
              "date_of_birth": "date of birth", "nhs_number": "NHS number", "upn": "UPN", "postcode": "postcode",
              "phone": "phone number"}


@dataclass
class Query:
    """What was typed, read into kinds. `problems` says what looked like a kind but was not one."""

    reference: str | None = None
    police_reference: str | None = None
    name: str | None = None
    date_of_birth: str | None = None
    nhs_number: str | None = None
    upn: str | None = None
    postcode: str | None = None
    phone: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [k for k in KIND_WORDS if getattr(self, k)]


def read_query(text: str) -> Query:
    query = Query()
    rest = " " + (text or "").strip()[:200] + " "
    if found := REFERENCE.search(rest):
        digits = re.sub(r"\D", "", found.group())
        query.reference = f"FD-{digits[:4]}-{int(digits[4:]):06d}"
        rest = rest.replace(found.group(), " ")
    if found := WRITTEN_DATE.search(rest):  # before police references: "1-May-2019" is not one
        day, month, year = found.group(1, 2, 3) if found.group(1) else found.group(5, 4, 6)
        query.date_of_birth = _date(query, year, MONTHS[month.casefold()], day)
        rest = rest.replace(found.group(), " ")
    for found in POLICE_REFERENCE.finditer(rest):
        if any(ch.isdigit() for ch in found.group()):
            query.police_reference = found.group().upper()
            rest = rest.replace(found.group(), " ")
            break
    if not query.date_of_birth and (found := DATE.search(rest)):
        day, month, year = (found.group(1), found.group(2), found.group(3)) if found.group(1) else \
            (found.group(6), found.group(5), found.group(4))
        query.date_of_birth = _date(query, year, month, day)
        rest = rest.replace(found.group(), " ")
    if found := UPN.search(rest):
        try:
            query.upn = clean_upn(found.group())
            rest = rest.replace(found.group(), " ")
        except FieldError:
            pass
    if found := POSTCODE.search(rest):
        try:
            query.postcode = clean_postcode(found.group())
            rest = rest.replace(found.group(), " ")
        except FieldError:
            pass
    for found in NUMBERISH.findall(rest):
        digits = re.sub(r"\D", "", found)
        if len(digits) == 10 and not digits.startswith("0"):
            try:
                query.nhs_number = clean_nhs_number(digits)
            except FieldError:
                mobile = phonenumbers.parse("0" + digits, "GB")
                if digits.startswith("7") and phonenumbers.is_possible_number(mobile):
                    # "7700 900321": a mobile typed without its 0, not an NHS number (the live probe)
                    query.phone = phonenumbers.format_number(mobile, phonenumbers.PhoneNumberFormat.E164)
                else:
                    query.problems.append("That is not a real NHS number: its check digit does not match")
        else:
            try:
                number = phonenumbers.parse(found, "GB")
                if phonenumbers.is_possible_number(number):
                    query.phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                else:
                    query.problems.append("That phone number is not a possible UK number")
            except phonenumbers.NumberParseException:
                query.problems.append("That phone number is not a possible UK number")
        rest = rest.replace(found, " ")
    words = [w for w in re.findall(r"[^\W\d_][^\W\d_'\-]*", rest)]
    if words and not query.reference and len(words) <= 4:
        if sum(len(w) for w in words) >= MIN_NAME_LETTERS:
            query.name = " ".join(words)
        elif not query.kinds:  # "J": every name has it; say what is enough rather than search for nobody
            query.problems.append(TOO_SHORT)
    elif words and len(words) > 4:
        query.problems.append("Search for one name at a time")
    return query


def _date(query: Query, year: str, month: str | int, day: str) -> str | None:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        query.problems.append("That date of birth is not a real date")
        return None


@dataclass
class Hit:
    kind: str  # contact | police | missing | conversation
    id: int | str
    title: str
    matched: list[str]
    at: dt.datetime | None
    score: int = 0
    extra: dict = field(default_factory=dict)


def _full(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _name_score(query: str, first: str | None, last: str | None) -> int:
    return round(max(fuzz.token_sort_ratio(query.casefold(), _full(first, last).casefold()),
                     fuzz.ratio(query.casefold(), (first or "").casefold()) if " " not in query else 0,
                     fuzz.ratio(query.casefold(), (last or "").casefold()) if " " not in query else 0))


def _person_conditions(model, query: Query, postcode_index=None) -> tuple[list, list]:
    """(exact conditions that must all hold, name conditions that find candidates) for a child-like model; its
    postcode's index is the model's own unless given (a police child's is its notification's)."""
    exact = []
    if query.date_of_birth:
        exact.append(model.date_of_birth_index == keyring.blind_index("dob", query.date_of_birth))
    if query.nhs_number and hasattr(model, "nhs_number_index"):
        exact.append(model.nhs_number_index == nhs_number_index(query.nhs_number))
    if query.upn and hasattr(model, "upn_index"):
        exact.append(model.upn_index == upn_index(query.upn))
    postcode_index = postcode_index if postcode_index is not None else getattr(model, "postcode_index", None)
    if query.postcode and postcode_index is not None:
        exact.append(postcode_index == keyring.blind_index("postcode", query.postcode))
    names = []
    if query.name:
        words = query.name.split()
        indexes = [keyring.blind_index("name", word) for word in words]
        names = [model.first_name_index.in_(indexes), model.last_name_index.in_(indexes)]
        sound = query_sound_index(words)
        if sound and hasattr(model, "name_sound_index"):
            names.append(model.name_sound_index == sound)
    return exact, names


def _rank(query: Query, first: str | None, last: str | None, matched: list[str], exact: bool) -> int | None:
    """A name's score, or None when it is not alike enough; with no name asked for, exact matches score 100."""
    if not query.name:
        return 100
    score = _name_score(query.name, first, last)
    # beside an exact date of birth, postcode or identifier a misspelt name is still shown; alone it must be close
    if score < (NAME_FUZZY if exact else NAME_STRONG):
        return None
    matched.append(f"name {score}% alike")
    return score


def _children(session: Session, query: Query) -> list[Hit]:
    exact, names = _person_conditions(Child, query)
    if not exact and not names:
        return []
    where = exact or [or_(*names)]  # exact kinds find the candidates; a name alone must find them itself
    # The candidates are found by their indexes first, then the newest taken: ordered and limited in one go, over
    # a join, PostgreSQL may walk every contact newest first looking for them.
    found = select(Child.id).where(*where).limit(CANDIDATES * 4)
    rows = session.scalars(select(Child).join(Contact, Child.contact_id == Contact.id).where(Child.id.in_(found))
                           .order_by(Contact.received_at.desc()).limit(CANDIDATES)
                           .options(load_only(Child.id, Child.contact_id, Child.first_name, Child.last_name),
                                    selectinload(Child.contact).load_only(*CONTACT_COLUMNS))).all()
    hits: dict[int, Hit] = {}
    for child in rows:
        matched = [KIND_WORDS[k] for k in ("nhs_number", "upn", "date_of_birth", "postcode") if getattr(query, k)]
        score = _rank(query, child.first_name, child.last_name, matched, bool(exact))
        if score is None:
            continue
        contact = child.contact
        title = f"{contact.reference}: {_full(child.first_name, child.last_name) or 'name not known'}"
        best = hits.get(contact.id)
        if best is None or score > best.score:
            hits[contact.id] = Hit("contact", contact.id, title, matched, contact.received_at, score,
                                   {"status": contact.status, "rag": contact.rag, "closed": contact.closed_at})
    return list(hits.values())


def _police_children(session: Session, query: Query) -> list[Hit]:
    exact, names = _person_conditions(DomesticAbuseChild, query, DomesticAbuseNotification.postcode_index)
    if not exact and not names:
        return []
    where = exact or [or_(*names)]
    rows = session.execute(select(DomesticAbuseChild, DomesticAbuseNotification)
                           .join(DomesticAbuseNotification,
                                 DomesticAbuseChild.notification_id == DomesticAbuseNotification.id)
                           .where(*where).order_by(DomesticAbuseNotification.received_at.desc())
                           .limit(CANDIDATES)).all()
    hits: dict[int, Hit] = {}
    for child, notification in rows:
        matched = [KIND_WORDS[k] for k in ("nhs_number", "upn", "date_of_birth", "postcode") if getattr(query, k)]
        score = _rank(query, child.first_name, child.last_name, matched, bool(exact))
        if score is None:
            continue
        title = f"Police {notification.police_reference}: {_full(child.first_name, child.last_name) or 'child'}"
        if notification.id not in hits or score > hits[notification.id].score:
            hits[notification.id] = Hit("police", notification.id, title, matched, notification.received_at, score,
                                        {"status": notification.status, "rag": notification.rag})
    return list(hits.values())


def _missing(session: Session, query: Query) -> list[Hit]:
    """Missing episodes by the child's names (misspelt too), date of birth, NHS number or UPN, as children are
    found. Episodes received before their names were indexed one by one are still found by full name and date of
    birth together (their child_index)."""
    exact, names = _person_conditions(MissingEpisode, query)
    hits: dict[int, Hit] = {}
    if exact or names:
        rows = session.scalars(select(MissingEpisode).where(*(exact or [or_(*names)]))
                               .order_by(MissingEpisode.went_missing_at.desc()).limit(CANDIDATES)).all()
        for episode in rows:
            matched = [KIND_WORDS[k] for k in ("nhs_number", "upn", "date_of_birth", "postcode")
                       if getattr(query, k)]
            score = _rank(query, episode.first_name, episode.last_name, matched, bool(exact))
            if score is not None:
                title = f"Missing {episode.police_reference}: {_full(episode.first_name, episode.last_name) or 'child'}"
                hits[episode.id] = Hit("missing", episode.id, title, matched, episode.went_missing_at, score)
    if query.name and query.date_of_birth and len(query.name.split()) >= 2:
        first, *_, last = query.name.split()
        key = missing_child_index(first, last, query.date_of_birth)
        for m in session.scalars(select(MissingEpisode).where(MissingEpisode.child_index == key).limit(LIMIT)):
            hits.setdefault(m.id, Hit("missing", m.id, f"Missing {m.police_reference}", ["name", "date of birth"],
                                      m.went_missing_at, 100))
    return list(hits.values())


def _phone(session: Session, query: Query) -> list[Hit]:
    """Text conversations from the number, contacts whose referrer gave it (a web form's phone, a text's), and
    contacts whose household lists it as a parent's or carer's phone."""
    assert query.phone is not None  # noqa: S101  (only called with a phone number)
    hits = []
    for conversation in session.scalars(select(Conversation).where(
            Conversation.sender_key == sender_key("sms", query.phone)).order_by(Conversation.id.desc())
            .limit(LIMIT)):
        linked = session.scalars(select(Contact.reference).join(
            ConversationContact, ConversationContact.contact_id == Contact.id)
            .where(ConversationContact.conversation_id == conversation.id)).all()
        hits.append(Hit("conversation", conversation.public_id, "Text conversation", ["phone number"],
                        conversation.started_at, 100, {"contacts": list(linked)}))
    for contact in session.scalars(select(Contact).options(load_only(*CONTACT_COLUMNS))
                                   .where(Contact.referrer_phone_index == phone_index(query.phone))
                                   .order_by(Contact.received_at.desc()).limit(LIMIT)):
        hits.append(Hit("contact", contact.id, contact.reference, ["referrer's phone number"], contact.received_at,
                        100, {"status": contact.status, "rag": contact.rag, "closed": contact.closed_at}))
    found = {hit.id for hit in hits if hit.kind == "contact"}
    for contact in session.scalars(select(Contact).options(load_only(*CONTACT_COLUMNS))
                                   .where(Contact.id.in_(select(HouseholdMember.contact_id).where(
                                       HouseholdMember.phone_index == phone_index(query.phone))))
                                   .order_by(Contact.received_at.desc()).limit(LIMIT)):
        if contact.id not in found:  # a parent who referred and is in the household is one hit
            hits.append(Hit("contact", contact.id, contact.reference, ["a parent's or carer's phone number"],
                            contact.received_at, 100,
                            {"status": contact.status, "rag": contact.rag, "closed": contact.closed_at}))
    return hits


def _named(session: Session, hits: list[Hit]) -> list[Hit]:
    """A contact found by a reference or a phone number is titled with its first child's name too, as one found by
    a name is, so a duty worker can tell two of a family's contacts apart without opening each (the live probe)."""
    bare = {int(h.id) for h in hits if h.kind == "contact" and ":" not in h.title}
    if not bare:
        return hits
    first: dict[int, str] = {}
    for child in session.scalars(select(Child).where(Child.contact_id.in_(bare)).order_by(Child.position)
                                 .options(load_only(Child.contact_id, Child.first_name, Child.last_name,
                                                    Child.unborn))):
        first.setdefault(child.contact_id, "unborn baby" if child.unborn else
                         _full(child.first_name, child.last_name) or "name not known")
    return [dataclasses.replace(h, title=f"{h.title}: {first[int(h.id)]}")
            if h.kind == "contact" and int(h.id) in bare and int(h.id) in first else h for h in hits]


def search(session: Session, user: StaffUser, query: Query) -> list[Hit]:
    """Everything that matches every kind asked for, best first, newest first among equals; audited."""
    hits: list[Hit] = []
    if query.reference:
        contact = session.scalar(select(Contact).options(load_only(*CONTACT_COLUMNS))
                                 .where(Contact.reference == query.reference))
        if contact is not None:
            hits.append(Hit("contact", contact.id, contact.reference, ["reference"], contact.received_at, 100,
                            {"status": contact.status, "rag": contact.rag, "closed": contact.closed_at}))
    if query.police_reference:
        for n in session.scalars(select(DomesticAbuseNotification).where(
                DomesticAbuseNotification.police_reference == query.police_reference).limit(LIMIT)):
            hits.append(Hit("police", n.id, f"Police {n.police_reference}", ["police reference"], n.received_at, 100,
                            {"status": n.status, "rag": n.rag}))
        for m in session.scalars(select(MissingEpisode).where(
                MissingEpisode.police_reference == query.police_reference).limit(LIMIT)):
            hits.append(Hit("missing", m.id, f"Missing {m.police_reference}", ["police reference"],
                            m.went_missing_at, 100))
    if query.name or query.date_of_birth or query.nhs_number or query.upn or query.postcode:
        hits += _children(session, query) + _police_children(session, query) + _missing(session, query)
    if query.phone:
        hits += _phone(session, query)
    hits.sort(key=lambda h: (-h.score, -(h.at.timestamp() if h.at else 0)))
    hits = _named(session, hits[:LIMIT])
    audit.record(session, event="search.made", actor=f"staff:{user.id}",
                 details={"kinds": query.kinds, "results": len(hits)})
    return hits
