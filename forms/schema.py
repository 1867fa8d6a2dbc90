"""Building blocks of the referral schema.

A journey is a sequence of pages and repeating groups; a page holds fields; a field knows how to clean
and validate its raw input (strings from a web form, a bot's slot, a partner's JSON) into a value that
can be stored as JSON. Conditions decide which pages and fields apply, from the answers so far.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

import phonenumbers

LONDON = ZoneInfo("Europe/London")

Answers = dict[str, Any]
FieldKind = Literal["text", "textarea", "radios", "checkboxes", "date", "phone", "email", "postcode"]

# Full UK postcode, including GIR 0AA; spaces are optional on input.
POSTCODE_RE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$")
# Ofcom's drama ranges look real but reach nobody; libphonenumber calls 07700 900xxx invalid, yet it is the
# number GOV.UK uses in its own hints, so it must be accepted (demo data and tests use these too).
OFCOM_DRAMA_PREFIXES = ("7700900", "1632960", "1184960", "1214960", "1314960", "1614960", "2079460", "1174960")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# Control characters other than newline and tab, line and paragraph separators, and every format character
# (Unicode category Cf) never belong in an answer: bidi overrides and isolates (U+202A-E, U+2066-9) show words
# reversed on staff pages, and invisible ones (U+200B-F, U+2060-4, U+FEFF, the U+E00xx tags) hide words from the
# danger screen or smuggle text nobody sees. The zero-width joiner goes too, though emoji use it: a family emoji
# falls apart into its people, which still read, while a joiner inside a word would hide it from the screen.
# The ranges are Cf as listed in Unicode 15; tests/test_schema.py checks them against this Python's unicodedata.
CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    r"\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    r"\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def london_today() -> dt.date:
    """Dates of birth are judged by the family's calendar, not the server's (which may run in UTC)."""
    return dt.datetime.now(LONDON).date()


class FieldError(ValueError):
    """An answer that cannot be accepted; the message is shown to the person as written."""


@dataclass(frozen=True)
class Problem:
    """A validation problem, located so any channel can point the person at it."""

    page: str
    field: str
    message: str
    item: int | None = None  # index within a repeating group


@dataclass(frozen=True)
class When:
    """A condition on an earlier (or same-page) answer: the answer is one of `values`, or includes one."""

    field: str
    values: tuple[str, ...]
    group_item: bool = False  # look the field up in the current group item, not the journey
    also: When | None = None  # a further condition that must hold too

    def holds(self, answers: Mapping[str, Any]) -> bool:
        if self.also is not None and not self.also.holds(answers):
            return False
        value = answers.get(self.field)
        if isinstance(value, list):
            return any(v in self.values for v in value)
        return value in self.values

    def and_(self, other: When) -> When:
        """This condition and `other` both hold."""
        return dataclasses.replace(self, also=other if self.also is None else self.also.and_(other))


def when(field_name: str, *values: str) -> When:
    return When(field_name, tuple(values))


# Required-ness a council has set for some fields (forms.requirements.configure, at start-up), by field name: it
# replaces the field's own `required` on every channel, since every channel reads `Field.is_required`.
_REQUIRED_RULES: dict[str, bool | When] = {}


def set_required_rules(rules: Mapping[str, bool | When]) -> None:
    """Replace the council's required-ness rules (forms.requirements checks them first)."""
    _REQUIRED_RULES.clear()
    _REQUIRED_RULES.update(rules)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str | None = None
    short: str | None = None  # the words of a numbered menu by text, where the label is too long for an SMS
    cin_code: str | None = None  # Children in Need ReferralSource code this answer implies
    exclusive: bool = False  # a checkbox answer that excludes the others ("None of these"); radios set it apart
    level: int | None = None  # a level-of-need indicator this answer implies


@dataclass(frozen=True)
class Sms:
    """How a conversation by text or web chat asks for a field: short, plain words, GSM-7 only.

    `reask` follows an answer that does not fit and says what is wanted, with an example; `why` answers
    "why do you need that?"; `confirm` is said once the answer is taken ({answer} is the answer's words).
    A field that is not required is asked by text only if `by_text`; otherwise it is taken when offered."""

    ask: str
    reask: str
    why: str | None = None
    confirm: str | None = None
    by_text: bool = True


