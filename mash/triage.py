"""A contact's first RAG rating and safety flags, derived from what the referrer told us.

Red goes to the head of the queue. The rules are deliberately simple and explainable: a practitioner
can always see which answers made a contact red.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from forms.referral import alleged_perpetrator, category_levels


@dataclass(frozen=True)
class Triage:
    rag: str
    flags: list[str]
    indicated_level: int | None


def assess(answers: dict[str, Any], *, today: dt.date, danger: tuple[str, ...] = (),
           check_now: tuple[str, ...] = ()) -> Triage:
    """`danger` holds the categories the channel's safety screen found in what was written (mash.safety);
    `check_now` those it was unsure of: red too, with a reason that tells staff to check it now (the person
    was not given the 999 advice)."""
    levels = category_levels()
    categories = answers.get("concern_categories") or []
    indicated = max((levels.get(c, 0) for c in categories), default=0) or None
    flags: list[str] = [f"danger_now:{category}" for category in danger]
    flags += [f"check_now:{category}" for category in check_now if category not in danger]
    if indicated == 4:
        flags.append("level4_indicator")
    suggested = answers.get("suggested_level")
    if suggested == "4":
        flags.append("suggested_level_4")
    if "domestic_abuse" in categories or "domestic_abuse" in (answers.get("household_factors") or []):
        flags.append("domestic_abuse")
    if answers.get("safe_tonight") == "no":
        flags.append("not_safe_to_go_home")
    if answers.get("needs_today") == "yes":
        flags.append("needs_action_today")
    perpetrator = alleged_perpetrator(answers)  # the household entry's answer when chosen from it
    if perpetrator is not None and perpetrator["lives_with_child"] == "yes":
        flags.append("alleged_perpetrator_at_home")
    children = answers.get("children") or []
    if any(c.get("born") == "no" for c in children):
        flags.append("unborn_baby")
    if any(_under_one(c.get("date_of_birth"), today) for c in children):
        flags.append("baby_under_one")
    if answers.get("safe_to_contact") == "no":
        flags.append("not_safe_to_contact")
    if answers.get("parents_told") == "no":
        flags.append("parents_not_told")
    if answers.get("consent") == "refused":
        flags.append("consent_refused")
    if answers.get("anonymous") == "yes":
        flags.append("anonymous_referrer")

    if danger or check_now or "level4_indicator" in flags or "suggested_level_4" in flags \
            or "alleged_perpetrator_at_home" in flags or "not_safe_to_go_home" in flags \
            or "needs_action_today" in flags:
        rag = "red"
    elif (indicated or 0) >= 3 or suggested == "3" or "domestic_abuse" in flags or (
            "baby_under_one" in flags and categories):
        rag = "amber"
    else:
        rag = "green"
    return Triage(rag=rag, flags=flags, indicated_level=indicated)


def _under_one(iso: str | None, today: dt.date) -> bool:
    if not iso:
        return False
    return (today - dt.date.fromisoformat(iso)).days < 365
