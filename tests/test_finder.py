"""The public service finder (/services): search, the service page, the shortlist, bad input, privacy, and the
suggestions on the journeys' confirmation pages. One demo directory is loaded per module and copied per test."""

from __future__ import annotations

import datetime as dt
import html
import logging
import math
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from forms import examples
from portal import finder
from signposting.directory import load_demo_directory
from signposting.models import Service, TaxonomyTerm
from signposting.postcodes import ATTRIBUTION
from signposting.search import Query, search
from signposting.suggest import suggest
from store.db import make_engine, make_sessionmaker
from tests.conftest import app_config
from tests.journey_support import walk

PARENTING = "1fdcc25a-a1ef-5286-8e8c-5edbfc2209af"  # Family support: Parenting support
REFUGE = "717c28c7-e915-501d-bca9-464db4faeff8"  # Kestrel Refuge (demo), a confidential address
EVENDON = "7c78e41d-deda-5833-9216-a012f08ff934"  # Evendon Positive Parenting Group (demo)
DONE_WHEN = {"postcode": "RG40 1BN", "distance": "5", "category": PARENTING, "age": "4", "free": "yes"}
RESULT_LINK = re.compile(r'<a class="govuk-link" href="/services/([0-9a-f-]{36})[^"]*">([^<]+)</a></h3>')


@pytest.fixture(scope="module")
def directory_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("finder") / "directory.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_sessionmaker(engine)() as session:
        report = load_demo_directory(session)
        assert not report.errors
    engine.dispose()
    return path


