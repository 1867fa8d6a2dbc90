"""The public service finder in a real browser: a parent on a phone searches, reads a service, keeps a
shortlist and prints it; a bad postcode gets a clear error. axe-core (WCAG 2.2 A and AA) on every page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from forms.examples import family_help_request
from signposting.directory import load_demo_directory
from store.db import make_engine, make_sessionmaker
from tests.browser_support import AxeAudit, choose, fill, fill_date, path_of, tick

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def directory_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("finder-browser") / "directory.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    with make_sessionmaker(engine)() as session:
        assert not load_demo_directory(session).errors
    engine.dispose()
    return path


@pytest.fixture
def database_url(directory_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "frontdoor.db"
    shutil.copy(directory_db, path)
    return f"sqlite:///{path}"


def new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page, errors


def search_for_a_parenting_group(page) -> None:
    page.get_by_label("Postcode (optional)").fill("RG40 1BN")
    page.get_by_label("Distance from the postcode").select_option(label="5 miles")
    page.get_by_label("What do you need help with?").select_option(label="Parenting support")
    page.get_by_label("Age of the child or young person (optional)").fill("4")
    page.get_by_role("group", name="Cost").get_by_label("Free services only").check()
    page.get_by_role("button", name="Search").click()


def test_a_parent_on_a_phone_finds_a_group_and_keeps_a_shortlist(browser, live_server, audit: AxeAudit):
    page, errors = new_page(browser, live_server, **PHONE)
    page.goto("/")
    page.get_by_role("link", name="Find services for children and families").click()
    assert path_of(page.url) == "/services"
    audit(page, "empty form")

    search_for_a_parenting_group(page)
    results = page.locator("#results")
    # The search lands on its results (#results), not on the top of the form again.
    assert page.url.endswith("#results")
    assert results.bounding_box()["y"] < 740 and page.evaluate("window.scrollY") > 0
    heading = results.get_by_role("heading", level=2).first.inner_text()
    assert re.fullmatch(r"\d+ services within 5 miles of RG40 1BN", heading.strip())
    assert "Parenting" in results.get_by_role("listitem").first.inner_text()
    assert results.get_by_role("heading", name="By phone or online").is_visible()
    assert "Contains OS data" in results.inner_text()
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    audit(page, "results")

    first = results.locator(".app-result h3 a").first
    name = first.inner_text()
    first.click()
    page.get_by_role("heading", name="Opening times").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == name
    audit(page, "service")

    page.get_by_role("button", name="Add to shortlist").click()
    assert "Added to your shortlist." in page.locator(".govuk-notification-banner--success").inner_text()
    audit(page, "added")
    page.get_by_role("link", name="Back to search results").click()
    page.locator("#results").wait_for()
    assert path_of(page.url) == "/services"

    page.get_by_role("link", name="Your shortlist (1)").click()
    page.wait_for_url("**/services/shortlist")
    page.get_by_role("heading", name=name).wait_for()
    audit(page, "shortlist")

    # Printed, the shortlist keeps the services and drops the page furniture and buttons.
    furniture = [page.locator("header.govuk-template__header"), page.locator("footer.govuk-footer"),
                 page.get_by_role("button", name=re.compile("^Remove"))]
    assert all(part.count() == 1 for part in furniture)
    page.emulate_media(media="print")
    assert page.get_by_role("heading", name=name).is_visible()
    assert all(part.is_hidden() for part in furniture)
    page.emulate_media(media="screen")

    page.get_by_role("button", name=re.compile("^Remove")).click()
    assert "You have not added any services yet." in page.locator("main").inner_text()
    audit(page, "removed")
    assert not errors, errors
    audit.assert_clean()


def test_a_bad_postcode_gets_a_clear_error(browser, live_server, audit: AxeAudit):
    page, errors = new_page(browser, live_server, **PHONE)
    page.goto("/services")
    page.get_by_label("Postcode (optional)").fill("not a postcode")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()  # is_visible() does not wait: it could look at the page before the search answered
    assert "That is not a postcode" in summary.inner_text()
    assert page.title().startswith("Error:")
    audit(page, "not a postcode")
    summary.get_by_role("link", name=re.compile("That is not a postcode")).click()
    assert page.evaluate("document.activeElement.id") == "postcode"

    page.get_by_label("Postcode (optional)").fill("ZZ99 9ZZ")
    page.get_by_role("button", name="Search").click()
    assert "We could not find that postcode" in page.locator(".govuk-error-summary").inner_text()
    audit(page, "postcode not found")

    page.get_by_label("Postcode (optional)").fill("RG40 1BN")
    page.get_by_text("More ways to narrow your search").click()
    page.get_by_label("Words to search for (optional)").fill("x" * 201)
    page.get_by_role("button", name="Search").click()
    assert "Enter 200 characters or fewer" in page.locator(".govuk-error-summary").inner_text()
    assert page.locator("details.govuk-details").get_attribute("open") is not None
    audit(page, "text too long")
    assert not errors, errors
    audit.assert_clean()


def test_the_finder_works_without_javascript(browser, live_server):
    page, _ = new_page(browser, live_server, java_script_enabled=False)
    page.goto("/services")
    search_for_a_parenting_group(page)
    assert "services within 5 miles of RG40 1BN" in page.locator("#results").inner_text()
    page.locator("#results .app-result h3 a").first.click()
    page.get_by_role("button", name="Add to shortlist").click()
    page.goto("/services/shortlist")
    assert page.locator(".app-shortlist-item").count() == 1


def test_a_help_request_confirmation_suggests_services(page, audit: AxeAudit):
    answers = family_help_request()
    child = answers["children"][0]

    def next_page() -> None:
        page.get_by_role("button", name="Continue", exact=True).click()
        page.wait_for_load_state("load")

    page.goto("/help/")
    page.get_by_role("button", name="Start now").click()
    choose(page, "Is a child in immediate danger right now?", "No")
    next_page()
    fill(page, "Your full name", answers["referrer_name"])
    choose(page, "Your relationship to the children", "Mother")  # a mother is not asked about responsibility
    next_page()
    fill(page, "Phone number", "07700 900982")
    choose(page, "Is it safe for us to call or text you on this number?", "Yes")
    fill(page, "Your postcode", answers["postcode"])
    next_page()
    choose(page, "Has your child been born?", "Yes")
    fill(page, "First name", child["first_name"])
    fill(page, "Last name", child["last_name"])
    fill_date(page, "Date of birth", child["date_of_birth"])
    next_page()
    choose(page, "Do you need to add another child?", "No")
    next_page()
    tick(page, "What would you like help with?", "Parenting, behaviour or routines")
    fill(page, "Tell us a bit more", answers["what_happened"])
    next_page()
    choose(page, "Do you agree to us sharing information about you and your children to help you?", "Yes")
    next_page()
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url("**/help/confirmation")

    suggestions = page.locator(".app-suggestions > li")
    assert page.get_by_role("heading", name="Services that may help while you wait").is_visible()
    assert 1 <= suggestions.count() <= 3
    suggestions.first.get_by_role("link").first.click()
    assert path_of(page.url).startswith("/services/")
    page.go_back()
    audit(page, "confirmation with suggestions")
    audit.assert_clean()


def test_the_list_of_kinds_of_help_narrows_as_you_type_under_the_real_csp(browser, live_server):
    """Without bypass_csp: static/finder.mjs runs under the nonce and narrows the grouped list."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto("/services")
        select = page.get_by_label("What do you need help with?")
        everything = select.locator("option").count()
        assert select.locator("optgroup").count() > 1
        page.get_by_label("Search the list").fill("parenting")
        narrowed = [t.strip() for t in select.locator("option").all_inner_texts()]
        assert "Parenting support" in narrowed and len(narrowed) < everything
        assert narrowed[0] == "Any kind of help"
        select.select_option(label="Parenting support")
        page.get_by_label("Search the list").fill("")
        assert select.locator("option").count() == everything
        assert select.evaluate("s => s.options[s.selectedIndex].text").strip() == "Parenting support"
    finally:
        context.close()
    assert not problems, problems

