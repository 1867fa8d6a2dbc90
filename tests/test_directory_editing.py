"""Staff editing of the service directory: add and edit a service, mark it temporarily closed or stale, mark it
as checked. Every edit stays valid ORUK 3.0, keeps the search columns right and writes an audit event."""

import datetime as dt
import re
import shutil
import uuid
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from forms.schema import london_today
from mash import audit
from mash.models import AuditEvent
from signposting.directory import load_demo_directory, schema_errors, to_oruk
from signposting.editing import EditConflict, EditError, set_flags, update_service, version_of
from signposting.models import Location, Organization, Service
from signposting.search import Query, search
from store.crypto import keyring
from store.db import make_engine, make_sessionmaker
from tests.browser_support import path_of
from tests.conftest import TEST_INDEX_KEY, TEST_KEYS
from tests.staff_support import PASSWORD, create_staff, sign_in

REFUGE = "717c28c7-e915-501d-bca9-464db4faeff8"  # Kestrel Refuge (demo): a confidential location
LAST_MODIFIED_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def directory_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated template with the demo directory loaded, once for the module."""
    keyring.configure(TEST_KEYS, TEST_INDEX_KEY)
    path = tmp_path_factory.mktemp("directory") / "frontdoor.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_sessionmaker(engine)() as session:
        report = load_demo_directory(session)
        assert not report.errors, report.errors[:3]
    engine.dispose()
    return path


@pytest.fixture
def database_url(directory_db: Path, tmp_path: Path) -> str:  # overrides conftest's: each test gets a copy
    path = tmp_path / "frontdoor.db"
    shutil.copy(directory_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def manager(app, db_session):
    user, secret = create_staff(db_session, role="manager", name="Morgan Manager")
    client = app.test_client()
    sign_in(client, user, secret)
    client.user = user
    return client


def listed(db_session) -> Service:
    """An active, open service with a phone number, a cost and no refuge."""
    services = db_session.scalars(select(Service).where(Service.status == "active",
                                                        Service.temporarily_closed.is_(False))
                                  .order_by(Service.name)).all()
    return next(s for s in services if s.record.get("phones") and s.record.get("cost_options")
                and s.name.endswith("(demo)") and not any(sal.location.sensitive for sal in s.at_locations))


def form_of(client, service_id: str) -> dict[str, str]:
    page = client.get(f"/staff/services/{service_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input class="govuk-input[^"]*" id="(\w+)" name="\w+" type="\w+"[^>]*value="([^"]*)"',
                             page))
    values = {k: fields.get(k, "") for k in ("name", "url", "email", "phone", "minimum_age", "maximum_age",
                                               "cost_description")}
    values["description"] = re.search(r'<textarea[^>]*name="description"[^>]*>\n?(.*?)</textarea>', page,
                                      re.S).group(1)
    values["cost"] = (re.search(r'name="cost" type="radio" value="(\w*)" checked', page) or [None, ""])[1]
    values["status"] = re.search(r'<option value="([\w ]+)" selected>', page).group(1)
    values["version"] = re.search(r'name="version" value="([^"]*)"', page).group(1)
    return values


def events(db_session, name: str) -> list[AuditEvent]:
    return list(db_session.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.seq)))


def names_found(db_session, text: str) -> set[str]:
    return {hit.service.name for hit in search(db_session, Query(text=text, per_page=100)).nearby}


def test_a_practitioner_cannot_edit_the_directory(app, db_session):
    user, secret = create_staff(db_session, role="practitioner")
    client = app.test_client()
    sign_in(client, user, secret)
    service = listed(db_session)
    assert client.get("/staff/services").status_code == 403
    assert client.get("/staff/services/new").status_code == 403
    assert client.post(f"/staff/services/{service.id}/edit", data={"name": "Hijacked"}).status_code == 403
    assert client.post(f"/staff/services/{service.id}/closed", data={"closed": "yes"}).status_code == 403
    assert "Services" not in client.get("/staff/queue").get_data(as_text=True).split("Dashboard", 1)[1][:300]
    db_session.expire_all()
    assert db_session.get(Service, service.id).name != "Hijacked"


def test_the_list_searches_by_name_and_links_to_each_service(manager, db_session):
    service = listed(db_session)
    page = manager.get("/staff/services").get_data(as_text=True)
    assert "Add a service" in page and ">Services<" in page and f"/staff/services/{service.id}/edit" in page
    word = service.name.split()[0]
    page = manager.get(f"/staff/services?q={word}").get_data(as_text=True)
    assert service.name in page and "matching" in page
    assert "No services found" in manager.get("/staff/services?q=zzqqxx").get_data(as_text=True)
    page = manager.get("/staff/services?show=inactive").get_data(as_text=True)
    assert "Inactive" in page and "Temporarily closed" in page  # the demo has both
    # Wildcards and markup are just text.
    assert manager.get("/staff/services?q=%25_%3Cscript%3E&show=nonsense&page=-3").status_code == 200


def test_editing_the_name_changes_what_search_finds(manager, db_session):
    service = listed(db_session)
    old_name, old_modified = service.name, service.record.get("last_modified")
    assert old_name in names_found(db_session, old_name.split()[0])
    form = form_of(manager, service.id)
    assert form["name"] == old_name and form["version"] == version_of(service)
    response = manager.post(f"/staff/services/{service.id}/edit", data={**form, "name": "Zebrafinch Family Circle"})
    assert response.status_code == 302
    assert "Saved. Changed: name." in manager.get(response.location).get_data(as_text=True)

    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert service.name == "Zebrafinch Family Circle" and service.record["name"] == "Zebrafinch Family Circle"
    assert names_found(db_session, "zebrafinch") == {"Zebrafinch Family Circle"}
    assert old_name not in names_found(db_session, old_name)
    assert LAST_MODIFIED_RE.match(service.record["last_modified"]) and service.record["last_modified"] != old_modified
    assert service.last_modified is not None and abs(
        (service.last_modified.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    assert schema_errors(to_oruk(service)) == []
    [event] = events(db_session, "directory.service_updated")
    assert event.actor == f"staff:{manager.user.id}"
    assert event.details == {"service_id": service.id, "fields": ["name"]}
    assert audit.verify(db_session).ok


def test_editing_every_field_keeps_the_derived_columns_and_the_schema_right(manager, db_session):
    service = listed(db_session)
    form = form_of(manager, service.id)
    response = manager.post(f"/staff/services/{service.id}/edit", data={
        **form, "description": "Stories and songs for toddlers.", "url": "www.example.org/rhymes",
        "email": "rhymes@example.org", "phone": "0118 496 0123", "minimum_age": "1", "maximum_age": "4",
        "cost": "free", "cost_description": "Free for everyone", "status": "active"})
    assert response.status_code == 302
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    record = service.record
    assert record["url"] == "https://www.example.org/rhymes" and record["email"] == "rhymes@example.org"
    assert record["phones"][0]["number"] == "0118 496 0123"
    assert (service.minimum_age, service.maximum_age) == (1, 4) and service.is_free
    assert record["cost_options"] == [{"id": record["cost_options"][0]["id"], "service_id": service.id,
                                       "option": "Free", "amount": 0, "currency": "GBP",
                                       "amount_description": "Free for everyone"}]
    assert "stories and songs" in service.search_text
    assert service.id in {h.service.id for h in search(db_session, Query(text="toddlers", age=3, free_only=True)
                                                        ).nearby}
    assert service.id not in {h.service.id for h in search(db_session, Query(text="toddlers", age=7)).nearby}
    assert schema_errors(to_oruk(service)) == []

    # Then a charge, no ages, no phone: the optional things go, and the record is still valid.
    form = form_of(manager, service.id)
    manager.post(f"/staff/services/{service.id}/edit", data={
        **form, "cost": "paid", "cost_description": "£3 a session", "minimum_age": "", "maximum_age": "",
        "phone": "", "url": ""})
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert not service.is_free and service.minimum_age is None and service.maximum_age is None
    assert "url" not in service.record and service.record["cost_options"][0]["amount_description"] == "£3 a session"
    assert schema_errors(to_oruk(service)) == []
    fields = [e.details["fields"] for e in events(db_session, "directory.service_updated")]
    assert len(fields) == 2 and {"description", "url", "email", "phone", "minimum_age", "maximum_age",
                                 "cost_description"} <= set(fields[0])  # "cost" too, if it was not free already
    assert fields[1] == ["url", "phone", "minimum_age", "maximum_age", "cost", "cost_description"]


BAD_INPUT = [
    ("name", "", "Enter the name of the service"),
    ("name", "   ", "Enter the name of the service"),
    ("name", "x" * 301, "Name must be 300 characters or fewer"),
    ("description", "", "Enter a description of the service"),
    ("description", "y" * 5001, "Description must be 5,000 characters or fewer"),
    ("url", "not a web address", "Enter a web address in the correct format"),
    ("url", "javascript:alert(1)", "Enter a web address in the correct format"),
    ("email", "nobody-at-example.org", "Enter an email address in the correct format"),
    ("phone", "12345", "Enter a UK phone number"),
    ("phone", "+1 212 555 0100", "Enter a UK phone number"),
    ("minimum_age", "-1", "Youngest age must be 0 or more"),
    ("maximum_age", "121", "Oldest age must be 120 or less"),
    ("minimum_age", "four", "Youngest age must be a whole number of years"),
    ("maximum_age", "99999999999999999999", "Oldest age must be a whole number of years"),
    ("cost", "cheap", "Choose whether the service is free or there is a charge"),
    ("status", "deleted", "Choose a status"),
]


def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(manager, db_session):
    service = listed(db_session)
    before = (service.name, dict(service.record))
    form = form_of(manager, service.id)
    for field, value, message in BAD_INPUT:  # one sign-in for every case keeps this fast
        response = manager.post(f"/staff/services/{service.id}/edit", data={**form, field: value})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (field, value)
        assert "There is a problem" in page and message in page and f'href="#{field}"' in page, (field, value)
        assert "<title>Error:" in page
        if field in ("url", "email", "phone", "minimum_age", "maximum_age"):  # what was typed is kept
            assert f'value="{value}"' in page, (field, value)
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert (service.name, service.record) == before
    assert events(db_session, "directory.service_updated") == []


def test_an_age_range_must_run_from_youngest_to_oldest(manager, db_session):
    service = listed(db_session)
    form = form_of(manager, service.id)
    response = manager.post(f"/staff/services/{service.id}/edit",
                            data={**form, "minimum_age": "10", "maximum_age": "5"})
    assert response.status_code == 400
    assert "Youngest age must be the same as or less than the oldest age" in response.get_data(as_text=True)
    # In the domain function too, against the age already stored.
    user = manager.user
    update_service(db_session, service, {"minimum_age": "", "maximum_age": "8"}, user)
    with pytest.raises(EditError, match="Youngest age must be the same as or less"):
        update_service(db_session, service, {"minimum_age": "9"}, user)


def test_markup_is_stored_as_text_and_shown_escaped(manager, db_session):
    service = listed(db_session)
    form = form_of(manager, service.id)
    manager.post(f"/staff/services/{service.id}/edit", data={**form, "name": "<script>alert(1)</script> Club"})
    page = manager.get(f"/staff/services/{service.id}/edit").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Club" in page


def test_a_form_drawn_before_someone_elses_change_is_refused(manager, db_session):
    service = listed(db_session)
    stale_form = form_of(manager, service.id)
    manager.post(f"/staff/services/{service.id}/edit", data={**stale_form, "name": "First Change"})
    response = manager.post(f"/staff/services/{service.id}/edit", data={**stale_form, "name": "Second Change"})
    assert "Someone else changed this service" in manager.get(response.location).get_data(as_text=True)
    response = manager.post(f"/staff/services/{service.id}/closed", data={"closed": "yes",
                                                                          "version": stale_form["version"]})
    assert "Someone else changed this service" in manager.get(response.location).get_data(as_text=True)
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert service.name == "First Change" and not service.temporarily_closed
    with pytest.raises(EditConflict):
        set_flags(db_session, service, stale=True, actor=manager.user, expected_version=stale_form["version"])


def test_a_temporarily_closed_service_leaves_search_until_it_reopens(manager, db_session):
    service = listed(db_session)
    name = service.name
    assert name in names_found(db_session, name)
    version = form_of(manager, service.id)["version"]
    response = manager.post(f"/staff/services/{service.id}/closed", data={"closed": "yes", "version": version})
    page = manager.get(response.location).get_data(as_text=True)
    assert "Marked as temporarily closed" in page and "Reopen the service" in page
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert service.temporarily_closed and service.status == "temporarily closed"
    assert to_oruk(service)["status"] == "temporarily closed" and schema_errors(to_oruk(service)) == []
    assert name not in names_found(db_session, name)
    assert name in manager.get("/staff/services?show=closed").get_data(as_text=True)
    [event] = events(db_session, "directory.service_flagged")
    assert event.details == {"service_id": service.id, "fields": ["temporarily_closed"], "temporarily_closed": True}

    manager.post(f"/staff/services/{service.id}/closed",
                 data={"closed": "no", "version": form_of(manager, service.id)["version"]})
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert not service.temporarily_closed and service.status == "active"
    assert name in names_found(db_session, name)
    assert manager.post(f"/staff/services/{service.id}/closed", data={"closed": "maybe"}).status_code == 400
    response = manager.post(f"/staff/services/{service.id}/closed", data={"closed": "no"})  # already open
    assert "Nothing was changed" in manager.get(response.location).get_data(as_text=True)


def test_a_service_imported_as_temporarily_closed_can_be_reopened(manager, db_session):
    service = db_session.scalars(select(Service).where(Service.status == "temporarily closed")
                                 .order_by(Service.name)).first()
    assert "Reopen the service" in manager.get(f"/staff/services/{service.id}/edit").get_data(as_text=True)
    manager.post(f"/staff/services/{service.id}/closed", data={"closed": "no"})
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert service.status == "active" and not service.temporarily_closed
    assert service.name in names_found(db_session, service.name)


def test_stale_is_shown_to_staff_and_checking_clears_it(manager, db_session):
    service = listed(db_session)
    manager.post(f"/staff/services/{service.id}/stale", data={"stale": "yes",
                                                              "version": form_of(manager, service.id)["version"]})
    db_session.expire_all()
    assert db_session.get(Service, service.id).stale
    assert service.name in manager.get("/staff/services?show=stale").get_data(as_text=True)
    assert service.name in names_found(db_session, service.name)  # stale is a note for staff, not a closure

    response = manager.post(f"/staff/services/{service.id}/checked",
                            data={"version": form_of(manager, service.id)["version"]})
    page = manager.get(response.location).get_data(as_text=True)
    assert "Marked as checked today" in page
    db_session.expire_all()
    service = db_session.get(Service, service.id)
    assert service.assured_date == london_today() and not service.stale
    assert service.record["assured_date"] == london_today().isoformat()
    assert service.record["assurer_email"] == "directory.team@example.org"  # never a person's address
    assert schema_errors(to_oruk(service)) == []
    [event] = events(db_session, "directory.service_checked")
    assert event.details == {"service_id": service.id, "fields": ["assured_date", "assurer_email", "stale"]}
    assert manager.user.email not in str(event.details)


def test_adding_a_service_with_a_new_organisation(manager, db_session):
    count = db_session.scalar(select(func.count()).select_from(Service))
    assert "Choose an organisation" in manager.get("/staff/services/new").get_data(as_text=True)
    response = manager.post("/staff/services/new", data={
        "organization": "", "new_organization": "Finchampstead Toy Library", "name": "Saturday Toy Swap",
        "description": "Borrow and swap toys for under-fives.", "url": "https://toys.example.org",
        "email": "", "phone": "07700 900982", "minimum_age": "0", "maximum_age": "5", "cost": "free",
        "cost_description": "", "status": "active"})
    assert response.status_code == 302
    assert "Saturday Toy Swap has been added" in manager.get(response.location).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Service)) == count + 1
    service = db_session.scalars(select(Service).where(Service.name == "Saturday Toy Swap")).one()
    for value in (service.id, service.organization_id, service.record["phones"][0]["id"],
                  service.record["cost_options"][0]["id"]):
        assert uuid.UUID(value).version == 4
    assert service.organization.name == "Finchampstead Toy Library"
    assert service.record["phones"][0]["number"] == "07700 900982" and service.is_free and service.remote
    assert LAST_MODIFIED_RE.match(service.record["last_modified"])
    assert schema_errors(to_oruk(service)) == []
    assert "Saturday Toy Swap" in names_found(db_session, "toy swap")
    [event] = events(db_session, "directory.service_created")
    assert event.details["service_id"] == service.id and "name" in event.details["fields"]

    # An existing organisation, chosen from the list.
    organization = db_session.scalars(select(Organization).order_by(Organization.name)).first()
    manager.post("/staff/services/new", data={"organization": organization.id, "name": "Dads' Breakfast",
                                              "description": "Bacon rolls and a chat.", "cost": "", "status": "active"})
    db_session.expire_all()
    assert db_session.scalars(select(Service).where(Service.name == "Dads' Breakfast")).one().organization_id == \
        organization.id


def test_adding_a_service_refuses_bad_input_and_stores_nothing(manager, db_session):
    count = db_session.scalar(select(func.count()).select_from(Service))
    organizations = db_session.scalar(select(func.count()).select_from(Organization))
    response = manager.post("/staff/services/new", data={
        "organization": "", "new_organization": "", "name": "", "description": "Something",
        "email": "bad", "minimum_age": "-3", "cost": "free", "status": "active"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Choose the organisation that runs the service", "Enter the name of the service",
                    "Enter an email address in the correct format", "Youngest age must be 0 or more"):
        assert message in page
    assert 'value="bad"' in page and "Something" in page  # what was typed is kept
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Service)) == count
    assert db_session.scalar(select(func.count()).select_from(Organization)) == organizations
    assert events(db_session, "directory.service_created") == []


def test_an_edit_keeps_what_it_does_not_touch(manager, db_session):
    """A short national number (111) survives an edit of something else, and a refuge's location stays put."""
    nhs = db_session.scalars(select(Service).where(Service.name == "NHS 111")).one()
    update_service(db_session, nhs, {"description": "Call 111 for urgent medical help.", "phone": "111"},
                   manager.user)
    db_session.commit()
    assert nhs.record["phones"][0]["number"] == "111" and schema_errors(to_oruk(nhs)) == []

    refuge = db_session.get(Service, REFUGE)
    where = [(sal.location.id, sal.location.latitude, sal.location.longitude, sal.location.postcode)
             for sal in refuge.at_locations]
    update_service(db_session, refuge, {"name": "Kestrel Refuge (demo, edited)"}, manager.user)
    db_session.commit()
    db_session.expire_all()
    assert [(loc_id, *(getattr(db_session.get(Location, loc_id), k) for k in ("latitude", "longitude", "postcode")))
            for loc_id, *_ in where] == where
    assert db_session.get(Location, where[0][0]).record["name"] == "Confidential location"

    assert update_service(db_session, nhs, {"name": "NHS 111"}, manager.user) == []  # no change, nothing written
    with pytest.raises(EditError, match="cannot be edited"):
        update_service(db_session, nhs, {"id": "x"}, manager.user)