@pytest.fixture
def database_url(directory_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "frontdoor.db"
    shutil.copy(directory_db, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def reader(directory_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """One app for the tests that only read (each new app compiles its templates again, which is slow)."""
    from portal import create_app

    app = create_app(app_config(f"sqlite:///{directory_db}", tmp_path_factory.mktemp("reader")))
    return app.test_client()


@pytest.fixture(scope="module")
def listed(directory_db: Path) -> int:
    """How many services the finder lists with no filters: the active ones not temporarily closed."""
    engine = make_engine(f"sqlite:///{directory_db}")
    with make_sessionmaker(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Service).where(
            Service.status == "active", Service.temporarily_closed.is_(False)))
    engine.dispose()
    assert count > 200
    return count


def text_of(response) -> str:
    return response.get_data(as_text=True)


def results_in(page: str) -> list[tuple[str, str]]:
    return [(sid, html.unescape(name)) for sid, name in RESULT_LINK.findall(page)]


def section(page: str, start: str, end: str = "</main>") -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


# --- Search ---------------------------------------------------------------------------------------------------

def test_a_parent_finds_a_free_parenting_group_near_rg40_1bn_for_a_four_year_old(client, db_session):
    response = client.get("/services", query_string=DONE_WHEN)
    page = text_of(response)
    assert response.status_code == 200
    expected = search(db_session, Query(postcode="RG40 1BN", radius=5, categories=(PARENTING,), age=4,
                                        free_only=True, per_page=20))
    assert expected.total >= 3
    assert f"{expected.total} services within 5 miles of RG40 1BN" in page
    nearby = results_in(section(page, 'id="results"', 'id="remote"'))
    assert [sid for sid, _ in nearby] == [h.service.id for h in expected.nearby]
    assert any("Parenting Group" in name for _, name in nearby)
    # Nearest first, each with its distance; all of them free.
    distances = re.findall(r"<dt>Distance</dt><dd>([^<]+)</dd>", page)
    assert len(distances) == len(nearby)
    miles = [0.0 if d.startswith("Less than") else float(d.split()[0]) for d in distances]
    assert miles == sorted(miles) and max(miles) <= 5
    costs = re.findall(r"<dt>Cost</dt><dd>([^<]+)</dd>", page)
    assert costs and all(cost.startswith("Free") for cost in costs)
    # Phone and online services have their own section and no distance.
    remote = section(page, 'id="remote"')
    assert "By phone or online" in page and "Family Lives Helpline" in remote and "Distance" not in remote
    # Each result links to its service page, carrying the search so the page can link back to it.
    assert f'href="/services/{nearby[0][0]}?postcode=RG40+1BN&amp;distance=5' in page
    assert html.escape(ATTRIBUTION) in page


def test_the_form_alone_shows_no_results_and_every_filter(reader):
    page = text_of(reader.get("/services"))
    assert "Find services for children and families" in page and 'id="results"' not in page
    for name in ("postcode", "distance", "category", "age", "free", "day", "delivery", "language",
                 "accessibility", "text"):
        assert f'name="{name}"' in page
    assert '<form method="get" action="/services#results"' in page and "csrf_token" not in page.split("<form", 1)[1]
    assert '<option value="5" selected>5 miles</option>' in page
    assert re.search(r'<optgroup label="Family support">\s*<option value="[^"]+">All family support</option>', page)
    assert ">Parenting support</option>" in page and ": Parenting support" not in page
    assert '<option value="polish">Polish</option>' in page
    assert '<option value="wheelchair access">Wheelchair access</option>' in page
    assert "Ordnance Survey" not in page and "Contains OS data" not in page


def test_a_top_level_category_includes_its_subcategories(client, db_session):
    family = db_session.scalar(select(TaxonomyTerm.id).where(TaxonomyTerm.name == "Family support"))
    whole = text_of(client.get("/services", query_string={"category": family}))
    part = text_of(client.get("/services", query_string={"category": PARENTING}))
    count = lambda page: int(re.search(r"(\d+) services? found", page).group(1))  # noqa: E731
    assert count(whole) > count(part) > 0


def test_filters_narrow_the_results(reader, listed):
    def total(**args) -> int:
        page = text_of(reader.get("/services", query_string=args))
        return int(re.search(r"(\d+) services? (?:found|within)", page).group(1))

    everything = total(text="")
    assert everything == listed
    assert total(free="yes") < everything
    assert total(language="polish") < everything
    assert total(accessibility="hearing loop") < everything
    assert total(day="SU") < total(day="MO")
    assert total(delivery="remote") < everything and total(delivery="in_person") < everything
    assert total(text="parenting") < everything
    assert total(age="15") < everything
    assert total(postcode="RG40 1BN", distance="1") < total(postcode="RG40 1BN", distance="20")


def test_in_person_only_has_no_phone_or_online_section(reader):
    page = text_of(reader.get("/services", query_string={**DONE_WHEN, "delivery": "in_person"}))
    assert 'id="remote"' not in page


def test_more_than_twenty_results_are_paginated(reader, listed):
    first = text_of(reader.get("/services", query_string={"text": ""}))
    pages = math.ceil(listed / 20)
    assert f"{listed} services found" in first and f"Page 1 of {pages}" in first
    assert len(results_in(first)) == 20
    assert 'class="govuk-pagination' in first and 'aria-label="Pages of results"' in first
    assert "page=2#results" in first
    second = text_of(reader.get("/services", query_string={"text": "", "page": "2"}))
    assert f"Page 2 of {pages}: services 21 to 40" in second
    assert set(results_in(first)).isdisjoint(results_in(second))
    last = text_of(reader.get("/services", query_string={"text": "", "page": str(pages)}))
    assert len(results_in(last)) == listed - 20 * (pages - 1) and 'rel="next"' not in last
    beyond = reader.get("/services", query_string={"text": "", "page": str(pages + 1)})
    assert beyond.status_code == 400 and f"There are only {pages} pages of results" in text_of(beyond)


def test_a_service_found_on_page_two_links_back_to_page_two(reader):
    second = text_of(reader.get("/services", query_string={"text": "", "page": "2"}))
    service_id = results_in(second)[0][0]
    assert f'href="/services/{service_id}?page=2"' in second
    page = text_of(reader.get(f"/services/{service_id}?page=2"))
    assert '<a href="/services?page=2#results" class="govuk-back-link">Back to search results</a>' in page


def test_choices_typed_into_the_address_are_read_kindly(reader):
    page = text_of(reader.get("/services", query_string={"language": "POLISH", "day": "mo", "distance": "05",
                                                          "postcode": "RG40 1BN"}))
    assert '<option value="polish" selected>' in page and '<option value="MO" selected>' in page
    assert '<option value="5" selected>' in page


def test_per_page_is_not_the_visitors_to_choose(reader):
    response = reader.get("/services", query_string={"text": "", "per_page": "1000000"})
    assert response.status_code == 200 and len(results_in(text_of(response))) == 20


# --- Bad input ------------------------------------------------------------------------------------------------

BAD_INPUT = [
    ({"postcode": "not a postcode"}, "That is not a postcode", "postcode"),
    ({"postcode": "<script>alert(1)</script>"}, "That is not a postcode", "postcode"),
    ({"postcode": "ZZ99 9ZZ"}, "We could not find that postcode", "postcode"),
    ({"postcode": "BT1 1AA"}, "We could not find that postcode", "postcode"),
    ({"age": "-1"}, "Enter an age between 0 and 25", "age"),
    ({"age": "26"}, "Enter an age between 0 and 25", "age"),
    ({"age": "9" * 300}, "Enter an age between 0 and 25", "age"),
    ({"age": "abc"}, "Enter the child's age in whole years, like 4", "age"),
    ({"age": "4.5"}, "Enter the child's age in whole years, like 4", "age"),
    ({"category": "not-a-uuid"}, "Choose what you need help with from the list", "category"),
    ({"category": "00000000-0000-0000-0000-000000000000"}, "Choose what you need help with from the list",
     "category"),
    ({"distance": "3"}, "Choose a distance of 1, 2, 5, 10 or 20 miles", "distance"),
    ({"distance": "1e9"}, "Choose a distance of 1, 2, 5, 10 or 20 miles", "distance"),
    ({"day": "XX"}, "Choose a day of the week from the list", "day"),
    ({"delivery": "teleport"}, "Choose in person, by phone or online, or either", "delivery"),
    ({"language": "klingon"}, "Choose a language from the list", "language"),
    ({"accessibility": "jetpack"}, "Choose an accessibility need from the list", "accessibility"),
    ({"text": "a" * 201}, "Enter 200 characters or fewer", "text"),
    ({"page": "999999999"}, "That page of results does not exist", None),
    ({"page": "0"}, "That page of results does not exist", None),
    ({"page": "-1"}, "That page of results does not exist", None),
    ({"page": "abc"}, "That page of results does not exist", None),
    ({"text": "", "page": "9999"}, "pages of results. Select Search to see the first page", None),
    ({**DONE_WHEN, "page": "2"}, "There is only 1 page of results", None),
]


@pytest.mark.parametrize(("args", "message", "field"), BAD_INPUT)
def test_bad_input_gets_a_govuk_error_summary_and_a_400(reader, args, message, field):
    response = reader.get("/services", query_string=args)
    page = text_of(response)
    assert response.status_code == 400
    assert "<title>Error:" in page and 'class="govuk-error-summary"' in page
    assert message in html.unescape(page)
    if field:
        assert f'<a href="#{field}">{message}' in html.unescape(page)
        assert f'id="{field}-error"' in page
    assert 'id="results"' not in page
    assert "<script>alert(1)" not in page


def test_every_problem_is_listed_at_once(reader):
    response = reader.get("/services", query_string={"postcode": "XYZ", "age": "abc", "distance": "3",
                                                     "category": "x"})
    summary = section(text_of(response), 'class="govuk-error-summary"', "</ul>")
    for anchor in ("#postcode", "#distance", "#category", "#age"):
        assert f'href="{anchor}"' in summary


@pytest.mark.parametrize("text", [
    "'; DROP TABLE services; --", "\" OR 1=1 --", "%", "_", "\\", "<b>bold</b>", "<script>alert(1)</script>",
    "parenting\x00group", "\u202eevil", "a" * 200,
])
def test_injection_in_the_text_search_is_only_text(reader, directory_db, text):
    response = reader.get("/services", query_string={"text": text})
    page = text_of(response)
    assert response.status_code == 200
    assert "<b>bold</b>" not in page and "<script>alert(1)</script>" not in page
    engine = make_engine(f"sqlite:///{directory_db}")
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Service)) > 200  # nothing dropped or deleted
    engine.dispose()


