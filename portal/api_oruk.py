"""The Open Referral UK 3.0 API under /api/oruk/: read-only, open to any origin, one JSON body per answer.

Routes (openapi.json is the official description, served at /api/oruk/openapi.json):

    /                             api details: version, profile, openapi_url
    /services                     a page of fully nested services, ordered by name then id
    /services/{id}                one fully nested service
    /service_at_locations         a page of service_at_location items (with the location and the nested service)
    /service_at_locations/{id}    one of them
    /taxonomies, /taxonomies/{id}, /taxonomy_terms, /taxonomy_terms/{id}

Query parameters of the list routes:

    page (default 1, 1..10000), per_page (default 50, 1..100)
    search               full text over name and description (`text` is accepted as another name for it)
    taxonomy_term_id     a term, or several separated by commas; a top-level term includes its subcategories
    taxonomy_id          any term of that taxonomy (with taxonomy_term_id as well, both must hold)
    minimum_age and maximum_age, or age
                         the age of the child: services whose age range includes it (a missing bound is open).
                         The spec words these as bounds on the service's own range; we read them, as a family
                         would, as the child's age, so they must be given together and be equal (or use `age`)
    day                  MO..SU, or a day name
    postcode, proximity  /service_at_locations (and, beyond the spec, /services): services with a location
                         within `proximity` metres of the postcode (a full postcode or an outward code), nearest
                         first. The finder searches radii of 1, 2, 5, 10 or 20 miles, so proximity is mapped
                         to the nearest of those (8047 m is 5 miles); the X-Proximity-Applied header gives the
                         radius searched, in metres. Without proximity a postcode searches 5 miles. A service
                         appears once, at its nearest location; services delivered only by phone or online have
                         no distance and are not listed by postcode.
    need                 (beyond the spec) a worry as the referral schema names it (parenting, family_stress,
                         substance_misuse...): the directory categories that answer it, as the bot asks
    taxonomy_id, parent_id, top_only=true   on /taxonomy_terms (beyond the spec)

Parameters the spec names but this API does not support (start_time, end_time, and the unversioned `minimal`,
`full`, `format`, `modified_after`, `organization_id`) are ignored, as are unknown ones. Anything malformed
is a 400 with a JSON body {"status": 400, "message": ...} (the spec defines no error schema); an unknown or
malformed id is a 404 in the same shape; any method but GET, HEAD or OPTIONS is a 405.

Privacy: nothing here logs a request's parameters (search terms, postcodes, coordinates), and no error message
echoes them. Refuges' locations were redacted when they were imported, so nothing here can reveal them.
"""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request, send_file, url_for
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from portal import db
from portal.config import settings
from portal.extensions import limiter
from signposting import search as finder
from signposting.directory import SCHEMAS, service_query, to_oruk
from signposting.models import Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from signposting.postcodes import PostcodeDataUnavailable
from signposting.search import RADII, Query, SearchError, check, search
from signposting.suggest import CATEGORY_TERMS

log = logging.getLogger(__name__)

bp = Blueprint("api_oruk", __name__, url_prefix="/api/oruk")

VERSION = "3.0"
PROFILE = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
DEFAULT_PER_PAGE = 50
METRES_PER_MILE = 1609.344
READ_METHODS = ("GET", "HEAD", "OPTIONS")
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
DAY_NAMES = {name.casefold(): code for code, name in finder.DAYS.items()}
# The search module speaks to people; a few of its messages name the API's parameter instead.
MESSAGES = {"Unknown category": "Unknown taxonomy_term_id"}


class ParameterError(Exception):
    """A parameter we cannot use: a 400 with this message (never quoting what was sent)."""


def _page_limit() -> str:
    return settings().page_rate_limit


limiter.limit(_page_limit)(bp)


# --- responses ----------------------------------------------------------------------------------------------

def _json(doc: Any, status: int = 200) -> Response:
    # Plain UTF-8 JSON: no HTML escaping, no \u escapes for "£" or "é", keys in the order the spec lists them.
    return Response(json.dumps(doc, ensure_ascii=False), status=status, mimetype="application/json")


