"""Hostile and careless input on every page of both journeys: a clear message or a redirect, never a 500."""

import pytest

from forms import examples
from forms.referral import JOURNEYS
from forms.schema import Group
from tests.journey_support import walk

NASTY = [
    "", " ", "\x00\x01\x1b[31m", "<script>alert(1)</script>", "' OR 1=1; DROP TABLE contacts; --",
    "💥" * 50, "x" * 6000, "99999999999999999999999", "-1", "1e309", "NaN", "%s%s%n", "\u202eevil",
]


def paths(journey):
    for step in journey.steps:
        if isinstance(step, Group):
            yield f"/{journey.name}/{step.slug}/1", step.item_page
        else:
            yield f"/{journey.name}/{step.slug}", step


@pytest.mark.parametrize("journey_name", ["report", "help"])
def test_no_page_answers_nasty_input_with_a_500(client, journey_name):
    journey = JOURNEYS[journey_name]
    answers = examples.professional_concern() if journey_name == "report" else examples.family_help_request()
    walk(client, journey_name, answers, submit=False)
    for path, page in paths(journey):
        for value in NASTY:
            data = {}
            for field in page.fields:
                if field.kind == "date":
                    data.update({f"{field.name}-day": value, f"{field.name}-month": value,
                                 f"{field.name}-year": value})
                elif field.kind == "checkboxes":
                    data[field.name] = [value, value]
                else:
                    data[field.name] = value
            response = client.post(path, data=data)
            assert response.status_code in (302, 303), (path, value[:20], response.status_code)
            if response.status_code == 303:  # refused: the same page again, by GET, with its errors
                assert response.location == path
                shown = client.get(path)
                assert shown.status_code == 200, (path, value[:20], shown.status_code)
                page_html = shown.get_data(as_text=True)
                assert "There is a problem" in page_html
                assert "<script>alert(1)</script>" not in page_html


def test_huge_day_month_year_numbers_are_not_a_crash(client):
    client.post("/report/begin")
    client.post("/report/danger", data={"immediate_danger": "no"})
    client.post("/report/who", data={"referrer_type": "public"})
    response = client.post("/report/children/1", data={
        "born": "yes", "first_name": "A", "last_name": "B", "gender": "girl",
        "date_of_birth-day": "1" * 30, "date_of_birth-month": "1", "date_of_birth-year": "2020"})
    assert response.status_code == 303
    assert "must be a real date" in client.get(response.location).get_data(as_text=True)


def test_an_oversized_request_is_refused_politely(client):
    response = client.post("/report/danger", data={"immediate_danger": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too much information" in response.get_data(as_text=True)


def test_nonsense_urls_do_not_crash(client):
    for path in ("/report/children/0", "/report/children/99999999999999999999", "/report/children/abc",
                 "/report/stop/danger", "/report/stop/nope", "/help/household/1", "/report/%00"):
        assert client.get(path).status_code in (302, 404), path