def test_wildcards_match_themselves_not_everything(reader):
    page = text_of(reader.get("/services", query_string={"text": "%"}))
    assert "0 services found" in page and "There are no services that meet your search" in page


def test_a_lower_case_postcode_without_a_space_and_an_outward_code_both_work(reader):
    assert "within 5 miles of RG40 1BN" in text_of(reader.get("/services?postcode=rg401bn"))
    assert "within 5 miles of RG40" in text_of(reader.get("/services?postcode=RG40"))


# --- The service page -----------------------------------------------------------------------------------------

def test_the_service_page_says_what_a_family_needs_to_know(reader):
    page = text_of(reader.get(f"/services/{EVENDON}"))
    assert "<h1 class=\"govuk-heading-l\">Evendon Positive Parenting Group (demo)</h1>" in page
    assert "Evendon Family Centre (demo)" in page and "A friendly parenting group" in page
    assert "2 to 11 years" in page and "Free of charge" in page
    assert "<strong>In person:</strong> Wednesdays, 9:30am to 11:30am" in page and "Term time only." in page
    assert 'href="tel:01184960003"' in page and "mailto:positive-parenting-group@evendon.example.org" in page
    assert 'href="https://example.org/evendon-family-centre/positive-parenting-group"' in page
    assert "139 Peach Street" in page and "RG40 2AB" in page
    assert "Hearing loop: Induction loop" in page
    assert "Last updated: 14 May 2026" in page and "Checked by the council: 3 May 2026" in page
    assert "Add to shortlist" in page and 'action="/services/shortlist"' in page
    assert "may be out of date" not in page and "temporarily closed" not in page


