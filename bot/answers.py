"""Reading a texted answer as the referral schema's value: "yeah" is yes, "mum" is mother, "4/3/21" is a date.

The schema (forms/) still decides what is valid; this only turns words into the raw input a web form would
have sent, so a texted answer and a typed one are cleaned by the same Field.clean.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from forms.schema import Field

YES = {"yes", "y", "yeah", "yea", "yep", "yup", "ye", "ya", "aye", "ok", "okay", "sure", "i do", "i agree",
       "agree", "yes please", "please", "correct", "thats right", "that is right", "definitely", "of course"}
NO = {"no", "n", "nope", "nah", "na", "no thanks", "no thank you", "i dont", "i do not", "dont", "do not",
      "not really", "never"}
UNSURE = {"not sure", "im not sure", "unsure", "dont know", "i dont know", "idk", "dunno", "no idea",
          "not known", "unknown", "maybe"}
# Words people use for the schema's choices, by choice value (any field that has that value).
SYNONYMS: dict[str, set[str]] = {
    "mother": {"mum", "mam", "mom", "mummy", "mother", "her mum", "his mum", "their mum", "im mum", "im the mum"},
    "father": {"dad", "daddy", "father", "his dad", "her dad", "their dad", "im dad", "im the dad"},
    "step_parent": {"step mum", "stepmum", "step dad", "stepdad", "step parent", "stepparent", "partner",
                    "boyfriend", "girlfriend", "mums partner", "dads partner"},
    "grandparent": {"nan", "nana", "nanny", "gran", "granny", "grandma", "grandad", "grandpa", "grandmother",
                    "grandfather", "grandparent", "aunt", "auntie", "aunty", "uncle", "relative", "cousin",
                    "sister", "brother"},
    "carer": {"foster carer", "foster mum", "foster dad", "guardian", "special guardian", "carer", "kinship carer"},
    "family": {"family", "relative", "parent", "mum", "dad", "aunt", "auntie", "uncle", "nan", "gran", "grandma",
               "grandad", "cousin", "sister", "brother", "carer", "step mum", "step dad"},
    "acquaintance": {"neighbour", "neighbor", "next door", "friend", "family friend", "childminder",
                     "a neighbour", "a friend", "know the family", "i know the family", "friend of the family"},
    "self": {"me", "myself", "im the child", "its me", "i am the child", "young person", "im a child"},
    "other": {"other", "someone else", "stranger", "passer by", "member of the public"},
}
MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_WORDS = re.compile(r"[a-z0-9]+")
_DATE_NUMBERS = re.compile(r"^\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2,4})\s*$")
_DATE_WORDS = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?([a-z]+)\.?,?\s*(\d{2,4})\s*$")


def plain(text: str) -> str:
    """Lower case words only: "Yes!!" -> "yes", "I'm not sure." -> "im not sure"."""
    return " ".join(_WORDS.findall(text.lower().replace("'", "").replace("\u2019", "")))


def interpret(field: Field, text: Any, *, today: dt.date | None = None) -> Any:
    """The raw value Field.clean expects, read from what someone texted (unrecognised text passes through,
    so the schema's own error message explains what is wanted)."""
    if not isinstance(text, str):
        return text
    if field.kind == "radios":
        return _choice(field, text) or text
    if field.kind == "checkboxes":
        found = [_choice(field, part) or part.strip() for part in re.split(r",|\band\b|/|\n", text) if part.strip()]
        return found
    if field.kind == "date":
        return _date(text, today or dt.date.today()) or {"day": "x", "month": "x", "year": "x"}
    return text


def _choice(field: Field, text: str) -> str | None:
    words = plain(text)
    values = {c.value for c in field.choices}
    for choice in field.choices:
        if words in (choice.value.replace("_", " "), plain(choice.label)):
            return choice.value
    if "yes" in values and words in YES:
        return "yes"
    if "no" in values and words in NO:
        return "no"
    for unsure in ("not_sure", "not_known"):
        if unsure in values and words in UNSURE:
            return unsure
    for value in (c.value for c in field.choices):
        if words in SYNONYMS.get(value, set()):
            return value
    # "I'm his nan" / "yes I am": a known word somewhere in a short answer.
    tokens = words.split()
    if len(tokens) <= 6:
        for value in (c.value for c in field.choices):
            if any(" ".join(tokens[i:i + n]) in SYNONYMS.get(value, set()) for n in (2, 1)
                   for i in range(len(tokens))):
                return value
        if "yes" in values and tokens and tokens[0] in YES:
            return "yes"
        if "no" in values and tokens and tokens[0] in NO:
            return "no"
    return None


def _date(text: str, today: dt.date) -> dict[str, str] | None:
    text = text.lower().strip()
    match = _DATE_NUMBERS.match(text)
    if match:
        day, month, year = match.groups()
    else:
        match = _DATE_WORDS.match(text)
        if not match or match.group(2) not in MONTHS:
            return None
        day, month, year = match.group(1), str(MONTHS[match.group(2)]), match.group(3)
    if len(year) == 2:  # "21" is 2021, "98" is 1998: a child's date of birth is never in the future
        year = str(2000 + int(year) if 2000 + int(year) <= today.year + 1 else 1900 + int(year))
    return {"day": day, "month": month, "year": year}