def error(status: int, message: str) -> Response:
    return _json({"status": status, "message": message}, status)


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = ", ".join(READ_METHODS)
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Expose-Headers"] = "X-Proximity-Applied"
    return response


@bp.before_request
def _read_only() -> Response | None:
    if request.method == "OPTIONS":  # a CORS preflight, or a client asking what it may do
        response = Response(status=204)
        response.headers["Allow"] = ", ".join(READ_METHODS)
        response.headers["Access-Control-Max-Age"] = "86400"
        return response
    if request.method not in READ_METHODS:
        response = error(405, "This API is read-only: use GET")
        response.headers["Allow"] = ", ".join(READ_METHODS)
        return response
    return None


@bp.errorhandler(ParameterError)
def _bad_request(exc: ParameterError) -> Response:
    return error(400, str(exc))


@bp.errorhandler(SearchError)
def _search_error(exc: SearchError) -> Response:
    return error(400, MESSAGES.get(str(exc), str(exc)))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = {404: "Not found", 405: "This API is read-only: use GET", 429: "Too many requests: slow down"}
    return error(status, message.get(status, exc.name))


@bp.errorhandler(PostcodeDataUnavailable)
def _no_postcode_data(exc: PostcodeDataUnavailable) -> Response:
    log.error("postcode data unavailable for the ORUK API")  # a deployment fault; the exception names no postcode
    return error(503, "Postcode search is unavailable")


@bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    # Logged by type and route only, like portal.errors: the exception text may quote a search.
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url_rule)
    if current_app.debug or (current_app.testing and current_app.config.get("PROPAGATE_UNEXPECTED", True)):
        raise exc
    return error(500, "Sorry, there is a problem with the service")


def _route(rule: str, **options: Any) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A GET route that also answers OPTIONS and refuses writes in JSON (routing's own 405 would be HTML)."""
    return bp.route(rule, methods=ALL_METHODS, provide_automatic_options=False, **options)


# --- parameters ---------------------------------------------------------------------------------------------

def _arg(name: str) -> str | None:
    value = request.args.get(name)
    return value.strip() if value is not None and value.strip() else None


def _whole(name: str, default: int | None = None) -> int | None:
    value = _arg(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ParameterError(f"{name} must be a whole number") from None
    if not math.isfinite(number) or number != int(number):
        raise ParameterError(f"{name} must be a whole number")
    return int(number)


def _paging() -> tuple[int, int]:
    page, per_page = _whole("page", 1), _whole("per_page", DEFAULT_PER_PAGE)
    assert page is not None and per_page is not None
    check(Query(page=page, per_page=per_page))  # the finder's bounds: 1..10000 and 1..100
    return page, per_page


def _text() -> str:
    text = _arg("search") or _arg("text") or ""
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ParameterError("search must be plain text")
    return text


def _age() -> int | None:
    age, lowest, highest = _whole("age"), _whole("minimum_age"), _whole("maximum_age")
    if lowest is not None or highest is not None:
        if lowest is None or highest is None or lowest != highest:
            raise ParameterError("Give the child's age as age, or as minimum_age and maximum_age set to the same value")
        if age is not None and age != lowest:
            raise ParameterError("age, minimum_age and maximum_age disagree")
        age = lowest
    return age


def _day() -> str | None:
    day = _arg("day")
    if day is None:
        return None
    code = day.upper() if day.upper() in finder.DAYS else DAY_NAMES.get(day.casefold())
    if code is None:
        raise ParameterError("day must be one of MO, TU, WE, TH, FR, SA, SU, or a day's name")
    return code


def _ids(value: str | None, name: str) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(part.strip().lower() for part in (value or "").split(",") if part.strip()))
    if len(ids) > 50 or not all(_is_uuid(i) for i in ids):
        raise ParameterError(f"Unknown {name}")
    return ids


def _is_uuid(value: str) -> bool:
    if len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _forms(record_id: str) -> list[str]:
    """An id as sent and in the canonical lower case (ids are stored as they were imported)."""
    return list(dict.fromkeys([record_id, record_id.lower()]))


def _get(model: Any, record_id: str) -> Any:
    if not _is_uuid(record_id):
        return None
    return next((found for i in _forms(record_id) if (found := db.session().get(model, i)) is not None), None)


def _categories() -> tuple[str, ...] | None:
    """The term ids to search (None: no category filter; empty: nothing can match)."""
    session = db.session()
    terms = _ids(_arg("taxonomy_term_id"), "taxonomy_term_id")
    if (need := _arg("need")) is not None:
        needed = _need_terms(need)
        if not needed:
            return ()  # a worry the directory has no category for: nothing can match
        terms = tuple(dict.fromkeys(terms + needed))
    taxonomy = _ids(_arg("taxonomy_id"), "taxonomy_id")
    if len(taxonomy) > 1:
        raise ParameterError("Give one taxonomy_id")
    if not taxonomy:
        return terms or None
    if session.get(Taxonomy, taxonomy[0]) is None:
        raise ParameterError("Unknown taxonomy_id")
    in_taxonomy = session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.taxonomy_id == taxonomy[0])
                                  .order_by(TaxonomyTerm.id)).all()
    if not terms:
        return tuple(in_taxonomy)
    finder.expand_categories(session, terms)  # an unknown term is a 400 whatever the taxonomy
    return tuple(t for t in terms if t in set(in_taxonomy))


