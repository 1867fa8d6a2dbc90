"""A conversation's answers as a referral: which schema fields each bot journey uses, how texted answers are
cleaned (by the schema's own Field.clean), and the shape mash.intake expects. Used by the portal's bot API
(the assistant's hand-off) and by the worker (a reported worry the person left unfinished)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import answers as words
from forms import referral as schema
from forms.schema import Field, FieldError, Page

# Which pages a bot journey draws its fields from, in order: the report journey is a member of the public's.
BOT_JOURNEYS: dict[str, tuple[Page, ...]] = {
    "help": tuple(schema.HELP.pages()),
    "report": (schema.PUBLIC_DETAILS, schema.PUBLIC_CONSENT, schema.REPORT_CHILDREN.item_page, schema.CONCERN,
               *schema.REPORT.pages()),
}
CHILD_PAGES = {"help": schema.HELP_CHILDREN.item_page, "report": schema.REPORT_CHILDREN.item_page}
KINDS = {"help": "early_help", "report": "concern"}


def bot_fields(journey: str) -> dict[str, Field]:
    """The field each name means in a bot journey (the first page that has it wins)."""
    found: dict[str, Field] = {}
    for page in BOT_JOURNEYS[journey]:
        for field in page.fields:
            found.setdefault(field.name, field)
    return found


def clean_answers(journey: str, given: dict[str, Any], *, today: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """Each known answer read and cleaned: (clean answers, problems by field). Unknown names are the caller's
    to refuse; empty answers are left out."""
    fields = bot_fields(journey)
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, raw in given.items():
        if name not in fields or raw is None or raw == "" or raw == []:
            continue
        try:
            value = fields[name].clean(words.interpret(fields[name], raw, today=today), today=today)
        except FieldError as exc:
            problems[name] = str(exc)
            continue
        if value not in (None, []):
            answers[name] = value
    return answers, problems


def shape(journey: str, answers: dict[str, Any]) -> dict[str, Any]:
    """Flat slots into the schema's shape: the child's answers become the first item of `children`."""
    child_names = {f.name for f in CHILD_PAGES[journey].fields}
    top = {k: v for k, v in answers.items() if k not in child_names}
    child = {k: v for k, v in answers.items() if k in child_names}
    if child:
        top["children"] = [{"born": "yes", **child}]
    if journey == "report":
        top["referrer_type"] = "public"  # the bot's report journey is a member of the public's
    return top
