"""Drive a web journey through the Flask test client the way a browser would: follow each redirect and
answer whichever page the app asks for next, from a dict of answers shaped like forms.examples."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

from forms.referral import JOURNEYS
from forms.schema import Group, Page


def form_data(page: Page, answers: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in page.fields:
        value = answers.get(field.name)
        if value is None:
            continue
        if field.kind == "date":
            day = dt.date.fromisoformat(value)
            data.update({f"{field.name}-day": str(day.day), f"{field.name}-month": str(day.month),
                         f"{field.name}-year": str(day.year)})
        else:
            data[field.name] = value
    return data


def _continue_link(html: str) -> str:
    match = re.search(r'<a href="([^"]+)"[^>]*class="govuk-button"[^>]*>\s*Continue with the referral', html)
    assert match, "no Continue link"
    return match.group(1).replace("&amp;", "&")


def walk(client, journey_name: str, answers: dict[str, Any], *, submit: bool = True, extra: dict | None = None,
         max_steps: int = 60) -> list[str]:
    """Answer every page the app asks for; return the paths visited. Stops at /check unless submit."""
    journey = JOURNEYS[journey_name]
    prefix = f"/{journey_name}/"
    visited: list[str] = []
    response = client.post(f"{prefix}begin", data=extra or {})
    group_counts: dict[str, int] = {}
    for _ in range(max_steps):
        assert response.status_code == 302, (visited, response.status_code)
        path = response.location
        visited.append(path)
        tail = path.removeprefix(prefix).split("?")[0]
        if tail == "check":
            if not submit:
                return visited
            assert client.get(path).status_code == 200
            response = client.post(path)
            continue
        if tail == "confirmation":
            return visited
        if tail == "ring-now":  # the numbers to ring now, then on with the referral
            page = client.get(path)
            assert page.status_code == 200 and "Ring us now" in page.get_data(as_text=True)
            response = SimpleNamespace(status_code=302, location=_continue_link(page.get_data(as_text=True)))
            continue
        if tail == "attachments":  # a professional's optional body map and documents: none here
            assert client.get(path).status_code == 200
            response = client.post(path, data={"action": "continue"})
            continue
        parts = tail.split("/")
        step = journey.step(parts[0])
        assert step is not None, f"unexpected page {path}"
        if isinstance(step, Group) and len(parts) == 2:
            index = int(parts[1])
            item = (answers.get(step.name) or [])[index - 1]
            assert client.get(path).status_code == 200
            response = client.post(path, data=form_data(step.item_page, item))
            group_counts[step.name] = index
        elif isinstance(step, Group):
            more = group_counts.get(step.name, 0) < len(answers.get(step.name) or [])
            response = client.post(path, data={"add_another": "yes" if more else "no"})
        else:
            assert client.get(path).status_code == 200
            response = client.post(path, data=form_data(step, answers))
    raise AssertionError(f"journey did not finish: {visited}")