def test_the_service_page_links_back_to_the_search_that_found_it(reader):
    page = text_of(reader.get(f"/services/{EVENDON}", query_string={**DONE_WHEN, "evil": "x"}))
    back = re.search(r'<a href="([^"]+)" class="govuk-back-link">Back to search results</a>', page).group(1)
    args = parse_qs(urlsplit(html.unescape(back)).query)
    assert args["postcode"] == ["RG40 1BN"] and args["category"] == [PARENTING] and "evil" not in args


def test_closed_and_stale_services_carry_a_warning(client, db_session):
    service = db_session.get(Service, EVENDON)
    service.stale = True
    db_session.commit()
    assert "This information may be out of date" in text_of(client.get(f"/services/{EVENDON}"))
    service.temporarily_closed = True
    db_session.commit()
    page = text_of(client.get(f"/services/{EVENDON}"))
    assert "This service is temporarily closed" in page
    results = text_of(client.get("/services", query_string=DONE_WHEN))
    assert EVENDON not in results  # a closed service is not offered in search


@pytest.mark.parametrize("service_id", ["not-a-service", "00000000-0000-0000-0000-000000000000", "x" * 500,
                                        "%3Cscript%3E"])
def test_an_unknown_service_is_a_404_page(reader, service_id):
    response = reader.get(f"/services/{service_id}")
    assert response.status_code == 404 and "Page not found" in text_of(response)


def test_an_inactive_service_is_not_shown(client, db_session):
    db_session.get(Service, EVENDON).status = "defunct"
    db_session.commit()
    assert client.get(f"/services/{EVENDON}").status_code == 404


# --- A refuge's address is never shown ----------------------------------------------------------------------------

def test_a_refuge_shows_only_its_outward_code(reader):
    page = text_of(reader.get(f"/services/{REFUGE}"))
    assert "Kestrel Refuge (demo)" in page
    assert "Confidential address — contact the service" in page and "RG41" in page
    for secret in ("118 Broad Street", "Kestrel House", "RG41 1AA", "RG411AA", "51.4141", "-0.8414"):
        assert secret not in page


def test_a_refuge_in_search_results_and_the_shortlist_keeps_its_address_secret(client):
    abuse = "6c39e759-e6cb-5b14-a295-4994317863f0"
    results = text_of(client.get("/services", query_string={"postcode": "RG41", "category": abuse}))
    assert "Kestrel Refuge (demo)" in results
    client.post("/services/shortlist", data={"action": "add", "service_id": REFUGE})
    shortlist = text_of(client.get("/services/shortlist"))
    assert "Kestrel Refuge (demo)" in shortlist and "Confidential address — contact the service" in shortlist
    for page in (results, shortlist):
        for secret in ("118 Broad Street", "Kestrel House", "RG41 1AA"):
            assert secret not in section(page, "<main", "</main>")


# --- The shortlist ------------------------------------------------------------------------------------------------

def shortlist_ids(client) -> list[str]:
    with client.session_transaction() as sess:
        return list(sess.get("shortlist", []))