def _need_terms(need: str) -> tuple[str, ...]:
    """`need` is our extension: a worry as the referral schema names it (forms.referral, e.g. "parenting"),
    read through the same mapping to directory categories as every other signposting (signposting.suggest)."""
    names = CATEGORY_TERMS.get(need.strip())
    if names is None:
        raise ParameterError("Unknown need; use one of: " + ", ".join(sorted(CATEGORY_TERMS)))
    return tuple(db.session().scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.name.in_(names))
                                      .order_by(TaxonomyTerm.id)).all())


def _radius() -> float | None:
    """The finder's radius (miles) nearest to `proximity` (metres), or None when no postcode was given."""
    postcode, proximity = _arg("postcode"), _arg("proximity")
    if postcode is None:
        if proximity is not None:
            raise ParameterError("proximity needs a postcode")
        return None
    if proximity is None:
        return Query().radius
    try:
        metres = float(proximity)
    except ValueError:
        raise ParameterError("proximity must be a distance in metres") from None
    if not math.isfinite(metres) or metres <= 0:
        raise ParameterError("proximity must be a distance in metres, greater than 0")
    miles = metres / METRES_PER_MILE
    return min(RADII, key=lambda r: (abs(r - miles), -r))  # the nearest radius; a tie goes to the wider


def _query(page: int, per_page: int, with_postcode: bool) -> tuple[Query | None, float | None]:
    """The finder's query for the list routes (None when the filters cannot match anything)."""
    radius = _radius() if with_postcode else None
    categories = _categories()
    if categories == ():
        return None, radius
    postcode = (_arg("postcode") or "") if radius is not None else ""
    # `free=true` is our extension: ORUK 3.0 names no cost filter, and families ask for free services.
    free = (_arg("free") or "").strip().lower() in ("true", "1", "yes")
    query = Query(text=_text(), postcode=postcode, radius=radius or Query().radius, categories=categories or (),
                  age=_age(), day=_day(), free_only=free, page=page, per_page=per_page)
    return check(query), radius


def _page(contents: list[dict[str, Any]], total: int, page: int, per_page: int) -> Response:
    total_pages = math.ceil(total / per_page)
    return _json({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    })


def _with_proximity(response: Response, radius: float | None) -> Response:
    if radius is not None:
        response.headers["X-Proximity-Applied"] = str(round(radius * METRES_PER_MILE))
    return response


# --- documents ----------------------------------------------------------------------------------------------

def _services_by_id(ids: Iterable[str]) -> dict[str, Service]:
    ids = list(ids)
    if not ids:
        return {}
    return {s.id: s for s in db.session().scalars(service_query().where(Service.id.in_(ids)))}


def _service_at_location(sal: ServiceAtLocation, service: Service) -> dict[str, Any]:
    """The service_at_location item: its own fields, its location, and the service nested without its
    service_at_locations (as compiled/service_at_location.json has it)."""
    nested = {k: v for k, v in to_oruk(service).items() if k != "service_at_locations"}
    return {**sal.record, "id": sal.id, "service_id": service.id, "location_id": sal.location_id,
            "location": sal.location.record, "service": nested}


