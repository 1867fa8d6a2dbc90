"""Finding services: by postcode and radius, category, the child's age, cost, day, delivery, language and
accessibility. One function serves the public finder, the ORUK API, the journeys' confirmation pages and
the bot. Search terms, postcodes and coordinates are never logged."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from signposting.models import Attribute, Location, Service, ServiceAtLocation, TaxonomyTerm
from signposting.postcodes import PostcodeLookup, bounding_box, distance_miles, lookup

RADII = (1, 2, 5, 10, 20)
DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday",
        "SU": "Sunday"}
MAX_PER_PAGE = 100
MAX_AGE = 120


class SearchError(ValueError):
    """Input that cannot be searched, with a message for the person (or an ORUK 400 body)."""


@dataclass(frozen=True)
class Query:
    text: str = ""
    postcode: str = ""
    radius: float = 5
    categories: tuple[str, ...] = ()  # taxonomy term ids; a top-level term includes its children
    age: int | None = None
    free_only: bool = False
    day: str | None = None
    delivery: str | None = None  # in_person | remote
    language: str | None = None
    accessibility: str | None = None
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class Hit:
    service: Service
    distance: float | None = None
    location: Location | None = None


@dataclass
class Results:
    nearby: list[Hit] = field(default_factory=list)  # with a place, nearest first
    remote: list[Hit] = field(default_factory=list)  # by phone or online: listed apart, never given a distance
    total: int = 0
    origin: PostcodeLookup | None = None


def check(query: Query) -> Query:
    """Refuse what cannot be searched, with the reason (the page or the API shows it)."""
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise SearchError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if query.page < 1 or query.page > 10_000:
        raise SearchError("page must be between 1 and 10000")
    if query.age is not None and not 0 <= query.age <= MAX_AGE:
        raise SearchError("Enter an age between 0 and 120")
    if query.radius not in RADII:
        raise SearchError("Choose a distance of 1, 2, 5, 10 or 20 miles")
    if query.day is not None and query.day not in DAYS:
        raise SearchError("Choose a day of the week")
    if query.delivery not in (None, "in_person", "remote"):
        raise SearchError("Choose in person, or by phone or online")
    if len(query.text) > 200:
        raise SearchError("Search for 200 characters or fewer")
    return query


def expand_categories(session: Session, term_ids: tuple[str, ...]) -> set[str]:
    """A top-level category means itself and every term beneath it. Unknown ids are refused."""
    if not term_ids:
        return set()
    known = {t.id: t.parent_id for t in session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.id.in_(term_ids)))}
    unknown = set(term_ids) - set(known)
    if unknown:
        raise SearchError("Unknown category")
    children = session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.parent_id.in_(term_ids))).all()
    return set(term_ids) | set(children)


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filters(session: Session, query: Query) -> list:
    conditions = [Service.status == "active", Service.temporarily_closed.is_(False)]
    for word in query.text.split()[:8]:
        conditions.append(Service.search_text.like(_like(word), escape="\\"))
    if query.categories:
        terms = expand_categories(session, query.categories)
        # A correlated EXISTS lets the database start from the locations in the box, not the whole category.
        conditions.append(select(Attribute.id).where(Attribute.service_id == Service.id,
                                                     Attribute.taxonomy_term_id.in_(terms)).exists())
    if query.age is not None:  # range overlap; a missing bound is open
        conditions.append(or_(Service.minimum_age.is_(None), Service.minimum_age <= query.age))
        conditions.append(or_(Service.maximum_age.is_(None), Service.maximum_age >= query.age))
    if query.free_only:
        conditions.append(Service.is_free.is_(True))
    if query.delivery == "in_person":
        conditions.append(Service.in_person.is_(True))
    elif query.delivery == "remote":
        conditions.append(Service.remote.is_(True))
    return conditions


def _json_has(column, value: str, session: Session):
    """A JSON list column contains value (portable: the stored text contains the quoted value)."""
    return func.lower(func.cast(column, type_=Service.search_text.type)).like(_like(f'"{value}"'), escape="\\")


def search(session: Session, query: Query) -> Results:
    query = check(query)
    conditions = _filters(session, query)
    if query.day:
        conditions.append(_json_has(Service.open_days, query.day.lower(), session))
    if query.language:
        conditions.append(_json_has(Service.languages, query.language.casefold(), session))
    if query.accessibility:
        conditions.append(_json_has(Service.accessibility, query.accessibility.casefold(), session))
    results = Results()
    if query.postcode:
        origin = lookup(query.postcode)
        results.origin = origin
        if origin.status == "not_a_postcode":
            raise SearchError("That is not a postcode. Enter a postcode like RG40 1BN, or the first part, like RG40")
        if origin.status == "not_found":
            raise SearchError("We could not find that postcode. Check it, or try the first part, like RG40")
        results.total, results.nearby = _nearby(session, conditions, origin, query)
        if query.delivery != "in_person":
            results.remote = _remote(session, conditions)
    else:
        results.total = session.scalar(select(func.count()).select_from(Service).where(and_(*conditions))) or 0
        services = session.scalars(select(Service).where(and_(*conditions)).order_by(Service.name, Service.id)
                                   .offset((query.page - 1) * query.per_page).limit(query.per_page)
                                   .options(selectinload(Service.organization))).all()
        results.nearby = [Hit(s) for s in services]
    return results


def _nearby(session: Session, conditions: list, origin: PostcodeLookup, query: Query) -> tuple[int, list[Hit]]:
    """Two steps: ids and coordinates of everything in the box (cheap), distances and order in Python, then
    whole services and locations for the one page shown. The cost of building objects is the page's, not
    the number of matches'."""
    assert origin.lat is not None and origin.lon is not None
    min_lat, max_lat, min_lon, max_lon = bounding_box(origin.lat, origin.lon, query.radius)
    rows = session.execute(
        select(Service.id, Service.name, Location.id, Location.latitude, Location.longitude)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(and_(*conditions), Location.latitude.between(min_lat, max_lat),
               Location.longitude.between(min_lon, max_lon))
    ).all()
    nearest: dict[str, tuple[float, str, str]] = {}  # service id -> (miles, name, location id)
    for service_id, name, location_id, lat, lon in rows:
        if lat is None or lon is None:  # the bounding box already kept these out; said for the type checker
            continue
        miles = distance_miles(origin.lat, origin.lon, lat, lon)
        if miles <= query.radius and (service_id not in nearest or miles < nearest[service_id][0]):
            nearest[service_id] = (miles, name, location_id)
    ordered = sorted(nearest.items(), key=lambda item: (round(item[1][0], 1), item[1][1], item[0]))
    start = (query.page - 1) * query.per_page
    page = ordered[start:start + query.per_page]
    services = {s.id: s for s in session.scalars(
        select(Service).where(Service.id.in_([sid for sid, _ in page])).options(selectinload(Service.organization)))}
    locations = {loc.id: loc for loc in session.scalars(
        select(Location).where(Location.id.in_([lid for _, (_, _, lid) in page])))}
    return len(ordered), [Hit(services[sid], round(miles, 1), locations[lid]) for sid, (miles, _, lid) in page]


def _remote(session: Session, conditions: list) -> list[Hit]:
    services = session.scalars(select(Service).where(and_(*conditions), Service.remote.is_(True),
                                                     Service.in_person.is_(False))
                               .order_by(Service.name).limit(20).options(selectinload(Service.organization))).all()
    return [Hit(s) for s in services]
