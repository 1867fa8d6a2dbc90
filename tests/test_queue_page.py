"""A queue a duty worker can scan (issue 15 item 1): each row names the child and age, the worry, who referred,
why it ranks where it does, its own deadline and who holds it; filters and sorting stay in the URL; each colour
is counted; keyset paging keeps the filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from forms import examples
from mash.claims import claim
from mash.describe import age_words, children_words, rank_reasons, referrer_words, worry_words
from tests.staff_support import create_contact, create_staff, sign_in

TODAY = dt.date(2026, 12, 7)


def rows(html: str) -> list[str]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>")[:-1]]


def _years_ago(years: int, days: int = 0) -> str:
    return (dt.date.today() - dt.timedelta(days=365 * years + years // 4 + days)).isoformat()


def test_a_child_and_an_age_in_a_duty_workers_words():
    assert age_words("2019-12-06", TODAY) == "7"
    assert age_words("2019-12-08", TODAY) == "6"
    assert age_words("2025-10-20", TODAY) == "13 months"
    assert age_words("2026-11-16", TODAY) == "3 weeks"
    assert age_words("2026-12-05", TODAY) == "new-born"
    assert age_words(None, TODAY) == "age not known" and age_words("2027-01-01", TODAY) == "age not known"
    assert age_words(None, TODAY, unborn=True) == "unborn"
    assert children_words([], TODAY) == "Not known"


def test_the_words_for_the_worry_the_referrer_and_the_reasons():
    assert worry_words(["physical_abuse", "domestic_abuse", "neglect"]) == \
        "Physical abuse or injury, Domestic abuse at home and 1 more"
    assert worry_words([]) == "Not said yet"
    assert referrer_words("2A") == "School or nursery" and referrer_words("3B") == "Health visitor"
    assert referrer_words("1C") == "The child or young person" and referrer_words(None, "public") == \
        "A member of the public"
    assert rank_reasons(["parents_not_told", "level4_indicator", "danger_now:violence_now"], "red")[:2] == [
        "Danger now: violence happening, threatened or about to happen", "A specialist-help (level 4) concern"]
    assert rank_reasons([], "green") == ["No risk flagged: green"]


@pytest.fixture
def scene(app, db_session):
    red = create_contact(db_session)  # Jayden, 7, from a school: red, level 4
    unborn = create_contact(db_session, journey="help", answers=examples.family_help_request(
        children=[{"born": "no", "due_date": (dt.date.today() + dt.timedelta(days=60)).isoformat()}]))
    green = create_contact(db_session, journey="help")
    pat, secret = create_staff(db_session, name="Pat Practitioner")
    client = app.test_client()
    sign_in(client, pat, secret)
    return {"red": red, "unborn": unborn, "green": green, "pat": pat, "client": client}


def test_each_row_names_the_child_the_worry_the_referrer_the_reason_the_deadline_and_the_holder(scene, db_session):
    claim(db_session, scene["red"].id, scene["pat"])
    db_session.commit()
    html = scene["client"].get("/staff/queue").get_data(as_text=True)
    first = rows(html)[0]
    assert first.startswith("RED A specialist-help (level 4) concern")
    assert "Jayden, 7" in first and scene["red"].reference in first and "Concern" in first
    assert "Physical abuse or injury, Domestic abuse at home" in first and "School or nursery · Web" in first
    assert re.search(r"\d+h \d\dm left \d+(:\d\d)?[ap]m \w{3} \d+ \w{3}", first), first
    assert first.endswith("Pat Practitioner In screening")
    assert any("Unborn baby" in row for row in rows(html))
    # the count of each colour, as links that keep the other filters
    assert re.search(r"Red: <strong>1</strong>", html) and re.search(r"Green: <strong>2</strong>", html)
    assert "Danger now: <strong>0</strong>" in html


def test_filters_and_sorting_stay_in_the_url_and_bad_values_are_ignored(scene, db_session):
    client = scene["client"]
    green = client.get("/staff/queue?colour=green").get_data(as_text=True)
    assert scene["red"].reference not in green and scene["green"].reference in green
    assert 'value="green" selected' in green
    # the colour counts keep counting every colour under the other filters
    assert re.search(r"Red: <strong>1</strong>", green)
    assert scene["red"].reference not in client.get("/staff/queue?kind=early_help").get_data(as_text=True)
    assert "Nothing here." in client.get("/staff/queue?channel=sms").get_data(as_text=True)
    assert "Nothing here." in client.get("/staff/queue?worker=me").get_data(as_text=True)
    claim(db_session, scene["green"].id, scene["pat"])
    db_session.commit()
    mine = client.get(f"/staff/queue?worker={scene['pat'].id}").get_data(as_text=True)
    assert scene["green"].reference in mine and scene["red"].reference not in mine
    waiting = rows(client.get("/staff/queue?sort=waiting").get_data(as_text=True))
    assert [scene[k].reference in row for k, row in zip(("red", "unborn", "green"), waiting, strict=True)] == \
        [True, True, True]
    odd = client.get("/staff/queue?colour=purple&sort=drop+table&worker=999999&after=nonsense&overdue=maybe")
    assert odd.status_code == 200 and len(rows(odd.get_data(as_text=True))) == 3


def test_the_next_page_keeps_the_filters(app, db_session):
    for _ in range(3):
        create_contact(db_session, journey="help")
    create_contact(db_session)
    pat, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, pat, secret)
    from mash import queue

    original = queue.PAGE_SIZE
    try:
        queue.PAGE_SIZE = 2
        first = client.get("/staff/queue?colour=green&sort=due").get_data(as_text=True)
        link = re.search(r'href="(/staff/queue\?[^"]*after=[^"]+)">Next page', first).group(1).replace("&amp;", "&")
        assert "colour=green" in link and "sort=due" in link
        second = client.get(link).get_data(as_text=True)
        assert len(rows(first)) == 2 and len(rows(second)) == 1 and "Next page" not in second
        assert not set(rows(first)) & set(rows(second))
    finally:
        queue.PAGE_SIZE = original


def test_a_colour_count_stops_at_its_cap_and_says_so(scene, db_session, monkeypatch):
    """At 80,000 open contacts a full count read every one on every page (issue 15's benchmark): each colour is
    counted up to a cap, and a count that reached it reads "N+", under any filter."""
    from mash import queue

    create_contact(db_session, journey="help")  # a third green
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    html = scene["client"].get("/staff/queue").get_data(as_text=True)
    assert "Green: <strong>2+</strong>" in html and "Red: <strong>1</strong>" in html
    assert "Green: <strong>2+</strong>" in scene["client"].get("/staff/queue?colour=red").get_data(as_text=True)
    helped = scene["client"].get("/staff/queue?kind=early_help").get_data(as_text=True)
    assert "Red: <strong>0</strong>" in helped and "Green: <strong>2+</strong>" in helped
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    assert "Green: <strong>3</strong>" in scene["client"].get("/staff/queue").get_data(as_text=True)


def test_the_red_filter_and_count_take_in_danger_now_contacts(scene, db_session):
    """A danger-now contact is rated red (its page says RED): a duty worker filtering to red must see it, first,
    and the red count says how many of its contacts are danger now."""
    from mash.models import DANGER_NOW_RANK

    # as intake leaves a text that trips the danger screen: rated red, ranked danger now
    danger = create_contact(db_session, answers=examples.public_concern(
        what_happened="hes been drinking and hes got the baby, im scared"))
    danger.rag, danger.risk_rank, danger.safety_flags = "red", DANGER_NOW_RANK, ["danger_now:violence_now"]
    db_session.commit()
    client = scene["client"]
    red = client.get("/staff/queue?colour=red").get_data(as_text=True)
    found = rows(red)
    assert len(found) == 2 and found[0].startswith("DANGER NOW") and danger.reference in found[0]
    assert scene["red"].reference in found[1]
    assert "Red: <strong>2</strong> (1 danger now)" in red and "Danger now: <strong>1</strong>" in red
    assert 'value="red" selected>Red (with danger now)' in red
    # danger now alone still narrows to those
    only = rows(client.get("/staff/queue?colour=danger").get_data(as_text=True))
    assert len(only) == 1 and danger.reference in only[0]
    # the red filter under the contact's channel finds it too, where it said "Nothing here" before
    web = client.get("/staff/queue?colour=red&channel=web&kind=concern").get_data(as_text=True)
    assert danger.reference in web and "Nothing here" not in web


def test_a_filter_value_not_recognised_is_ignored_and_the_page_says_so(scene):
    client = scene["client"]
    purple = client.get("/staff/queue?colour=purple").get_data(as_text=True)
    assert "The colour filter's value was not recognised, so it was ignored." in purple
    assert len(rows(purple)) == 3
    several = client.get("/staff/queue?colour=purple&sort=sideways&worker=999999").get_data(as_text=True)
    assert "These filters' values were not recognised, so they were ignored: colour, sort order, held by." \
        in several
    assert "not recognised" not in client.get("/staff/queue?colour=green&sort=due").get_data(as_text=True)


def test_the_held_by_filter_lists_only_staff_who_can_hold_a_contact(scene, db_session):
    create_staff(db_session, role="admin", name="Alex Administrator")
    create_staff(db_session, role="manager", name="Morgan Manager")
    html = scene["client"].get("/staff/queue").get_data(as_text=True)
    held_by = html.split('id="filter-worker"', 1)[1].split("</select>", 1)[0]
    assert "Morgan Manager" in held_by and "Pat Practitioner" in held_by
    assert "Alex Administrator" not in held_by


def test_danger_found_by_the_screens_model_reads_in_a_duty_workers_words():
    from mash.safety import NET_CATEGORY

    reason = rank_reasons([f"danger_now:{NET_CATEGORY}"], "red")[0]
    assert reason == "Danger now: the words read like someone may be in danger (found by the screen's model, not by " \
        "a rule)"
    assert "second net" not in reason and "no rule matched" not in reason


def test_more_written_by_the_person_shows_on_the_queue_until_someone_in_the_team_looks(scene, db_session):
    """More written after the reference, or details after danger, reached only the contact's trail: a duty worker
    with forty contacts saw it only on opening that one (session 15's closing note)."""
    from mash import audit
    from mash.screening import written_since_staff_looked

    red, green = scene["red"], scene["green"]
    before = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    audit.record(db_session, event="contact.viewed", actor=f"staff:{scene['pat'].id}", contact_id=red.id, at=before)
    audit.record(db_session, event="conversation.more_after_reference", actor="bot:sms", contact_id=red.id,
                 at=before + dt.timedelta(minutes=1))
    db_session.commit()
    assert written_since_staff_looked(db_session, [red.id, green.id]) == {red.id}
    marked = [row for row in rows(scene["client"].get("/staff/queue").get_data(as_text=True))
              if "New messages since last viewed" in row]
    assert len(marked) == 1 and red.reference in marked[0]
    scene["client"].get(f"/staff/contacts/{red.id}")  # a person looks: the mark goes
    db_session.expire_all()
    assert written_since_staff_looked(db_session, [red.id]) == set()
    assert "New messages since last viewed" not in scene["client"].get("/staff/queue").get_data(as_text=True)