def _term(term: TaxonomyTerm) -> dict[str, Any]:
    record = dict(term.record)
    record.update(id=term.id, name=term.name)
    record.setdefault("description", "")  # required by taxonomy_term.json; an imported term may lack it
    if term.parent_id:
        record["parent_id"] = term.parent_id
    return record


def _taxonomy(taxonomy: Taxonomy) -> dict[str, Any]:
    record = dict(taxonomy.record)
    record.update(id=taxonomy.id, name=taxonomy.name)
    record.setdefault("description", "")
    return record


# --- routes -------------------------------------------------------------------------------------------------

@_route("/")
def details() -> Response:
    return _json({"version": VERSION, "profile": PROFILE,
                  "openapi_url": url_for("api_oruk.openapi", _external=True)})


@_route("/openapi.json")
def openapi() -> Response:
    return send_file(SCHEMAS / "openapi.json", mimetype="application/json", max_age=3600)


@_route("/services")
def services() -> Response:
    page, per_page = _paging()
    query, radius = _query(page, per_page, with_postcode=True)
    if query is None:
        return _with_proximity(_page([], 0, page, per_page), radius)
    results = search(db.session(), query)
    found = _services_by_id(hit.service.id for hit in results.nearby)
    contents = [to_oruk(found[hit.service.id]) for hit in results.nearby if hit.service.id in found]
    return _with_proximity(_page(contents, results.total, page, per_page), radius)


@_route("/services/<service_id>")
def service(service_id: str) -> Response:
    found = _services_by_id(_forms(service_id)) if _is_uuid(service_id) else {}
    if not found:
        return error(404, "No service with that id")
    return _json(to_oruk(next(iter(found.values()))))


@_route("/service_at_locations")
def service_at_locations() -> Response:
    page, per_page = _paging()
    query, radius = _query(page, per_page, with_postcode=True)
    if query is None:
        return _with_proximity(_page([], 0, page, per_page), radius)
    if query.postcode:
        contents, total = _nearest_service_at_locations(query)
    else:
        contents, total = _all_service_at_locations(query)
    return _with_proximity(_page(contents, total, page, per_page), radius)


def _nearest_service_at_locations(query: Query) -> tuple[list[dict[str, Any]], int]:
    """Through the finder itself, so the API finds what the public finder finds: each service at its
    nearest location within the radius."""
    results = search(db.session(), query)
    hits = [hit for hit in results.nearby if hit.location is not None]
    found = _services_by_id(hit.service.id for hit in hits)
    by_place = {(sal.service_id, sal.location_id): sal for s in found.values() for sal in s.at_locations}
    contents = [_service_at_location(by_place[(hit.service.id, hit.location.id)], found[hit.service.id])
                for hit in hits if hit.location is not None and (hit.service.id, hit.location.id) in by_place]
    return contents, results.total


def _all_service_at_locations(query: Query) -> tuple[list[dict[str, Any]], int]:
    """Every service_at_location of the services the finder's filters match, by service name, service id,
    then id. (The finder's own listing without a postcode is of services, not of places.)"""
    session = db.session()
    conditions = finder._filters(session, query)
    if query.day:
        conditions.append(finder._json_has(Service.open_days, query.day.lower(), session))
    matching = select(Service.id).where(and_(*conditions))
    total = session.scalar(select(func.count()).select_from(ServiceAtLocation)
                           .where(ServiceAtLocation.service_id.in_(matching))) or 0
    rows = session.scalars(
        select(ServiceAtLocation).join(Service, Service.id == ServiceAtLocation.service_id)
        .where(ServiceAtLocation.service_id.in_(matching))
        .order_by(Service.name, Service.id, ServiceAtLocation.id)
        .offset((query.page - 1) * query.per_page).limit(query.per_page)
        .options(selectinload(ServiceAtLocation.location))).all()
    found = _services_by_id({sal.service_id for sal in rows})
    return [_service_at_location(sal, found[sal.service_id]) for sal in rows], total


