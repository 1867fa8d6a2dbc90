"""The demonstration directory (signposting/data/demo_directory.json) and its generator."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from signposting import demo_directory as dd

# The official Open Referral UK 3.0 schemas. One constant: point it at the project's own copy once there is one.
ORUK_DIR = Path(__file__).resolve().parents[1] / "signposting" / "schemas" / "oruk-3.0"
SERVICE_SCHEMA = ORUK_DIR / "compiled" / "service.json"
CATEGORIES = dd.TAXONOMY_SOURCE

HELPLINES = {  # the real national numbers (shared/domain.md, plus Family Lives and NHS 111)
    "NSPCC Helpline": "0808 800 5000",
    "Childline": "0800 1111",
    "National Domestic Abuse Helpline": "0808 2000 247",
    "Samaritans": "116 123",
    "Shout 85258": "85258",
    "Police non-emergency number 101": "101",
    "Family Lives Helpline": "0808 800 2222",
    "NHS 111": "111",
}
RG40_1BN = (51.4118, -0.8390)


@pytest.fixture(scope="module")
def directory() -> dict[str, Any]:
    return json.loads(dd.DIRECTORY_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(directory: dict[str, Any]) -> list[dict[str, Any]]:
    return directory["services"]


@pytest.fixture(scope="module")
def taxonomy() -> dict[str, Any]:
    return json.loads(dd.TAXONOMY_PATH.read_text(encoding="utf-8"))


def fictional(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in services if s["name"].endswith("(demo)")]


def locations(service: dict[str, Any]) -> list[dict[str, Any]]:
    return [sal["location"] for sal in service["service_at_locations"]]


def is_free(service: dict[str, Any]) -> bool:
    return all(option["amount"] == 0 for option in service["cost_options"])


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 3958.8 * 2 * math.asin(math.sqrt(h))


def standalone_validator(name: str) -> Draft202012Validator:
    """A validator for one of the standalone (uncompiled) schemas, which $ref each other by file name."""
    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in ORUK_DIR.glob("*.json")}
    registry = Registry().with_resources(
        (file_name, DRAFT202012.create_resource(schema)) for file_name, schema in schemas.items()
        if "properties" in schema
    )
    return Draft202012Validator(schemas[name], registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


# ---- the ORUK schema ---------------------------------------------------------------------------------------

def test_every_service_validates_against_the_compiled_oruk_schema(services):
    validator = Draft202012Validator(json.loads(SERVICE_SCHEMA.read_text(encoding="utf-8")),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{s['name']}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
              for s in services for e in validator.iter_errors(s)]
    assert errors == []


def test_phones_and_taxonomy_validate_against_the_standalone_schemas(services, taxonomy):
    phone = standalone_validator("phone.json")
    errors = [e.message for s in services for p in s["phones"] for e in phone.iter_errors(p)]
    term = standalone_validator("taxonomy_term.json")
    errors += [e.message for t in taxonomy["taxonomy_terms"] for e in term.iter_errors(t)]
    tax = standalone_validator("taxonomy.json")
    errors += [e.message for e in tax.iter_errors(taxonomy["taxonomy"])]
    for extra in taxonomy["supplementary_taxonomies"]:
        errors += [e.message for e in tax.iter_errors(extra["taxonomy"])]
        errors += [e.message for t in extra["taxonomy_terms"] for e in term.iter_errors(t)]
    assert errors == []


# ---- size and labelling -------------------------------------------------------------------------------------

def test_size(directory, services):
    assert len(services) >= 220
    assert len(fictional(services)) >= 200
    organisations = {s["organization"]["id"] for s in fictional(services)}
    assert 70 <= len(organisations) <= 100
    assert dd.DIRECTORY_PATH.stat().st_size < 2_000_000
    assert set(directory) == {"licence", "note", "services"}


def test_demonstration_data_is_labelled(directory, services):
    assert directory["note"].startswith("Demonstration data")
    assert "Open Referral UK" in directory["licence"] and "Crown copyright" in directory["licence"]
    real = {s["name"] for s in services if not s["name"].endswith("(demo)")}
    assert real == set(HELPLINES)
    for service in fictional(services):
        assert "Demonstration data" in service["description"], service["name"]
        assert service["organization"]["name"].endswith("(demo)")
        assert service["organization"]["description"].startswith("Demonstration data: a fictional organisation.")
        assert service["url"].startswith("https://example.org/")
        assert service["organization"]["website"].startswith("https://example.org/")
        for location in locations(service):
            assert "Demonstration data" in location["description"]


def test_contact_details_are_fictional(services):
    emails = [s.get("email") for s in services] + [s.get("assurer_email") for s in services]
    emails += [s["organization"].get("email") for s in services]
    assert all(e.endswith("example.org") for e in emails if e), "only example.org addresses"
    for service in fictional(services):
        for phone in service["phones"]:  # Ofcom's drama ranges only
            assert re.fullmatch(r"0118 496 0\d{3}|01632 960\d{3}|07700 900\d{3}", phone["number"]), phone


# ---- ids ---------------------------------------------------------------------------------------------------

def walk(node: Any, kind: str = "service"):
    """Yield (kind, object) for every object with an id; kind is the key it was found under."""
    if isinstance(node, dict):
        if "id" in node:
            yield kind, node
        for key, value in node.items():
            yield from walk(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item, kind)


SHARED_KINDS = {"organization", "location", "addresses", "accessibility", "taxonomy_term"}


def test_ids_are_deterministic_uuids_and_unique(services, taxonomy):
    seen: dict[str, str] = {}
    owned = Counter()
    kinds = set()
    for kind, obj in walk(services):
        kinds.add(kind)
        assert uuid.UUID(obj["id"]).version == 5, (kind, obj["id"])
        body = json.dumps(obj, sort_keys=True)
        # An id shared between services (an organisation, a location) always names the same object...
        assert seen.setdefault(obj["id"], body) == body, (kind, obj["id"])
        if kind not in SHARED_KINDS:
            owned[obj["id"]] += 1
    # ...and everything a service owns has an id of its own.
    assert [i for i, n in owned.items() if n > 1] == []
    assert {"service", "organization", "service_at_locations", "location", "addresses", "schedules", "phones",
            "cost_options", "contacts", "languages", "service_areas", "accessibility", "attributes",
            "taxonomy_term", "funding"} <= kinds
    term_ids = [t["id"] for t in taxonomy["taxonomy_terms"]]
    assert len(set(term_ids)) == len(term_ids)
    assert uuid.UUID(taxonomy["taxonomy"]["id"]).version == 5


def test_references_point_inside_the_service(services):
    for service in services:
        sal_ids = {sal["id"] for sal in service["service_at_locations"]}
        assert service["organization_id"] == service["organization"]["id"]
        for sal in service["service_at_locations"]:
            assert sal["service_id"] == service["id"] and sal["location_id"] == sal["location"]["id"]
            for address in sal["location"]["addresses"]:
                assert address["location_id"] == sal["location"]["id"]
        for schedule in service["schedules"]:
            assert schedule["service_id"] == service["id"]
            if "service_at_location_id" in schedule:
                assert schedule["service_at_location_id"] in sal_ids
        for key in ("phones", "languages", "cost_options", "service_areas", "contacts", "funding"):
            assert all(item["service_id"] == service["id"] for item in service.get(key, ()))
        assert all(attr["link_id"] == service["id"] for attr in service["attributes"])


# ---- taxonomy ----------------------------------------------------------------------------------------------

def test_taxonomy_is_the_dfe_two_level_list(taxonomy):
    categories = json.loads(CATEGORIES.read_text(encoding="utf-8"))
    assert taxonomy["taxonomy"]["name"] == "DfE family hubs service categories"
    terms = taxonomy["taxonomy_terms"]
    tops = {t["name"]: t for t in terms if "parent_id" not in t}
    assert list(tops) == list(categories)
    for top, subs in categories.items():
        children = [t["name"] for t in terms if t.get("parent_id") == tops[top]["id"]]
        assert children == subs
    assert all(t["taxonomy_id"] == taxonomy["taxonomy"]["id"] for t in terms)


def test_every_service_has_one_to_three_categories_and_every_subcategory_is_used(services, taxonomy):
    terms = {t["id"]: t for t in taxonomy["taxonomy_terms"]}
    subcategories = {t["id"] for t in terms.values() if "parent_id" in t}
    used = set()
    for service in services:
        linked = [attr["taxonomy_term"] for attr in service["attributes"]]
        assert 1 <= len(linked) <= 3, service["name"]
        for term in linked:
            assert terms[term["id"]] == term  # the nested term is the taxonomy's term, whole
            assert term["id"] in subcategories
            used.add(term["id"])
    assert sorted(terms[i]["name"] for i in subcategories - used) == []


# ---- the national helplines and delivery mode ----------------------------------------------------------------

def test_national_helplines_have_the_right_numbers_and_no_venue(services):
    by_name = {s["name"]: s for s in services}
    for name, number in HELPLINES.items():
        service = by_name[name]
        assert [p["number"] for p in service["phones"]] == [number]
        assert service["service_at_locations"] == []
        assert service["service_areas"][0]["name"] in ("United Kingdom", "England")
        assert "In person" not in dd.delivery_modes(service)
        assert is_free(service)
    assert by_name["Shout 85258"]["phones"][0]["type"] == "text"
    assert dd.delivery_modes(by_name["Shout 85258"]) == {"Text message"}


def test_delivery_modes(services):
    modes = Counter(mode for s in services for mode in dd.delivery_modes(s))
    assert set(modes) == set(dd.DELIVERY_MODES)
    for service in services:
        assert all(s["attending_type"] in dd.DELIVERY_MODES for s in service["schedules"])
        in_person = [s for s in service["schedules"] if s["attending_type"] == "In person"]
        if service["service_at_locations"]:
            assert in_person and all("service_at_location_id" in s for s in in_person), service["name"]
        else:
            assert not in_person and service["service_areas"], service["name"]
    remote_only = [s for s in fictional(services) if not s["service_at_locations"]]
    assert len(remote_only) >= 5  # local services by phone or online, for the "listed apart" rule


# ---- sensitive venues ---------------------------------------------------------------------------------------

def test_refuges_are_marked_confidential(services, taxonomy):
    refuges = [s for s in services if "Refuge (demo)" in s["name"]]
    assert refuges
    for refuge in refuges:
        assert locations(refuge) and all(dd.is_confidential_location(loc) for loc in locations(refuge))
        assert "contacts" not in refuge
    confidential = {loc["id"] for s in services for loc in locations(s) if dd.is_confidential_location(loc)}
    assert confidential == {loc["id"] for s in refuges for loc in locations(s)}
    flag_terms = [t for extra in taxonomy["supplementary_taxonomies"] for t in extra["taxonomy_terms"]]
    assert dd.CONFIDENTIAL_LOCATION_TERM in flag_terms


# ---- the fields a search filters on --------------------------------------------------------------------------

def test_ages_costs_and_status(services):
    lows = [s for s in services if "minimum_age" in s and "maximum_age" not in s]
    highs = [s for s in services if "maximum_age" in s and "minimum_age" not in s]
    neither = [s for s in services if "minimum_age" not in s and "maximum_age" not in s]
    assert lows and highs and neither
    assert all(s["minimum_age"] <= s["maximum_age"] for s in services if "minimum_age" in s and "maximum_age" in s)
    free = [s for s in services if is_free(s)]
    assert 0.4 <= len(free) / len(services) <= 0.65
    for service in services:
        assert service["cost_options"]
        for option in service["cost_options"]:
            assert option["currency"] == "GBP" and option["amount"] >= 0
    status = Counter(s["status"] for s in services)
    assert status["active"] > 0.9 * len(services) and status["inactive"] >= 3 and status["temporarily closed"] >= 1


def test_dates_fall_in_the_year_before_the_reference_date(services):
    for service in services:
        assured = date.fromisoformat(service["assured_date"])
        modified = datetime.strptime(service["last_modified"], "%Y-%m-%dT%H:%M:%S.%fZ").date()
        assert dd.REFERENCE_DATE - timedelta(days=365) <= assured <= modified <= dd.REFERENCE_DATE


def test_schedules(services):
    byday = re.compile(r"(-?[1-5]?(MO|TU|WE|TH|FR|SA|SU))(,-?[1-5]?(MO|TU|WE|TH|FR|SA|SU))*")
    days = Counter()
    for service in services:
        assert service["schedules"], service["name"]
        for schedule in service["schedules"]:
            if "byday" in schedule:
                assert byday.fullmatch(schedule["byday"]) and schedule["freq"] in ("WEEKLY", "MONTHLY")
                days.update(re.sub(r"-?\d", "", d) for d in schedule["byday"].split(","))
            if "opens_at" in schedule:
                assert re.fullmatch(r"\d\d:\d\d", schedule["opens_at"])
                assert re.fullmatch(r"\d\d:\d\d", schedule["closes_at"])
                assert schedule["opens_at"] < schedule["closes_at"]
    assert days["SA"] >= 10 and days["SU"] >= 5
    assert any(s.get("freq") == "MONTHLY" for service in services for s in service["schedules"])


def test_languages_and_accessibility(services):
    languages = Counter(lang["name"] for s in services for lang in s["languages"])
    assert languages["English"] == len(services)
    for name in ("Polish", "Urdu", "Punjabi", "Nepali", "Romanian", "Arabic", "British Sign Language"):
        assert languages[name] >= 1, name
    assert all(lang["code"] in dd.LANGUAGES for s in services for lang in s["languages"])
    features = Counter()
    for service in services:
        for location in locations(service):
            assert location["location_type"] == "physical" and location["accessibility"]
            features.update(a["description"] for a in location["accessibility"])
    assert {"Wheelchair access", "Hearing loop", "Accessible toilet"} <= set(features)


# ---- places ------------------------------------------------------------------------------------------------

def test_locations_are_spread_over_berkshire(services):
    postcodes = {loc["addresses"][0]["postal_code"] for s in services for loc in locations(s)}
    districts = {p.split()[0] for p in postcodes}
    for district in ("RG40", "RG41", "RG6", "RG5", "RG45", "RG10", "RG1", "RG2", "RG30", "RG31", "RG12", "RG42",
                     "SL6", "SL1", "RG14", "SL4"):
        assert district in districts, district
    near = {s["id"] for s in services for loc in locations(s)
            if miles(RG40_1BN, (loc["latitude"], loc["longitude"])) <= 1}
    assert len(near) >= 10


def test_postcodes_are_real_and_coordinates_match_them(services):
    from signposting.postcodes import distance_miles, lookup

    for service in services:
        for loc in locations(service):
            postcode = loc["addresses"][0]["postal_code"]
            found = lookup(postcode)
            assert found.status == "found", postcode
            assert distance_miles(found.lat, found.lon, loc["latitude"], loc["longitude"]) < 0.2, postcode


def test_a_free_parenting_group_near_rg40_1bn_for_a_four_year_old(services):
    matches = []
    for service in services:
        if service["status"] != "active" or "parenting" not in service["name"].lower() or not is_free(service):
            continue
        if service.get("minimum_age", 0) > 4 or service.get("maximum_age", 99) < 4:
            continue
        categories = {attr["taxonomy_term"]["name"] for attr in service["attributes"]}
        distances = [miles(RG40_1BN, (loc["latitude"], loc["longitude"])) for loc in locations(service)]
        if "Parenting support" in categories and distances and min(distances) <= 5:
            matches.append(service["name"])
    assert len(matches) >= 5, matches


# ---- the generator -----------------------------------------------------------------------------------------

def test_the_generator_is_deterministic_and_the_files_are_up_to_date(tmp_path):
    first_directory, first_taxonomy = dd.build()
    second_directory, second_taxonomy = dd.build()
    assert dd.dumps(first_directory) == dd.dumps(second_directory)
    assert dd.dumps(first_taxonomy) == dd.dumps(second_taxonomy)
    dd.write(tmp_path / "directory.json", tmp_path / "taxonomy.json")
    written = (tmp_path / "directory.json").read_text(encoding="utf-8")
    assert written == dd.DIRECTORY_PATH.read_text(encoding="utf-8"), "run `python -m signposting.demo_directory`"
    assert (tmp_path / "taxonomy.json").read_text(encoding="utf-8") == dd.TAXONOMY_PATH.read_text(encoding="utf-8")
