"""The ORUK 3.0 API (issue 4, item 7): every answer these tests receive is checked against the official schemas.

One migrated SQLite database with the demonstration directory loaded serves the whole module (the API only
reads), so the directory is loaded once rather than per test.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from portal import create_app
from portal.api_oruk import response_validator, schema_validator
from signposting.directory import SCHEMAS, load_demo_directory, schema_errors
from signposting.models import Service
from signposting.postcodes import distance_miles, lookup
from store.db import make_engine, make_sessionmaker
from tests.conftest import app_config

FORMATS = Draft202012Validator.FORMAT_CHECKER
HOME = "RG40 1BN"
FIVE_MILES_IN_METRES = 8047  # the spec's proximity is in metres
REFUGE = "Kestrel Refuge (demo)"
REFUGE_SECRETS = ("118 Broad Street", "Kestrel House")  # its full postcode, RG41 1AA, is also a public venue's
FULL_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b")


@pytest.fixture(scope="module")
def directory_url(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("oruk") / "frontdoor.db"
    shutil.copy(template_db, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        report = load_demo_directory(session)
    engine.dispose()
    assert not report.errors, report.errors[:3]
    return url


@pytest.fixture(scope="module")
def api_app(directory_url: str, tmp_path_factory: pytest.TempPathFactory):
    return create_app(app_config(directory_url, tmp_path_factory.mktemp("oruk-instance")))


@pytest.fixture
def api(api_app):
    return api_app.test_client()


@pytest.fixture(scope="module")
def listed(api_app) -> dict[str, list[dict[str, Any]]]:
    """Every page of /services and of /service_at_locations, each checked against the official schemas."""
    api = api_app.test_client()
    return {url: all_pages(api, f"/api/oruk{url}", url) for url in ("/services", "/service_at_locations")}


# --- helpers ------------------------------------------------------------------------------------------------

def _errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}"
            for e in validator.evolve(format_checker=FORMATS).iter_errors(doc)][:5]


def assert_valid(template: str, doc: Any) -> None:
    """`template` is the openapi.json path the answer came from; its official schema must accept `doc`."""
    if template == "/service_at_locations/{id}":
        # openapi.json gives compiled/service.json for this path, which is a slip upstream: the answer is
        # a service_at_location, so it is checked against the compiled service_at_location schema.
        assert not _errors(schema_validator("compiled/service_at_location.json"), doc)
        return
    assert not _errors(response_validator(template), doc), _errors(response_validator(template), doc)
    if template == "/":
        assert not _errors(schema_validator("api_details.json"), doc)
    if template == "/services":  # the list items are fully nested: the full compiled schema holds too
        for item in doc["contents"]:
            assert not _errors(schema_validator("compiled/service.json"), item), item["id"]
            assert not schema_errors(item, "service_list") and not schema_errors(item, "service")
    if template == "/service_at_locations":
        for item in doc["contents"]:
            assert not _errors(schema_validator("compiled/service_at_location.json"), item), item["id"]
            assert not schema_errors(item, "service_at_location_list")
    if "contents" in doc:  # the envelope adds up
        assert doc["size"] == len(doc["contents"])
        assert doc["empty"] is (not doc["contents"])
        assert doc["first_page"] is (doc["page_number"] == 1)
        assert doc["last_page"] is (doc["page_number"] >= doc["total_pages"])


def fetch(api, url: str, template: str | None = None, status: int = 200) -> dict[str, Any]:
    """GET a URL; check the status, JSON, CORS and (for a 200) the official schema; return the body."""
    response = api.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    if status == 200:
        assert template is not None
        assert_valid(template, body)
    else:
        assert body == {"status": status, "message": body["message"]} and body["message"]
    return body


def all_pages(api, url: str, template: str) -> list[dict[str, Any]]:
    items, page = [], 1
    while True:
        doc = fetch(api, f"{url}{'&' if '?' in url else '?'}per_page=100&page={page}", template)
        items += doc["contents"]
        if doc["last_page"]:
            assert len(items) == doc["total_items"]
            return items
        page += 1


def term_id(api, name: str) -> str:
    terms = fetch(api, "/api/oruk/taxonomy_terms?per_page=100", "/taxonomy_terms")["contents"]
    return next(t["id"] for t in terms if t["name"] == name)


def is_free(service: dict[str, Any]) -> bool:
    return any(c.get("amount") == 0 or "free" in str(c.get("option", "")).casefold()
               for c in service.get("cost_options") or [])


# --- the routes ---------------------------------------------------------------------------------------------

def test_api_details_and_the_openapi_description(api) -> None:
    details = fetch(api, "/api/oruk/", "/")
    assert details["version"] == "3.0"
    assert "OpenReferralUK/uk-profile" in details["profile"]
    assert details["openapi_url"].endswith("/api/oruk/openapi.json")
    served = api.get("/api/oruk/openapi.json")
    assert served.status_code == 200 and served.headers["Access-Control-Allow-Origin"] == "*"
    assert served.headers["Content-Type"] == "application/json"
    assert json.loads(served.get_data()) == json.loads((SCHEMAS / "openapi.json").read_text())


def test_services_pages_are_official_and_deterministic(api, listed, directory_url: str) -> None:
    services = listed["/services"]
    engine = make_engine(directory_url)
    with make_sessionmaker(engine)() as session:
        listed = session.scalar(select(func.count()).select_from(Service)
                                .where(Service.status == "active", Service.temporarily_closed.is_(False)))
    engine.dispose()
    assert len(services) == listed > 200
    assert len({s["id"] for s in services}) == len(services)
    assert [(s["name"], s["id"]) for s in services] == sorted((s["name"], s["id"]) for s in services)
    assert all(s["status"] == "active" for s in services)
    assert any(s["service_at_locations"] for s in services) and any(s.get("organization") for s in services)
    # The same page twice is the same page; the default page size is 50.
    first = fetch(api, "/api/oruk/services", "/services")
    assert first == fetch(api, "/api/oruk/services", "/services")
    assert first["size"] == 50 and first["page_number"] == 1 and first["total_pages"] == -(-listed // 50)
    beyond = fetch(api, f"/api/oruk/services?page={first['total_pages'] + 1}", "/services")
    assert beyond["empty"] and beyond["last_page"] and beyond["total_items"] == listed


def test_one_service_by_id(api) -> None:
    page = fetch(api, "/api/oruk/services?per_page=20&search=parenting", "/services")["contents"]
    listed = next(s for s in page if s["service_at_locations"])
    one = fetch(api, f"/api/oruk/services/{listed['id']}", "/services/{id}")
    assert one == listed and one["service_at_locations"] and one["cost_options"]
    assert fetch(api, f"/api/oruk/services/{listed['id'].upper()}", "/services/{id}")["id"] == listed["id"]


def test_service_at_locations_list_places_not_phone_lines(api, listed) -> None:
    items, services = listed["/service_at_locations"], listed["/services"]
    expected = {sal["id"] for s in services for sal in s["service_at_locations"]}
    assert {i["id"] for i in items} == expected and len(items) == len(expected)
    remote_only = {s["id"] for s in services if not s["service_at_locations"]}
    assert remote_only and not remote_only & {i["service_id"] for i in items}
    for item in items[:5]:
        assert item["service"]["id"] == item["service_id"] and item["location"]["id"] == item["location_id"]
        assert "service_at_locations" not in item["service"]
        assert fetch(api, f"/api/oruk/service_at_locations/{item['id']}", "/service_at_locations/{id}") == item


def test_the_done_when_search_through_the_api(api) -> None:
    """A free parenting group within 5 miles of RG40 1BN for a 4-year-old, as a partner system would ask."""
    parenting = term_id(api, "Parenting support")
    url = (f"/api/oruk/service_at_locations?postcode={quote(HOME)}&proximity={FIVE_MILES_IN_METRES}"
           f"&taxonomy_term_id={parenting}&minimum_age=4&maximum_age=4&per_page=100")
    response = api.get(url)
    assert response.headers["X-Proximity-Applied"] == str(FIVE_MILES_IN_METRES)
    doc = fetch(api, url, "/service_at_locations")
    assert doc["total_items"] == doc["size"] > 0
    home = lookup(HOME)
    assert home.lat is not None and home.lon is not None
    distances = []
    for item in doc["contents"]:
        service, location = item["service"], item["location"]
        miles = distance_miles(home.lat, home.lon, location["latitude"], location["longitude"])
        distances.append(miles)
        assert miles <= 5.05  # the finder measures to the postcode of the address: allow its rounding
        assert (service.get("minimum_age") or 0) <= 4 <= (service.get("maximum_age") or 120)
        assert parenting in {a["taxonomy_term_id"] for a in service["attributes"]}
    assert distances == sorted(distances)  # nearest first
    free = [item for item in doc["contents"] if is_free(item["service"])]  # the spec has no cost filter
    assert free, "no free parenting group within 5 miles of RG40 1BN for a 4-year-old"
    # `age` says the same as minimum_age and maximum_age.
    same = fetch(api, url.replace("minimum_age=4&maximum_age=4", "age=4"), "/service_at_locations")
    assert same == doc


def test_filters_narrow_the_list(api) -> None:
    everything = fetch(api, "/api/oruk/services?per_page=1", "/services")["total_items"]
    for query in ("search=parenting", "text=parenting", "age=15", "day=SA", "day=saturday",
                  f"taxonomy_term_id={term_id(api, 'Family support')}"):
        doc = fetch(api, f"/api/oruk/services?{query}&per_page=1", "/services")
        assert 0 < doc["total_items"] < everything, query
    teens = fetch(api, "/api/oruk/services?age=15&per_page=100", "/services")["contents"]
    assert all((s.get("minimum_age") or 0) <= 15 <= (s.get("maximum_age") or 120) for s in teens)
    saturday = fetch(api, "/api/oruk/services?day=SA&per_page=10", "/services")
    assert saturday == fetch(api, "/api/oruk/services?day=Saturday&per_page=10", "/services")
    assert all(any("SA" in (sch.get("byday") or "") for sch in s["schedules"]) for s in saturday["contents"])
    # A top-level category includes its subcategories.
    family = fetch(api, f"/api/oruk/services?taxonomy_term_id={term_id(api, 'Family support')}&per_page=1",
                   "/services")["total_items"]
    parenting = fetch(api, f"/api/oruk/services?taxonomy_term_id={term_id(api, 'Parenting support')}&per_page=1",
                      "/services")["total_items"]
    assert family > parenting > 0
    taxonomy = fetch(api, "/api/oruk/taxonomies", "/taxonomies")["contents"][0]["id"]
    assert fetch(api, f"/api/oruk/services?taxonomy_id={taxonomy}&per_page=1", "/services")["total_items"] > 0
    # Postcode and proximity on /services too (beyond the spec): nearest first, fewer within 1 mile.
    around = f"/api/oruk/services?postcode={quote(HOME)}&per_page=1&proximity="
    near = fetch(api, around + "1609", "/services")["total_items"]
    wide = fetch(api, around + "32187", "/services")["total_items"]
    assert 0 < near < wide
    # An outward code works as well as a full postcode.
    outward = fetch(api, "/api/oruk/service_at_locations?postcode=RG40&per_page=1", "/service_at_locations")
    assert outward["total_items"] > 0


def test_taxonomies_and_terms(api) -> None:
    taxonomies = fetch(api, "/api/oruk/taxonomies", "/taxonomies")
    assert taxonomies["total_items"] == 1
    taxonomy = taxonomies["contents"][0]
    assert fetch(api, f"/api/oruk/taxonomies/{taxonomy['id']}", "/taxonomies/{id}") == taxonomy
    terms = all_pages(api, "/api/oruk/taxonomy_terms", "/taxonomy_terms")
    assert len(terms) == 49 and [(t["name"], t["id"]) for t in terms] == sorted((t["name"], t["id"]) for t in terms)
    top = fetch(api, "/api/oruk/taxonomy_terms?top_only=true&per_page=100", "/taxonomy_terms")["contents"]
    assert len(top) == 6 and not any(t.get("parent_id") for t in top)
    family = next(t for t in top if t["name"] == "Family support")
    children = fetch(api, f"/api/oruk/taxonomy_terms?parent_id={family['id']}&per_page=100",
                     "/taxonomy_terms")["contents"]
    assert children and all(t["parent_id"] == family["id"] for t in children)
    assert fetch(api, f"/api/oruk/taxonomy_terms?taxonomy_id={taxonomy['id']}&per_page=1",
                 "/taxonomy_terms")["total_items"] == 49
    assert fetch(api, f"/api/oruk/taxonomy_terms/{family['id']}", "/taxonomy_terms/{id}") == family


def test_open_cors_and_preflight(api) -> None:
    for url in ("/api/oruk/", "/api/oruk/services", "/api/oruk/services/nope", "/api/oruk/services?page=0"):
        assert api.get(url).headers["Access-Control-Allow-Origin"] == "*"
    preflight = api.options("/api/oruk/service_at_locations", headers={
        "Origin": "https://partner.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "POST" not in preflight.headers["Allow"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_even_with_csrf_on(method: str, directory_url: str, tmp_path: Path) -> None:
    app = create_app(app_config(directory_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    for url in ("/api/oruk/", "/api/oruk/services", f"/api/oruk/services/{uuid.uuid4()}", "/api/oruk/taxonomies"):
        response = getattr(client, method)(url, json={"name": "x"})
        assert response.status_code == 405, (url, response.status_code)
        assert response.headers["Content-Type"] == "application/json"
        assert response.get_json()["status"] == 405 and "GET" in response.headers["Allow"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


# A well-formed id nothing has: fixed, so every test process collects the same test ids (pytest-xdist).
UNKNOWN_ID = "0d5f7a52-3c1e-4b8e-9f6a-2b7c9d1e4a60"
BAD_INPUT = [
    ("/api/oruk/service_at_locations?postcode=12345-ABC", 400),
    ("/api/oruk/service_at_locations?postcode=" + "R" * 5000, 400),
    ("/api/oruk/service_at_locations?postcode=ZZ99%209ZZ&proximity=8047", 400),
    ("/api/oruk/service_at_locations?postcode=RG40%201BN&proximity=-1", 400),
    ("/api/oruk/service_at_locations?postcode=RG40%201BN&proximity=0", 400),
    ("/api/oruk/service_at_locations?postcode=RG40%201BN&proximity=far", 400),
    ("/api/oruk/service_at_locations?postcode=RG40%201BN&proximity=inf", 400),
    ("/api/oruk/service_at_locations?proximity=8047", 400),
    ("/api/oruk/services?per_page=1000000", 400),
    ("/api/oruk/services?per_page=0", 400),
    ("/api/oruk/services?per_page=ten", 400),
    ("/api/oruk/services?page=-1", 400),
    ("/api/oruk/services?page=0", 400),
    ("/api/oruk/services?page=1.5", 400),
    ("/api/oruk/services?page=" + "9" * 5000, 400),
    ("/api/oruk/taxonomies?per_page=1000000", 400),
    ("/api/oruk/taxonomy_terms?page=-1", 400),
    ("/api/oruk/services?age=-5", 400),
    ("/api/oruk/services?age=999", 400),
    ("/api/oruk/services?age=nan", 400),
    ("/api/oruk/services?minimum_age=-5&maximum_age=-5", 400),
    ("/api/oruk/service_at_locations?minimum_age=4&maximum_age=999", 400),
    ("/api/oruk/services?minimum_age=4", 400),
    (f"/api/oruk/services?taxonomy_term_id={UNKNOWN_ID}", 400),
    ("/api/oruk/services?taxonomy_term_id=%27%20OR%201%3D1%20--", 400),
    (f"/api/oruk/service_at_locations?taxonomy_id={UNKNOWN_ID}", 400),
    ("/api/oruk/taxonomy_terms?parent_id=nope", 400),
    ("/api/oruk/taxonomy_terms?top_only=maybe", 400),
    ("/api/oruk/services?day=Funday", 400),
    ("/api/oruk/services?search=" + "a" * 500, 400),
    ("/api/oruk/services?search=abc%00def", 400),
    ("/api/oruk/services/not-a-uuid", 404),
    (f"/api/oruk/services/{UNKNOWN_ID}", 404),
    ("/api/oruk/services/%27%20OR%201%3D1%20--", 404),
    ("/api/oruk/services/" + "a" * 5000, 404),
    (f"/api/oruk/service_at_locations/{UNKNOWN_ID}", 404),
    ("/api/oruk/taxonomies/nope", 404),
    (f"/api/oruk/taxonomy_terms/{UNKNOWN_ID}", 404),
    ("/api/oruk/no_such_route", 404),
]


@pytest.mark.parametrize(("url", "status"), BAD_INPUT, ids=[u[11:60] for u, _ in BAD_INPUT])
def test_bad_input_is_a_json_error_never_a_500(api, url: str, status: int) -> None:
    body = fetch(api, url, status=status)
    sent = [value for values in parse_qs(urlsplit(url).query).values() for value in values]
    assert not [value for value in sent if len(value) > 3 and value in body["message"]]  # never echoes input


def test_postcode_errors_say_which_problem(api) -> None:
    not_one = fetch(api, "/api/oruk/service_at_locations?postcode=hello", status=400)["message"]
    unknown = fetch(api, "/api/oruk/service_at_locations?postcode=ZZ99%209ZZ", status=400)["message"]
    assert "not a postcode" in not_one and "could not find" in unknown


@pytest.mark.parametrize("text", ["' OR 1=1 --", "'; DROP TABLE services; --", "<script>alert(1)</script>",
                                  "%", "_", "\\", "\"}]}", "Robert'); DELETE FROM services;--"])
def test_injection_in_the_text_search_is_just_text(api, text: str) -> None:
    before = fetch(api, "/api/oruk/services?per_page=1", "/services")["total_items"]
    response = api.get(f"/api/oruk/services?search={quote(text)}")
    assert response.status_code == 200
    doc = fetch(api, f"/api/oruk/services?search={quote(text)}", "/services")
    assert doc["total_items"] < before
    assert "<script>" not in response.get_data(as_text=True)
    assert fetch(api, "/api/oruk/services?per_page=1", "/services")["total_items"] == before


def test_json_is_plain_utf8_not_html_escaped(api) -> None:
    body = api.get("/api/oruk/services?search=children%27s&per_page=100").get_data(as_text=True)
    assert "Children's" in body and "&#39;" not in body and "\\u0027" not in body


def test_unknown_and_unsupported_parameters_are_ignored(api) -> None:
    plain = fetch(api, "/api/oruk/services?per_page=5", "/services")
    assert fetch(api, "/api/oruk/services?per_page=5&colour=blue&start_time=10:00&full=true", "/services") == plain


def test_a_refuge_never_reveals_where_it_is(api, listed) -> None:
    bodies = [json.dumps(item) for items in listed.values() for item in items]
    found = fetch(api, f"/api/oruk/services?search={quote('Kestrel Refuge')}", "/services")["contents"]
    refuge = [s for s in found if s["name"] == REFUGE]
    assert len(refuge) == 1
    one = fetch(api, f"/api/oruk/services/{refuge[0]['id']}", "/services/{id}")
    bodies.append(json.dumps(one))
    for sal in one["service_at_locations"]:
        assert sal["location"]["addresses"][0]["postal_code"] == "RG41"
        bodies.append(api.get(f"/api/oruk/service_at_locations/{sal['id']}").get_data(as_text=True))
    nearby = f"/api/oruk/service_at_locations?postcode=RG41&proximity=1609&search={quote('refuge')}"
    bodies.append(json.dumps(fetch(api, nearby, "/service_at_locations")))
    everything = "\n".join(bodies)
    assert REFUGE in everything
    for secret in REFUGE_SECRETS:
        assert secret not in everything
    # Other (public) venues share the refuge's postcode, so look inside every confidential location: none
    # has a full postcode, a street address or precise coordinates.
    confidential = [location for location in _locations(json.loads(f"[{','.join(bodies)}]"))
                    if any((a.get("taxonomy_term") or {}).get("term") == "confidential-location"
                           for a in location.get("attributes") or [])]
    assert {location["id"] for location in confidential} >= {sal["location_id"] for sal in one["service_at_locations"]}
    for location in confidential:
        text = json.dumps(location)
        assert not FULL_POSTCODE.search(text) and "Street" not in text and "Road" not in text
        assert all(len(repr(location[k]).split(".")[-1]) <= 2 for k in ("latitude", "longitude"))


def _locations(doc: Any) -> Iterator[dict[str, Any]]:
    """Every ORUK location object anywhere in a document."""
    if isinstance(doc, dict):
        if "location_type" in doc and "id" in doc:
            yield doc
        for value in doc.values():
            yield from _locations(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _locations(value)


def test_searches_never_reach_the_log(api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fetch(api, f"/api/oruk/service_at_locations?postcode={quote(HOME)}&search=parenting", "/service_at_locations")
    fetch(api, "/api/oruk/service_at_locations?postcode=ZZ99%209ZZ&search=secretword", status=400)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not re.search(r"RG40|ZZ99|parenting|secretword", logged, re.IGNORECASE)


def test_rate_limited_in_json(directory_url: str, tmp_path: Path) -> None:
    app = create_app(app_config(directory_url, tmp_path, RATELIMIT_ENABLED=True, PAGE_RATE_LIMIT="2 per minute"))
    client = app.test_client()
    statuses = [client.get("/api/oruk/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.get("/api/oruk/")
    assert limited.get_json()["status"] == 429 and limited.headers["Access-Control-Allow-Origin"] == "*"


def test_the_schema_checks_are_not_vacuous(api) -> None:
    page = fetch(api, "/api/oruk/services?per_page=2", "/services")
    for broken in ({k: v for k, v in page.items() if k != "total_items"},
                   {**page, "contents": [{"id": page["contents"][0]["id"]}]},
                   {**page, "contents": [{**page["contents"][0], "id": "not-a-uuid"}]}):
        assert _errors(response_validator("/services"), broken)
    sal = fetch(api, "/api/oruk/service_at_locations?per_page=1", "/service_at_locations")
    assert _errors(response_validator("/service_at_locations"),
                   {**sal, "contents": [{**sal["contents"][0], "location": {"id": "x"}}]})
    assert _errors(response_validator("/"), {"version": "3.0"}) or _errors(schema_validator("api_details.json"),
                                                                           {"version": "3.0"})
    assert _errors(response_validator("/taxonomy_terms"), {**page, "contents": [{"id": str(uuid.uuid4())}]})


@pytest.fixture(autouse=True)
def _no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    yield
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("portal")]


def test_the_done_when_search_with_free_only_matches_the_web_finder(api) -> None:
    parenting = term_id(api, "Parenting support")
    url = (f"/api/oruk/service_at_locations?postcode=RG40%201BN&proximity=8047&taxonomy_term_id={parenting}"
           "&age=4&free=true&per_page=100")
    items = fetch(api, url, "/service_at_locations")["contents"]
    assert items
    for item in items:
        costs = item["service"].get("cost_options") or []
        assert any(c.get("amount") == 0 or "free" in str(c.get("option", "")).lower() for c in costs)
    everything = fetch(api, url.replace("&free=true", ""), "/service_at_locations")["contents"]
    assert len(everything) > len(items)  # the paid ones are filtered out, not the free ones
