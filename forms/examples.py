"""Fictional, complete answers for each journey: the demo data, the tests and the benchmarks start here.

Every name, number and address is invented (phone numbers from Ofcom's drama ranges).
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def _years_ago(years: int, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def professional_concern(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "immediate_danger": "no",
        "referrer_type": "professional",
        "referrer_name": "Priya Shah",
        "referrer_role": "Designated safeguarding lead",
        "referrer_organisation": "Oakfield Primary School (demo)",
        "referrer_workplace": "school",
        "referrer_phone": "+441184960123",
        "referrer_email": "dsl@oakfield.example",
        "dsl_consulted": "is_lead",
        "children": [{
            "born": "yes", "first_name": "Jayden", "last_name": "Morris", "date_of_birth": _years_ago(7),
            "gender": "boy", "address": "12 Elm Road, Wokingham", "postcode": "RG40 1AA",
            "school": "Oakfield Primary School", "interpreter": "no",
            "ethnicity": "WBRI", "religion": "None",
        }],
        "household": [{
            "name": "Kelly Morris", "relationship": "mother", "parental_responsibility": "yes",
            "lives_with_child": "yes", "phone": "+447700900321",
        }, {
            "name": "Dean Carter", "relationship": "step_parent", "parental_responsibility": "no",
            "lives_with_child": "yes", "date_of_birth": "1990-05-03",
        }],
        # his sister Ruby lives with him (the demo police notification's other child)
        "other_children": "yes",
        "household_children": [{"name": "Ruby Morris", "relationship": "sibling", "date_of_birth": _years_ago(4),
                                 "school": "Oakfield Primary School nursery"}],
        "alleged_perpetrator": "yes",
        "perpetrator_person": "2",  # Dean Carter, chosen from the household (its second person)
        "concern_categories": ["physical_abuse", "domestic_abuse"],
        "what_happened": ("Jayden came to school with bruising to his upper arm and said his mum's boyfriend "
                          "grabbed him."),
        "when_happened": "Last night",
        "how_known": "Jayden told his class teacher this morning.",
        "child_location": "At school until 3.15pm",
        "child_views": "Jayden said he wants things to be calm at home, and he would like to see his nan more.",
        "medical_attention": "no",
        "safe_tonight": "yes",
        "needs_today": "no",
        "household_factors": ["domestic_abuse"],
        "strengths": "Jayden attends well and has a good relationship with his teacher.",
        "previous_involvement": "not_known",
        "agencies_known": ["school_nurse"],
        "suggested_level": "4",
        "level_reason": "A disclosure of physical harm by an adult in the household.",
        "parents_told": "no",
        "parents_not_told_reason": "Telling mum before a strategy discussion could put Jayden at risk.",
        "consent": "not_asked",
        "not_asked_reason": "Significant harm is suspected; seeking consent could place the child at risk.",
    }
    answers.update(overrides)
    return answers


def public_concern(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "immediate_danger": "no",
        "referrer_type": "public",
        "referrer_relationship": "acquaintance",
        "anonymous": "yes",
        "children": [{"born": "yes", "first_name": "Lily", "last_name": "Evans", "date_of_birth": _years_ago(3),
                      "gender": "girl", "postcode": "RG41 2YA"}],
        "household": [{"name": "not known", "relationship": "mother", "parental_responsibility": "not_known",
                       "lives_with_child": "yes"}],
        "other_children": "not_known",
        "alleged_perpetrator": "not_known",
        "concern_categories": ["neglect"],
        "what_happened": ("The little girl next door is often left alone in the flat in the evenings and cries "
                          "for hours."),
        "child_location": "At home",
        "safe_tonight": "not_known",
        "needs_today": "no",
        "household_factors": ["none_known"],
        "parents_told": "no",
    }
    answers.update(overrides)
    return answers


def family_help_request(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "immediate_danger": "no",
        "referrer_name": "Sam Taylor",
        "referrer_relationship": "mother",
        "has_parental_responsibility": "yes",
        "referrer_phone": "+447700900982",
        "safe_to_contact": "yes",
        "postcode": "RG40 2AB",
        "children": [{"born": "yes", "first_name": "Alfie", "last_name": "Taylor", "date_of_birth": _years_ago(10),
                      "school": "Westfield Primary"}],
        "concern_categories": ["parenting", "school_attendance"],
        "what_happened": "Alfie has stopped going to school and we argue every morning. I don't know what to do.",
        "consent_agree": "yes",
    }
    answers.update(overrides)
    return answers