def test_add_view_and_remove_from_the_shortlist(client):
    response = client.post("/services/shortlist", data={"action": "add", "service_id": EVENDON,
                                                        "back": "postcode=RG40+1BN&category=" + PARENTING})
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == f"/services/{EVENDON}" and parse_qs(target.query)["postcode"] == ["RG40 1BN"]
    page = text_of(client.get(response.location))
    assert "Added to your shortlist." in page and "View your shortlist (1)" in page
    assert "Add to shortlist" not in page and "This service is in" in page
    # The session holds service ids, nothing else.
    assert shortlist_ids(client) == [EVENDON]
    client.post("/services/shortlist", data={"action": "add", "service_id": EVENDON})  # twice is once
    assert shortlist_ids(client) == [EVENDON]

    page = text_of(client.get("/services/shortlist"))
    assert "Your shortlist" in page and "Evendon Positive Parenting Group (demo)" in page
    assert "0118 496 0003" in page and "139 Peach Street" in page and "Wednesdays, 9:30am to 11:30am" in page
    assert 'class="app-no-print"' in page and "Remove<span class=\"govuk-visually-hidden\"> Evendon" in page
    assert "Your shortlist (1)" in text_of(client.get("/services"))

    response = client.post("/services/shortlist", data={"action": "remove", "service_id": EVENDON})
    assert response.location == "/services/shortlist"
    page = text_of(client.get("/services/shortlist"))
    assert "Removed from your shortlist." in page and "You have not added any services yet." in page
    assert shortlist_ids(client) == []


def test_the_shortlist_keeps_at_most_twenty(client, db_session):
    ids = db_session.scalars(select(Service.id).order_by(Service.name).limit(21)).all()
    for service_id in ids:
        client.post("/services/shortlist", data={"action": "add", "service_id": service_id})
    assert shortlist_ids(client) == ids[:20]
    page = text_of(client.get(f"/services/{ids[20]}"))
    assert "Your shortlist is full" in page and "Add to shortlist" not in page
    assert text_of(client.get("/services/shortlist")).count('class="app-shortlist-item"') == 20


def test_the_shortlist_refuses_nonsense(client):
    assert client.post("/services/shortlist", data={"action": "add", "service_id": "nope"}).status_code == 404
    assert client.post("/services/shortlist", data={"action": "explode", "service_id": EVENDON}).status_code == 400
    assert client.post("/services/shortlist", data={}).status_code == 400
    with client.session_transaction() as sess:
        sess["shortlist"] = "not a list"
    assert client.get("/services/shortlist").status_code == 200
    with client.session_transaction() as sess:
        sess["shortlist"] = [EVENDON, "gone-from-the-directory", 42]
    page = text_of(client.get("/services/shortlist"))
    assert page.count('class="app-shortlist-item"') == 1 and shortlist_ids(client) == [EVENDON]


def test_the_shortlist_needs_a_csrf_token(database_url, tmp_path):
    from portal import create_app

    client = create_app(app_config(database_url, tmp_path, WTF_CSRF_ENABLED=True)).test_client()
    response = client.post("/services/shortlist", data={"action": "add", "service_id": EVENDON})
    assert response.status_code == 400 and shortlist_ids(client) == []
    token = re.search(r'name="csrf_token" value="([^"]+)"', text_of(client.get(f"/services/{EVENDON}"))).group(1)
    response = client.post("/services/shortlist", data={"action": "add", "service_id": EVENDON, "csrf_token": token})
    assert response.status_code == 302 and shortlist_ids(client) == [EVENDON]


def test_the_shortlist_prints_without_the_page_furniture():
    css = (Path(finder.__file__).parent / "static" / "app.css").read_text()
    print_rules = css.split("@media print", 1)[1]
    for selector in (".govuk-template__header", ".govuk-footer", ".govuk-button", ".app-no-print",
                     ".govuk-exit-this-page"):
        assert selector in print_rules


# --- Describing services ----------------------------------------------------------------------------------------

def fake(record=None, **columns) -> SimpleNamespace:
    defaults = {"minimum_age": None, "maximum_age": None, "is_free": False, "record": record or {}}
    return SimpleNamespace(**{**defaults, **columns})


@pytest.mark.parametrize(("low", "high", "text"), [
    (None, None, "All ages"), (0, None, "All ages"), (0, 5, "0 to 5 years"), (None, 5, "Up to 5 years"),
    (11, None, "11 years and over"), (0, 1, "0 to 1 year"),
])
def test_ages_in_plain_english(low, high, text):
    assert finder.ages_text(fake(minimum_age=low, maximum_age=high)) == text