def test_the_nav_links_to_services_for_a_manager(manager):
    page = manager.get("/staff/queue").get_data(as_text=True)
    assert 'href="/staff/services"' in page


@pytest.mark.slow
@pytest.mark.browser
def test_the_directory_pages_in_a_browser_pass_axe(browser, live_server, audit, db_session):
    user, secret = create_staff(db_session, role="manager")
    service = listed(db_session)
    page = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    page.goto("/staff/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Services").click()
    assert path_of(page.url) == "/staff/services"
    audit(page)
    page.get_by_label("Search by name").fill(service.name)
    page.get_by_role("button", name="Search").click()
    audit(page, "search")
    page.get_by_role("link", name=service.name).click()
    audit(page)
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Youngest age").fill("200")
    page.get_by_role("button", name="Save changes").click()
    assert "Enter the name of the service" in page.get_by_role("alert").inner_text()
    audit(page, "refused edit")
    page.get_by_label("Name", exact=True).fill("Axe Audited Group")
    page.get_by_label("Youngest age").fill("2")
    page.get_by_role("button", name="Save changes").click()
    assert "Saved." in page.locator("main").inner_text()
    page.get_by_role("button", name="Mark as temporarily closed").click()
    assert "Reopen the service" in page.locator("main").inner_text()
    audit(page, "closed")
    page.goto("/staff/services/new")
    page.get_by_role("button", name="Add the service").click()
    assert "Enter the name of the service" in page.get_by_role("alert").inner_text()
    audit(page, "refused new")
    audit.assert_clean()


def test_a_service_added_with_a_place_and_a_category_is_found_by_postcode_and_category(db_session):
    from signposting.editing import create_service
    from signposting.models import Organization, TaxonomyTerm
    from signposting.search import Query, search
    from tests.staff_support import create_staff

    manager, _ = create_staff(db_session, role="manager")
    term = db_session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.name == "Parenting support")).one()
    organization = db_session.scalars(select(Organization)).first()
    service = create_service(db_session, organization_id_or_new_name=organization.id, name="Nightingale Dads Group",
                             description="A group for dads.", category=term.id, address="1 Market Place",
                             postcode="rg40 1bn", cost="free", actor=manager)
    db_session.commit()
    assert schema_errors(to_oruk(service)) == []
    found = search(db_session, Query(postcode="RG40 1BN", radius=1, categories=(term.id,), free_only=True,
                                     per_page=100))
    assert service.id in [hit.service.id for hit in found.nearby]
    with pytest.raises(EditError) as refused:
        create_service(db_session, organization_id_or_new_name=organization.id, name="X", description="Y",
                       address="1 Somewhere", postcode="ZZ99 9ZZ", actor=manager)
    assert "postcode" in refused.value.errors