@_route("/service_at_locations/<sal_id>")
def service_at_location(sal_id: str) -> Response:
    sal = _get(ServiceAtLocation, sal_id)
    found = _services_by_id([sal.service_id]) if sal is not None else {}
    if sal is None or not found:
        return error(404, "No service_at_location with that id")
    return _json(_service_at_location(sal, found[sal.service_id]))


@_route("/taxonomies")
def taxonomies() -> Response:
    page, per_page = _paging()
    session = db.session()
    total = session.scalar(select(func.count()).select_from(Taxonomy)) or 0
    rows = session.scalars(select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return _page([_taxonomy(t) for t in rows], total, page, per_page)


@_route("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str) -> Response:
    found = _get(Taxonomy, taxonomy_id)
    if found is None:
        return error(404, "No taxonomy with that id")
    return _json(_taxonomy(found))


@_route("/taxonomy_terms")
def taxonomy_terms() -> Response:
    page, per_page = _paging()
    session = db.session()
    conditions = []
    taxonomy_ids = _ids(_arg("taxonomy_id"), "taxonomy_id")
    if taxonomy_ids:
        conditions.append(TaxonomyTerm.taxonomy_id.in_(taxonomy_ids))
    parent_ids = _ids(_arg("parent_id"), "parent_id")
    if parent_ids:
        conditions.append(TaxonomyTerm.parent_id.in_(parent_ids))
    top_only = (_arg("top_only") or "false").lower()
    if top_only not in ("true", "false", "1", "0"):
        raise ParameterError("top_only must be true or false")
    if top_only in ("true", "1"):
        conditions.append(TaxonomyTerm.parent_id.is_(None))
    total = session.scalar(select(func.count()).select_from(TaxonomyTerm).where(*conditions)) or 0
    rows = session.scalars(select(TaxonomyTerm).where(*conditions).order_by(TaxonomyTerm.name, TaxonomyTerm.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return _page([_term(t) for t in rows], total, page, per_page)


@_route("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str) -> Response:
    found = _get(TaxonomyTerm, term_id)
    if found is None:
        return error(404, "No taxonomy term with that id")
    return _json(_term(found))


@_route("/<path:anything>")
def not_found(anything: str) -> Response:
    return error(404, "Not found")


# --- the official schemas, for checking what this API returns -----------------------------------------------

SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
OPENAPI_URI = "urn:oruk-3.0:openapi.json"
PAGE_FIELDS = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"]


@lru_cache(maxsize=1)
def schema_registry() -> Registry:
    """openapi.json and every schema it refers to, from our copy, under the addresses openapi.json uses."""
    def resource(path) -> Resource:
        return Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012)

    resources = [(SCHEMA_BASE + p.name, resource(p)) for p in SCHEMAS.glob("*.json") if p.name != "openapi.json"]
    resources += [(SCHEMA_BASE + "compiled/" + p.name, resource(p)) for p in (SCHEMAS / "compiled").glob("*.json")]
    resources.append((OPENAPI_URI, resource(SCHEMAS / "openapi.json")))
    return Registry().with_resources(resources)


@lru_cache(maxsize=32)
def response_validator(path: str) -> Draft202012Validator:
    """A validator for the 200 answer that openapi.json gives for `path` (as written there: "/services/{id}").

    A page's schema in openapi.json is the Page envelope plus `contents` items of the compiled list schema;
    the envelope's fields are all optional there, so a page must also carry every one of them here."""
    pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + \
        "/get/responses/200/content/application~1json/schema"
    schema: dict[str, Any] = {"$ref": OPENAPI_URI + "#" + quote(pointer)}
    if path in ("/services", "/service_at_locations", "/taxonomies", "/taxonomy_terms"):
        schema = {"allOf": [schema, {"required": PAGE_FIELDS}]}
    return Draft202012Validator(schema, registry=schema_registry())


def schema_validator(name: str) -> Draft202012Validator:
    """A validator for one schema file: "api_details.json", "taxonomy.json", "compiled/service.json", ..."""
    return Draft202012Validator({"$ref": SCHEMA_BASE + name}, registry=schema_registry())
