"""Fictional police notifications for the tests: plain keyword-only builders in the API's JSON shape."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

from mash import police

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # a Wednesday morning
_refs = itertools.count(1)


def da(*, reference: str | None = None, grade: str = "standard", ticks: int = 5,
       occurred_at: str = "2026-11-24T22:15", address: str = "12 Elm Road, Wokingham", postcode: str = "RG40 1AA",
       children: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    data = {
        "kind": "domestic_abuse", "police_reference": reference or f"TVP/DA/{next(_refs):05d}",
        "occurred_at": occurred_at, "address": address, "postcode": postcode,
        "adults": [{"name": "Kelly Morris", "role": "victim"}, {"name": "Dean Carter", "role": "suspect"}],
        "children": children if children is not None else [
            {"first_name": "Jayden", "last_name": "Morris", "date_of_birth": "2019-05-01", "present": True,
             "witnessed": True}],
        "dash_grade": grade, "dash_ticks": ticks, "summary": "Verbal argument, neighbour called police.",
        "school_informed": "yes",
    }
    data.update(extra)
    return data


def missing(*, reference: str | None = None, went: str = "2026-11-23T18:00",
            returned: str | None = "2026-11-24T09:00", first_name: str = "Casey", last_name: str = "Lane",
            dob: str = "2011-02-03", **extra: Any) -> dict[str, Any]:
    data = {
        "kind": "missing", "police_reference": reference or f"TVP/MP/{next(_refs):05d}", "went_missing_at": went,
        "returned_at": returned, "return_kind": "found" if returned else None,
        "child": {"first_name": first_name, "last_name": last_name, "date_of_birth": dob},
        "address": "4 Birch Close, Reading", "postcode": "RG1 2AB", "summary": "Did not come home from school.",
    }
    data.update(extra)
    return data


def receive(session, data: dict[str, Any], *, now: dt.datetime = NOW, **kwargs: Any) -> police.Stored:
    item = police.validate(data, now=now)
    stored = police.receive_notification(session, item, source="test", actor="test", now=now, **kwargs)
    session.commit()
    return stored