@pytest.mark.parametrize(("options", "text"), [
    ([{"option": "Free", "amount": 0, "amount_description": "Free of charge"}], "Free of charge"),
    ([{"option": "Free", "amount": 0, "amount_description": "Free to call"}], "Free to call"),
    ([{"option": "Free", "amount": 0}], "Free"),
    ([{"option": "Per family", "amount": 1.5, "amount_description": "includes a snack"}],
     "£1.50 per family (includes a snack)"),
    ([{"option": "Per session", "amount": 10, "amount_description": "Per session"}], "£10 per session"),
    ([{"option": "Weekly membership", "amount": 4.5}], "Weekly membership: £4.50"),
    ([], "Ask the service about any cost"),
])
def test_costs_in_plain_english(options, text):
    assert finder.cost_text(fake({"cost_options": options})) == text


@pytest.mark.parametrize(("schedule", "text"), [
    ({"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}, "Monday to Friday, 9am to 5pm"),
    ({"byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "23:59"}, "Every day, 24 hours"),
    ({"byday": "TU,TH", "opens_at": "15:30", "closes_at": "17:30"}, "Tuesdays and Thursdays, 3:30pm to 5:30pm"),
    ({"byday": "SA", "opens_at": "10:00", "closes_at": "12:00"}, "Saturdays, 10am to midday"),
    ({"description": "See the website for opening hours."}, "See the website for opening hours."),
    ({}, "Contact the service to find out when it is open"),
])
def test_opening_times_in_plain_english(schedule, text):
    assert finder.schedule_lines(fake({"schedules": [{"freq": "WEEKLY", **schedule}]}))[0]["when"] == text


def test_unsafe_links_from_imported_records_are_not_links():
    details = finder.contact_details(fake({"url": "javascript:alert(1)", "email": "a b@c",
                                           "phones": [{"number": "0118 496 0000"}]}))
    assert details["website"] is None and details["email"] is None
    assert details["phones"][0]["href"] == "tel:01184960000"


# --- The journeys' confirmation pages --------------------------------------------------------------------------

def test_a_help_request_confirmation_suggests_services(client, db_session):
    walk(client, "help", examples.family_help_request())
    page = text_of(client.get("/help/confirmation"))
    assert "Request sent" in page and "Services that may help while you wait" in page
    assert "They do not replace your request: we will still read it and decide what to do." in page
    answers = examples.family_help_request()
    age = finder._age_on(answers["children"][0]["date_of_birth"], dt.datetime.now(dt.UTC).date())
    expected = suggest(db_session, categories=answers["concern_categories"], age=age, postcode="RG40 2AB")
    listed = section(page, 'class="govuk-list app-suggestions"', "</ul>")
    assert 1 <= listed.count("<li>") <= 3
    assert expected and html.escape(expected[0].name) in listed and f"/services/{expected[0].service_id}" in listed


def test_a_refuge_or_abuse_service_is_suggested_only_for_a_worry_about_domestic_abuse(db_session):
    """The live probe: parenting and money worries at RG40 1BN were offered Kestrel Refuge first (it is also in a
    housing category); a domestic abuse service belongs only with a worry about domestic abuse (issue 12)."""
    from signposting.models import Attribute, TaxonomyTerm

    abuse = set(db_session.scalars(select(Attribute.service_id).join(
        TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id).where(TaxonomyTerm.name == "Domestic abuse")))
    assert abuse
    for categories in (["parenting", "family_stress"], ["family_stress"], ["relationships"], ["parenting"]):
        for postcode in ("RG40 1BN", "RG41 1AA", None):
            found = suggest(db_session, categories=categories, age=6, postcode=postcode)
            assert found and not {s.service_id for s in found} & abuse, (categories, postcode)
    worried = suggest(db_session, categories=["domestic_abuse", "family_stress"], age=6, postcode="RG40 1BN")
    assert {s.service_id for s in worried} & abuse


def test_a_referral_confirmation_suggests_services_near_the_first_child(client):
    # A relative's report (never a professional's referral: family-facing services could tip someone off)
    walk(client, "report", examples.public_concern(
        referrer_relationship="family", what_happened="My sister is struggling to cope since the new baby came.",
        children=[{**examples.public_concern()["children"][0], "postcode": "RG40 1AA"}]))
    page = text_of(client.get("/report/confirmation"))
    assert "Referral sent" in page and "Services that may help while you wait" in page
    assert "may be able to help the family now" in page and "They do not replace your referral" in page
    assert "miles away)" in page or "mile away)" in page


def test_signposting_never_breaks_the_confirmation_page(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("directory unavailable")

    monkeypatch.setattr("portal.journeys.confirmation_suggestions", broken)
    walk(client, "help", examples.family_help_request())
    response = client.get("/help/confirmation")
    assert response.status_code == 200 and "Request sent" in text_of(response)
    assert "Services that may help" not in text_of(response)


def test_suggestions_use_the_first_childs_age_and_postcode(app, db_session, monkeypatch):
    seen = {}

    def spy(session, *, categories, age, postcode, limit=3):
        seen.update(categories=categories, age=age, postcode=postcode)
        return []

    monkeypatch.setattr(finder, "suggest", spy)
    received = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    report = SimpleNamespace(received_at=received, concern_categories=[], answers={
        "concern_categories": ["neglect"],
        "children": [{"born": "yes", "date_of_birth": "2022-06-02", "postcode": "RG41 2YA"},
                     {"born": "yes", "date_of_birth": "2010-01-01", "postcode": "RG40 1AA"}]})
    with app.test_request_context():
        finder.confirmation_suggestions(db_session, report)
    assert seen == {"categories": ["neglect"], "age": 3, "postcode": "RG41 2YA"}  # 4 the next day

    unborn = SimpleNamespace(received_at=received, concern_categories=[], answers={
        "concern_categories": ["parenting"], "postcode": "RG40 2AB",
        "children": [{"born": "no", "due_date": "2026-09-01"}]})
    with app.test_request_context():
        finder.confirmation_suggestions(db_session, unborn)
    assert seen == {"categories": ["parenting"], "age": None, "postcode": "RG40 2AB"}


# --- Nothing reaches a log --------------------------------------------------------------------------------------

def test_searches_write_nothing_to_the_log(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get("/services", query_string={**DONE_WHEN, "text": "secret words"})
        client.get("/services", query_string={"postcode": "ZZ99 9ZZ"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("RG40", "1BN", "ZZ99", "secret words", "51.41", "-0.83"):
        assert secret not in logged


def test_the_request_log_drops_the_finders_query_strings(app):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /services?postcode=RG40+1BN&text=secret HTTP/1.1", "200", "-"), None)
    assert logging.getLogger("werkzeug").filter(record)
    message = record.getMessage()
    assert message.startswith('"GET /services?') and "RG40" not in message and "secret" not in message


def test_the_home_page_links_to_the_finder(client):
    assert 'href="/services"' in text_of(client.get("/"))


def test_suggestions_fit_one_gsm_segment_and_never_send_a_family_to_another_town():
    from signposting.suggest import SMS_SEGMENT, Suggestion

    long = Suggestion("x", "A " * 200, "0118 496 0000", 1.2)
    assert len(long.sms) <= SMS_SEGMENT and long.sms.isascii()


# --- Issue 16: a grouped list, and results in view on a phone -------------------------------------------------
def test_the_kinds_of_help_are_grouped_under_the_taxonomys_top_level(reader, db_session):
    page = text_of(reader.get("/services"))
    top = db_session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.parent_id.is_(None))).all()
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S)
    assert groups and {name for name, _ in groups} <= {html.escape(t.name) for t in top}
    for name, body in groups:  # each group: "All ..." first, then its terms' own names, none repeating the heading
        options = re.findall(r">([^<]+)</option>", body)
        assert options[0] == f"All {html.unescape(name).lower()}" and len(options) > 1
        assert not any(o.startswith(html.unescape(name) + ":") for o in options)
    assert 'data-module="app-category-search"' in page and "/static/finder.mjs" in page


def test_a_search_lands_on_its_results(reader):
    page = text_of(reader.get("/services", query_string={"postcode": "RG40 1BN", "category": PARENTING}))
    assert 'id="results" tabindex="-1"' in page and 'href="#results">Skip to the ' in page
    assert 'action="/services#results"' in page
    assert f'<option value="{PARENTING}" selected>Parenting support</option>' in page