# A repeating group's items carry a stable key, so an answer that names one of them (a Field with `choices_from`)
# still means the same item after another is removed. Keys are short and never reused within a draft; a partner's
# JSON may give its own, or leave them out (then an item's key is its position, from "1").
ITEM_KEY = "key"
ITEM_KEY_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def item_key(item: Mapping[str, Any], index: int) -> str:
    """The key of a group's item at `index` (from 0): its own, or its position from 1 when it has none."""
    key = item.get(ITEM_KEY)
    return key if isinstance(key, str) and ITEM_KEY_RE.match(key) else str(index + 1)


@dataclass(frozen=True)
class ChoicesFrom:
    """Radios whose choices are the items of a repeating group answered earlier (one per item, its value the
    item's key), before the field's own fixed choices ("Someone not listed"). A value naming no item now (it was
    removed) is refused with `stale`, so the answer never silently points at someone else."""

    group: str
    label: Callable[[Mapping[str, Any]], str]
    stale: str
    hint: Callable[[Mapping[str, Any]], str | None] = field(default=lambda item: None)

    def choices(self, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
        items = answers.get(self.group)
        if not isinstance(items, list):
            return ()
        return tuple(Choice(item_key(item, i), self.label(item) or f"Person {i + 1}", hint=self.hint(item))
                     for i, item in enumerate(items) if isinstance(item, Mapping))

    def item(self, answers: Mapping[str, Any], key: Any) -> tuple[int, Mapping[str, Any]] | None:
        """The (index, item) a value names, or None."""
        items = answers.get(self.group)
        if not isinstance(items, list) or not isinstance(key, str):
            return None
        return next(((i, item) for i, item in enumerate(items)
                     if isinstance(item, Mapping) and item_key(item, i) == key), None)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: FieldKind = "text"
    hint: str | None = None
    # True, False, or a condition on the answers so far (required only when it holds: `required=PROFESSIONAL`).
    # Read it through `is_required`, never directly: a council's setting may override it (forms.requirements).
    required: bool | When = True
    show_if: When | None = None
    choices: tuple[Choice, ...] = ()
    max_length: int = 200
    date_rule: Literal["past", "future", None] = None
    max_years_ago: int | None = None
    autocomplete: str | None = None
    width: str | None = None  # GOV.UK input width class suffix, e.g. "20" or "one-half"
    error_required: str | None = None
    sms: Sms | None = None  # its wording in a text or chat conversation (forms.conversation)
    choices_from: ChoicesFrom | None = None  # radios built from an earlier group's items (see ChoicesFrom)

    def resolve(self, answers: Mapping[str, Any]) -> Field:
        """This field with its choices as they are for these answers (itself unless `choices_from`)."""
        if self.choices_from is None:
            return self
        dynamic = tuple(c for c in self.choices_from.choices(answers) if self.choice(c.value) is None)
        return dataclasses.replace(self, choices=dynamic + self.choices)

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return self.show_if is None or self.show_if.holds(answers)

    def is_required(self, answers: Mapping[str, Any]) -> bool:
        """Whether an answer is needed, given the answers so far (and the council's rules)."""
        rule = _REQUIRED_RULES.get(self.name, self.required)
        return rule.holds(answers) if isinstance(rule, When) else bool(rule)

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def label_for(self, value: Any) -> str:
        """The words a person chose, for check-your-answers pages and staff screens."""
        if isinstance(value, list):
            return ", ".join(self.label_for(v) for v in value)
        choice = self.choice(value) if isinstance(value, str) else None
        if choice:
            return choice.label
        if self.kind == "date" and isinstance(value, str):
            day = dt.date.fromisoformat(value)
            return f"{day.day} {day.strftime('%B %Y')}"
        if self.kind == "phone" and isinstance(value, str):
            return phonenumbers.format_number(phonenumbers.parse(value, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL)
        return "" if value is None else str(value)

    def missing_message(self) -> str:
        if self.error_required:
            return self.error_required
        article = self.label[0].lower() + self.label[1:].rstrip("?")
        if self.kind in ("radios", "checkboxes"):
            return f"Select {article}" if not article.startswith(("select", "choose")) else article.capitalize()
        return f"Enter {article}"

    def clean(self, raw: Any, *, today: dt.date | None = None, answers: Mapping[str, Any] | None = None) -> Any:
        """Turn raw input into a stored value, or raise FieldError with a message for the person. `answers` (the
        answers so far) decide whether a conditionally required field needs an answer."""
        required = self.is_required(answers or {})
        if self.kind == "checkboxes":
            return self._clean_checkboxes(raw, required)
        if self.kind == "date":
            return self._clean_date(raw, today or london_today(), required)
        text = clean_text(raw, multiline=self.kind == "textarea")
        if not text:
            if required:
                raise FieldError(self.missing_message())
            return None
        if len(text) > self.max_length:
            raise FieldError(f"{_sentence_subject(self.label)} must be {self.max_length:,} characters or fewer")
        if self.kind == "radios":
            if self.choice(text) is None:
                raise FieldError(self.choices_from.stale if self.choices_from and ITEM_KEY_RE.match(text)
                                 else self.missing_message())
            return text
        if self.kind == "phone":
            return clean_uk_phone(text)
        if self.kind == "email":
            if not EMAIL_RE.match(text):
                raise FieldError("Enter an email address in the correct format, like name@example.com")
            return text
        if self.kind == "postcode":
            return clean_postcode(text)
        return text

    def _clean_checkboxes(self, raw: Any, required: bool) -> list[str] | None:
        if raw is None or isinstance(raw, str):
            values = [raw] if raw else []
        elif isinstance(raw, list | tuple):
            values = list(raw)
        else:
            raise FieldError(self.missing_message())
        values = [v for v in (str(v).strip() for v in values) if v]
        if not values:
            if required:
                raise FieldError(self.missing_message())
            return []
        allowed = {c.value for c in self.choices}
        if any(v not in allowed for v in values):
            raise FieldError(self.missing_message())
        exclusive = [v for v in values if self.choice(v) and self.choice(v).exclusive]  # type: ignore[union-attr]
        if exclusive and len(values) > 1:
            raise FieldError(f"Select ‘{self.choice(exclusive[0]).label}’ on its own, or the other answers")  # type: ignore[union-attr]
        return list(dict.fromkeys(v for c in self.choices for v in values if v == c.value))

    def _clean_date(self, raw: Any, today: dt.date, required: bool) -> str | None:
        parts = _date_parts(raw)
        subject = _sentence_subject(self.label)
        if not any(parts.values()):
            if required:
                raise FieldError(self.missing_message())
            return None
        missing = [k for k in ("day", "month", "year") if not parts[k]]
        if missing:
            raise FieldError(f"{subject} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(parts[k]) for k in ("day", "month", "year"))
            if year < 1000:
                raise FieldError("Year must include 4 numbers")
            value = dt.date(year, month, day)
        except (ValueError, TypeError, OverflowError) as exc:
            if isinstance(exc, FieldError):
                raise
            raise FieldError(f"{subject} must be a real date") from None
        if self.date_rule == "past" and value > today:
            raise FieldError(f"{subject} must be today or in the past")
        if self.date_rule == "future" and value < today:
            raise FieldError(f"{subject} must be today or in the future")
        if self.max_years_ago is not None and value < _years_before(today, self.max_years_ago):
            raise FieldError(f"{subject} must be within the last {self.max_years_ago} years")
        if self.date_rule == "future" and value > today + dt.timedelta(days=300):
            raise FieldError(f"{subject} must be within the next 10 months")
        return value.isoformat()


def _years_before(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _sentence_subject(label: str) -> str:
    label = label.rstrip("?")
    for prefix in ("What is ", "What was ", "What's "):
        if label.startswith(prefix):
            label = label[len(prefix):]
            break
    return label[0].upper() + label[1:]


def _date_parts(raw: Any) -> dict[str, str]:
    if isinstance(raw, Mapping):
        return {k: clean_text(raw.get(k), multiline=False) for k in ("day", "month", "year")}
    if raw is not None and not isinstance(raw, str):
        return {"day": "x", "month": "x", "year": "x"}
    if isinstance(raw, str) and raw.strip():
        try:
            value = dt.date.fromisoformat(raw.strip())
        except ValueError:
            return {"day": "x", "month": "x", "year": "x"}
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    return {"day": "", "month": "", "year": ""}


def clean_text(raw: Any, *, multiline: bool) -> str:
    """Free text as it is stored: NFC, newlines as "\\n", no control or format characters; one line unless
    `multiline`. The one cleaner of typed text (bot/pipeline.py uses CONTROL_RE itself)."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFC", str(raw))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_RE.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def clean_uk_phone(text: str) -> str:
    """A UK phone number in E.164, or FieldError. Accepts 07700 900123, +44 7700 900123, 0118 974 6000."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise FieldError("Enter a UK phone number, like 07700 900 982 or 0118 496 0000") from None
    valid = phonenumbers.is_valid_number(number) or (
        phonenumbers.is_possible_number(number) and str(number.national_number).startswith(OFCOM_DRAMA_PREFIXES))
    if number.country_code != 44 or not valid:
        raise FieldError("Enter a UK phone number, like 07700 900 982 or 0118 496 0000")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_postcode(text: str) -> str:
    """A full UK postcode in its standard form ("RG40 1AA"), or FieldError."""
    compact = "".join(text.upper().split())
    if not POSTCODE_RE.match(compact) or len(compact) < 5:
        raise FieldError("Enter a real postcode, like RG40 1AA")
    return f"{compact[:-3]} {compact[-3:]}"


@dataclass(frozen=True)
class Page:
    """One question page. `checks` are cross-field rules run when the page is answered."""

    slug: str
    title: str
    fields: tuple[Field, ...]
    show_if: When | None = None
    intro: str | None = None
    checks: tuple[Callable[[Answers], list[tuple[str, str]]], ...] = ()
    stops_when: When | None = None  # an answer that ends the journey here (e.g. a child in danger now)

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return self.show_if is None or self.show_if.holds(answers)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def resolve(self, answers: Mapping[str, Any]) -> Page:
        """This page with each field's choices as they are for these answers (see ChoicesFrom)."""
        if not any(f.choices_from for f in self.fields):
            return self
        return dataclasses.replace(self, fields=tuple(f.resolve(answers) for f in self.fields))

    def stale(self, answers: Mapping[str, Any]) -> list[Problem]:
        """Stored answers that name a group item no longer there (it was removed since): each with its message."""
        problems = []
        for f in self.fields:
            value = answers.get(f.name)
            if f.choices_from and value not in (None, "") and f.applies(answers) \
                    and f.resolve(answers).choice(value) is None:
                problems.append(Problem(self.slug, f.name, f.choices_from.stale))
        return problems

    def clean(self, raw: Mapping[str, Any], context: Mapping[str, Any], *, today: dt.date | None = None,
              run_checks: bool = True) -> tuple[Answers, list[Problem]]:
        """Clean every applicable field; conditions see earlier answers plus this page's own answers."""
        values: Answers = {}
        problems: list[Problem] = []
        merged = dict(context)
        # Choices first, so conditional reveals on this page know what was chosen.
        for f in self.fields:
            if f.kind in ("radios", "checkboxes"):
                merged[f.name] = raw.get(f.name)
        for f in self.fields:
            if not f.applies(merged):
                continue
            try:
                values[f.name] = f.resolve(merged).clean(raw.get(f.name), today=today, answers=merged)
            except FieldError as exc:
                problems.append(Problem(self.slug, f.name, str(exc)))
        if not problems and run_checks:
            combined = {**context, **values}
            for check in self.checks:
                problems.extend(Problem(self.slug, name, message) for name, message in check(combined))
        return values, problems


@dataclass(frozen=True)
class Group:
    """A repeating group (children, people in the household): one page per item, then "add another"."""

    name: str
    item_page: Page
    noun: str  # "child", "person"
    title: str
    min_items: int = 1
    max_items: int = 12
    show_if: When | None = None
    describe: Callable[[Answers], str] = field(default=lambda item: "")
    keyed: bool = False  # its items carry a stable key (ITEM_KEY), for answers that name one of them

    @property
    def slug(self) -> str:
        return self.name

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return self.show_if is None or self.show_if.holds(answers)


Step = Page | Group


@dataclass(frozen=True)
class Referral:
    """A referral whose every applicable answer has been validated against its journey."""

    journey: str
    kind: Literal["concern", "early_help"]
    answers: Answers

    def get(self, name: str, default: Any = None) -> Any:
        return self.answers.get(name, default)


@dataclass(frozen=True)
class Journey:
    name: str
    kind: Literal["concern", "early_help"]
    title: str
    steps: tuple[Step, ...]
    final_checks: tuple[Callable[[Answers], list[tuple[str, str]]], ...] = ()

    def pages(self) -> Iterator[Page]:
        for step in self.steps:
            yield step.item_page if isinstance(step, Group) else step

    def step(self, slug: str) -> Step | None:
        return next((s for s in self.steps if s.slug == slug), None)

    def fields(self) -> Iterator[Field]:
        for page in self.pages():
            yield from page.fields

    def applicable_steps(self, answers: Mapping[str, Any]) -> list[Step]:
        return [s for s in self.steps if s.applies(answers)]

    def next_step(self, answers: Mapping[str, Any], after: str | None) -> Step | None:
        """The first applicable step after `after` that is not yet answered, or the one straight after."""
        steps = self.applicable_steps(answers)
        if after is None:
            return steps[0] if steps else None
        slugs = [s.slug for s in steps]
        if after not in slugs:
            return None
        index = slugs.index(after)
        return steps[index + 1] if index + 1 < len(steps) else None

    def first_unanswered(self, answers: Mapping[str, Any], *, today: dt.date | None = None) -> Step | None:
        for step in self.applicable_steps(answers):
            if self._step_problems(step, answers, today=today):
                return step
        return None

    def validate(self, answers: Mapping[str, Any], *, today: dt.date | None = None
                 ) -> tuple[Referral | None, list[Problem]]:
        """Validate a whole referral from any channel. Inapplicable answers are dropped, not trusted.

        Which pages apply is decided from the answers as cleaned so far, never from what was sent, so a
        padded or oddly cased value cannot switch off a page (and its rules)."""
        problems: list[Problem] = []
        clean: Answers = {}
        if not isinstance(answers, Mapping):
            return None, [Problem("", "", "A referral must be a set of answers")]
        for step in self.steps:
            if not step.applies(clean):
                continue
            if isinstance(step, Group):
                items = answers.get(step.name) or []
                if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
                    problems.append(Problem(step.slug, "", f"Each {step.noun} must be a set of answers"))
                    continue
                if len(items) < step.min_items:
                    problems.append(Problem(step.slug, step.item_page.fields[0].name,
                                            f"Add at least {step.min_items} {step.noun}"))
                if len(items) > step.max_items:
                    problems.append(Problem(step.slug, "", f"Add no more than {step.max_items}"))
                cleaned_items = []
                for index, item in enumerate(items[: step.max_items]):
                    values, item_problems = step.item_page.clean(_as_raw(step.item_page, item), {**clean},
                                                                 today=today)
                    problems.extend(Problem(step.slug, p.field, p.message, index) for p in item_problems)
                    if step.keyed:
                        if item.get(ITEM_KEY) is not None and item_key(item, index) != item.get(ITEM_KEY):
                            problems.append(Problem(step.slug, ITEM_KEY, "A key must be 1 to 40 letters, numbers "
                                                    "or hyphens", index))
                        values[ITEM_KEY] = item_key(item, index)
                    cleaned_items.append(values)
                keys = [v.get(ITEM_KEY) for v in cleaned_items if step.keyed]
                if len(set(keys)) != len(keys):
                    problems.append(Problem(step.slug, ITEM_KEY, f"Each {step.noun} must have their own key"))
                clean[step.name] = cleaned_items
            else:
                values, page_problems = step.clean(_as_raw(step, answers), clean, today=today)
                problems.extend(page_problems)
                if not page_problems and step.stops_when and step.stops_when.holds(values):
                    problems.append(Problem(step.slug, step.stops_when.field,
                                            "This answer means the referral cannot be sent this way"))
                clean.update(values)
        if not problems:
            for check in self.final_checks:
                problems.extend(Problem("", name, message) for name, message in check(clean))
        return (None if problems else Referral(self.name, self.kind, clean)), problems

    def _step_problems(self, step: Step, answers: Mapping[str, Any], *, today: dt.date | None) -> list[Problem]:
        if isinstance(step, Group):
            items = answers.get(step.name) or []
            if len(items) < step.min_items:
                return [Problem(step.slug, "", "missing")]
            return [p for item in items for p in step.item_page.clean(_as_raw(step.item_page, item), answers,
                                                                        today=today)[1]]
        return step.clean(_as_raw(step, answers), answers, today=today)[1]


def _as_raw(page: Page, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers back into the raw shape `Field.clean` takes (dates as ISO strings are accepted)."""
    return {f.name: answers.get(f.name) for f in page.fields}


def choices(*pairs: tuple[str, str] | Choice) -> tuple[Choice, ...]:
    return tuple(p if isinstance(p, Choice) else Choice(*p) for p in pairs)


YES_NO = choices(("yes", "Yes"), ("no", "No"))
