"""A contact in a duty worker's words (issue 15): the child, the worry, who referred, and why it ranks where it
does. Codes ("2A", "level4_indicator", "danger_now:violence_now") stay in the data; people read these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from forms.referral import CONCERN_CATEGORIES, HELP_CATEGORIES, PROFESSIONAL_DETAILS
from mash.safety import CHECK_NOW, DANGER_NOW, describe_flag

# Every flag mash.triage sets, in words, most serious first: the first a contact carries is why it ranks there.
FLAG_WORDS = {
    "level4_indicator": "A specialist-help (level 4) concern",
    "suggested_level_4": "The referrer suggests specialist help (level 4)",
    "alleged_perpetrator_at_home": "The alleged perpetrator lives with the child",
    "domestic_abuse": "Domestic abuse",
    "baby_under_one": "A baby under one",
    "unborn_baby": "An unborn baby",
    "not_safe_to_contact": "Not safe to call or text",
    "parents_not_told": "Parents not told",
    "consent_refused": "Consent refused",
    "anonymous_referrer": "Anonymous referrer",
}
_SOURCE_WORDS = {
    # a professional's workplace, in the few words of its short form: "GP", "School or nursery", "Police"
    **{c.cin_code: (c.short or c.label)[0].upper() + (c.short or c.label)[1:]
       for c in PROFESSIONAL_DETAILS.field("referrer_workplace").choices if c.cin_code},
    # the public's relationship to the child (forms.referral's PUBLIC_DETAILS codes 1A-1D), and the rest
    "1A": "Family", "1B": "Someone who knows the family", "1C": "The child or young person",
    "1D": "A member of the public", "9": "Anonymous", "10": "Not known",
}
# staff words: where a family's own wording and a referral's share a value, the referral's label is kept
_WORRY_WORDS = {c.value: c.label for c in (*HELP_CATEGORIES, *CONCERN_CATEGORIES)}


def flag_words(flag: str, *, short: bool = True) -> str:
    kind, _, _category = flag.partition(":")
    if kind in (DANGER_NOW, CHECK_NOW):
        return describe_flag(flag, short=short)
    return FLAG_WORDS.get(flag, flag.replace("_", " ").capitalize())


CHECK_OVERDUE = "Check overdue"


def rank_reasons(flags: Sequence[str] | None, rag: str, *, check_overdue: bool = False) -> list[str]:
    """Why a contact ranks where it does, most serious first; a green one with nothing flagged says so. A partner
    agency's answer overdue comes second, after the most serious reason, so a row of two reasons shows it."""
    flags = list(flags or [])
    ordered = [f for f in flags if f.startswith(DANGER_NOW)] + [f for f in flags if f.startswith(CHECK_NOW)] + \
        [f for f in FLAG_WORDS if f in flags]
    if not ordered:
        reasons = ["No risk flagged: " + {"red": "red", "amber": "amber by its worry", "green": "green"}.get(rag, rag)]
    else:
        reasons = [flag_words(f) for f in dict.fromkeys(ordered)]
    if check_overdue:
        reasons.insert(1, CHECK_OVERDUE)
    return reasons


def referrer_words(source_code: str | None, referrer_type: str | None = None) -> str:
    if source_code in _SOURCE_WORDS:
        return _SOURCE_WORDS[source_code]
    return {"professional": "A professional", "public": "A member of the public", "family": "Family"}.get(
        referrer_type or "", "Not known")


def worry_words(categories: Iterable[str] | None, *, most: int = 2) -> str:
    words = [_WORRY_WORDS.get(c, c.replace("_", " ")) for c in categories or []]
    if not words:
        return "Not said yet"
    shown = ", ".join(words[:most])
    return shown + (f" and {len(words) - most} more" if len(words) > most else "")


def age_words(date_of_birth: str | None, today: dt.date, *, unborn: bool = False) -> str:
    """'7', '8 months', '3 weeks', 'unborn' or 'age not known' (from an ISO date of birth)."""
    if unborn:
        return "unborn"
    try:
        born = dt.date.fromisoformat(date_of_birth or "")
    except ValueError:
        return "age not known"
    if born > today:
        return "age not known"
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years >= 2:
        return str(years)
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months >= 1:
        return f"{months} month{'s' if months != 1 else ''}"
    weeks = (today - born).days // 7
    return f"{weeks} week{'s' if weeks != 1 else ''}" if weeks else "new-born"


def children_words(children: Sequence[Any], today: dt.date) -> str:
    """'Jayden, 7', 'Unborn baby', 'Name not known, 4' or 'Not known', with 'and 2 more'."""
    if not children:
        return "Not known"
    first = children[0]
    if first.unborn:
        text = "Unborn baby"
    else:
        text = f"{first.first_name or 'Name not known'}, {age_words(first.date_of_birth, today)}"
    return text + (f" and {len(children) - 1} more" if len(children) > 1 else "")
