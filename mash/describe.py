"""A contact in a duty worker's words (issue 15): the child, the worry, who referred, and why it ranks where it
does. Codes ("2A", "level4_indicator", "danger_now:violence_now") stay in the data; people read these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forms.referral import (
    CONCERN_CATEGORIES,
    ETHNICITIES,
    HELP_CATEGORIES,
    OTHER_CHILD_PAGE,
    OTHER_CHILDREN_ASK,
    PERPETRATOR,
    PROFESSIONAL_DETAILS,
    alleged_perpetrator,
    perpetrator_words,
    safe_contact_words,
)
from forms.schema import Field, Group, Journey, london_today
from mash.safety import CHECK_NOW, DANGER_NOW, describe_flag

# Every flag mash.triage sets, in words, most serious first: the first a contact carries is why it ranks there.
FLAG_WORDS = {
    "not_safe_to_go_home": "The referrer says the child is not safe to go home today",
    "needs_action_today": "The referrer says something must happen today",
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
REFERRER_SAYS_URGENT = ("not_safe_to_go_home", "needs_action_today")
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


def ordered_flags(flags: Sequence[str] | None) -> list[str]:
    """A contact's flags, most serious first. What the referrer says outright (not safe to go home, something must
    happen today) comes before what the screen was unsure of: a teacher's "not safe to go home" is the reason, not
    "check now: a plea for help" (the live probe). Only the first of those goes before the screen's checks, so a
    queue row of two reasons still shows a check now (self-harm, say) beside "not safe to go home". Flags with no
    place in that order come last, as stored."""
    flags = list(flags or [])
    said = [f for f in REFERRER_SAYS_URGENT if f in flags]
    return list(dict.fromkeys([f for f in flags if f.startswith(DANGER_NOW)] + said[:1] +
                              [f for f in flags if f.startswith(CHECK_NOW)] + said[1:] +
                              [f for f in FLAG_WORDS if f in flags] + flags))


def risk_words(flags: Sequence[str] | None) -> list[str]:
    """A contact's flags in full words, most serious first; the screen's "check now" explanation only once (the
    probe read the same two sentences three times on one contact)."""
    words, explained = [], False
    for flag in ordered_flags(flags):
        checked = flag.startswith(CHECK_NOW)
        words.append(flag_words(flag, short=checked and explained))
        explained = explained or checked
    return words


def rank_reasons(flags: Sequence[str] | None, rag: str, *, check_overdue: bool = False) -> list[str]:
    """Why a contact ranks where it does, most serious first; a green one with nothing flagged says so. A partner
    agency's answer overdue comes second, after the most serious reason, so a row of two reasons shows it."""
    ordered = [f for f in ordered_flags(flags) if f.startswith((DANGER_NOW, CHECK_NOW)) or f in FLAG_WORDS]
    if not ordered:
        reasons = ["No risk flagged: " + {"red": "red", "amber": "amber by its worry", "green": "green"}.get(rag, rag)]
    else:
        reasons = [flag_words(f) for f in dict.fromkeys(ordered)]
    if check_overdue:  # second, or third where the second is the screen's check now (kept in a row's first two)
        reasons.insert(2 if len(ordered) > 1 and ordered[1].startswith(CHECK_NOW) else 1, CHECK_OVERDUE)
    return reasons


def row_reasons(flags: Sequence[str] | None, rag: str, *, check_overdue: bool = False) -> list[str]:
    """The reasons a queue row has room for: two, or three when a partner agency's answer is overdue as well."""
    return rank_reasons(flags, rag, check_overdue=check_overdue)[:3 if check_overdue else 2]


def referrer_words(source_code: str | None, referrer_type: str | None = None) -> str:
    if source_code in _SOURCE_WORDS:
        return _SOURCE_WORDS[source_code]
    return {"professional": "A professional", "public": "A member of the public", "family": "Family"}.get(
        referrer_type or "", "Not known")


FROM_THEIR_WORDS = " (from their words)"


def worry_words(categories: Iterable[str] | None, *, most: int = 2, read: Iterable[str] | None = None) -> str:
    """The kinds of worry the person chose; where they chose none, those read from their words (a report by text or
    chat, bot.report_worries), marked so staff know the family did not choose them; else "Not said yet"."""
    chosen = list(categories or [])
    said = chosen or list(read or [])
    words = [_WORRY_WORDS.get(c, c.replace("_", " ")) for c in said]
    if not words:
        return "Not said yet"
    shown = ", ".join(words[:most]) + (f" and {len(words) - most} more" if len(words) > most else "")
    return shown if chosen else shown + FROM_THEIR_WORDS


def worries_were_read(contact: Any) -> bool:
    """Does the contact's worry come from its words, not from what the person chose?"""
    return not contact.concern_categories and bool(getattr(contact, "concern_categories_read", None))


def child_age_words(child: Any, today: dt.date) -> str:
    """A child's age from their date of birth, or as the person said it by text ("4, as said"), or 'age not
    known'."""
    words = age_words(child.date_of_birth, today)
    said = getattr(child, "age_said", None) if words == "age not known" else None
    if said and said.isdigit():
        return "under 1, as said" if said == "0" else f"{said}, as said"
    if said:
        return f"{said}, as said"  # the age question's words: "14 months", "12 and 9", "about 6", "year 5"
    return words


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
    name = first.first_name or "Name not known"
    text = "Unborn baby" if first.unborn else f"{name}, {child_age_words(first, today)}"
    return text + (f" and {len(children) - 1} more" if len(children) > 1 else "")


# --- The referral in the MASH's words (the contact page and its printable copy) -------------------------------
# A referral's pages ask the referrer ("Your details", "Where do you work?"); staff read a record. These are the
# record's words for each page and answer; a field not named here keeps its own label.
SECTION_WORDS = {
    "who": "Who referred", "your-details": "The referrer", "about-you": "The referrer",
    "safe-contact": "Contacting the referrer safely", "children": "The children",
    "household": "Parents, carers and household", "harm": "Someone who may harm the child",
    "concern": "The worry", "today": "Today", "family": "The family and what has been done",
    "level": "Level of need the referrer suggests", "consent": "Consent and the parents",
    "family-aware": "Whether the family knows", "parental-responsibility": "Parental responsibility",
    "safeguarding-lead": "The referrer's safeguarding lead",
    "contact": "Contacting the family", "help-needed": "The help asked for", "agreement": "Agreement to share",
}
_HELP_SECTION_WORDS = {"about-you": "The parent or carer asking"}
FIELD_WORDS = {
    "immediate_danger": "Child in immediate danger (referrer's answer)",
    "referrer_type": "Referrer", "referrer_name": "Name", "referrer_role": "Role",
    "referrer_organisation": "Organisation", "referrer_workplace": "Works in", "referrer_phone": "Phone",
    "referrer_email": "Email", "referrer_relationship": "Relationship to the child", "anonymous": "Anonymous",
    "safe_to_contact": "Safe to call, text or email", "safe_contact_way": "Safe way to contact",
    "safe_contact_time": "Safe time", "safe_contact_number": "Safe number", "safe_contact_how": "How to contact",
    "safe_contact_professional": "Contact through",
    "born": "Born", "mother_name": "Mother", "aliases": "Also known as", "due_date": "Due",
    "school": "School or nursery", "gp": "GP", "interpreter": "Interpreter needed",
    "additional_needs": "Disability or special educational needs",
    "ethnicity": "Ethnicity", "religion": "Religion or belief",
    "child_views": "The child's views and wishes", "medical_attention": "Needed medical attention",
    "medical_details": "Medical attention",
    "previous_involvement": "Children's social care involved before",
    "previous_involvement_details": "Earlier involvement", "agencies_known": "Services involved",
    "dsl_consulted": "Talked to their safeguarding lead", "dsl_name": "Safeguarding lead",
    "dsl_disagree_name": "Safeguarding lead", "dsl_disagree_reason": "Why the lead disagrees, and why referred",
    "dsl_not_consulted_reason": "Why the lead was not asked",
    "name": "Name", "relationship": "Relationship to the child", "parental_responsibility": "Parental responsibility",
    "lives_with_child": "Lives with the child", "address": "Address",
    "alleged_perpetrator": "Someone who has harmed, or might harm, the child", "perpetrator_name": "Their name",
    "perpetrator_relationship": "How they know the child", "perpetrator_lives_with_child": "Lives with the child",
    "concern_categories": "Kind of worry", "what_happened": "What happened", "when_happened": "When",
    "how_known": "How the referrer knows", "child_location": "Where the child is now",
    "safe_tonight": "Safe to go home today", "needs_today": "Something must happen today",
    "needs_today_what": "What must happen today",
    "household_factors": "In the child's home", "strengths": "What is going well",
    "actions_taken": "Done already", "agencies_involved": "Services involved, in the referrer's words",
    "suggested_level": "Level suggested", "level_reason": "Why that level",
    "parents_told": "Parents told", "parents_not_told_reason": "Why not told", "consent": "Consent",
    "consent_given_by": "Given by", "consent_given_by_relationship": "Their relationship to the child",
    "consent_covers": "Covers", "no_consent_reason": "Why referred without consent",
    "not_asked_reason": "Why consent was not asked",
    "has_parental_responsibility": "Has parental responsibility", "consent_agree": "Agrees to share",
    "consent_limits": "Not to be contacted", "pr_person_name": "Person with parental responsibility",
    "pr_person_agrees": "They agree",
}
# The household's own (issue 16): parents' phones, the other children at home, who may harm the child.
SECTION_WORDS.update({"other-children": "Other children in the household",
                      "household_children": "Other children in the household"})
FIELD_WORDS.update({"phone": "Phone", "other_children": "Other children living with the child", "age": "Age",
                    "perpetrator_person": "Who", "perpetrator_date_of_birth": "Born",
                    "perpetrator_address": "Their address"})
_OTHER_CHILD_WORDS = {"sibling": "Brother or sister", "half_sibling": "Half-brother or half-sister",
                      "step_sibling": "Step-brother or step-sister", "other_child": "Another child at home"}
_HELP_FIELD_WORDS = {"concern_categories": "Help asked for", "what_happened": "In their words",
                     "postcode": "Postcode", "referrer_relationship": "Relationship to the children"}
# Answers worded for the person choosing them ("I do not know"), in a record's words.
VALUE_WORDS = {
    ("referrer_relationship", "family"): "Parent, carer or relative",
    ("referrer_relationship", "acquaintance"): "Knows the family (a neighbour, friend or childminder)",
    ("referrer_relationship", "self"): "The child or young person",
    ("safe_contact_way", "none"): "Do not contact them: they will contact the MASH",
    ("household_factors", "none_known"): "None known", ("has_parental_responsibility", "not_sure"): "Not sure",
    ("consent", "refused"): "Refused", ("consent", "not_asked"): "Not asked",
    ("referrer_type", "professional"): "A professional", ("referrer_type", "public"): "A member of the public",
    ("agencies_known", "none_known"): "None known",
    ("dsl_consulted", "is_lead"): "The referrer is the safeguarding lead",
    ("dsl_consulted", "agrees"): "Yes, and the lead agrees with the referral",
    ("dsl_consulted", "disagrees"): "Yes, but the lead does not agree with the referral",
    ("dsl_consulted", "no"): "No",
    # the census code as secondary detail: "White: Irish (WIRI)"
    **{("ethnicity", c.value): f"{c.label} ({c.value})" for c in ETHNICITIES},
    ("ethnicity", "REFU"): "The family did not want to say (REFU)", ("ethnicity", "NOBT"): "Not known yet (NOBT)",
}
_NOT_KNOWN = {"not_known": "Not known", "dont_know": "Not known"}


@dataclass(frozen=True)
class Section:
    """One part of a referral as staff read it: a title and its answers as (label, words) pairs."""

    key: str
    title: str
    rows: list[tuple[str, str]]


def field_words(journey: str, name: str, label: str) -> str:
    return (_HELP_FIELD_WORDS.get(name) if journey == "help" else None) or FIELD_WORDS.get(name) or label


def answer_words(field: Field, value: Any) -> str:
    """An answer as a record says it: choices in staff words, dates as dates, lists joined."""
    if isinstance(value, list):
        return ", ".join(answer_words(field, v) for v in value)
    if isinstance(value, str) and ((field.name, value) in VALUE_WORDS or value in _NOT_KNOWN):
        return VALUE_WORDS.get((field.name, value)) or _NOT_KNOWN[value]
    if field.name == "concern_categories" and isinstance(value, str):
        return _WORRY_WORDS.get(value, value.replace("_", " "))
    try:
        return field.label_for(value)
    except (ValueError, TypeError):  # an answer stored before its field's rules changed: as it was given
        return "" if value is None else str(value)


def _rows(journey: str, fields: Iterable[Field], answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(field_words(journey, f.name, f.label), answer_words(f, answers.get(f.name))) for f in fields
            if f.applies(answers) and answers.get(f.name) not in (None, "", [])]


def referral_sections(journey: Journey, answers: Mapping[str, Any]) -> list[Section]:
    """The referral, page by page, in the MASH's words; a repeating group gives one section per person. The
    safety gate (answered 'no' by every referral that reached the MASH this way) is left out."""
    sections = []
    perpetrator = alleged_perpetrator(answers) if journey.name == "report" else None
    for step in journey.applicable_steps(answers):
        title = (_HELP_SECTION_WORDS.get(step.slug) if journey.name == "help" else None) or \
            SECTION_WORDS.get(step.slug, step.title)
        if journey.name == "report" and step.slug in _HOUSEHOLD_SECTIONS:
            own = _HOUSEHOLD_SECTIONS[step.slug](answers)
            sections.extend([own] if own else [])
        elif isinstance(step, Group):
            for number, item in enumerate(answers.get(step.name) or [], start=1):
                if not isinstance(item, Mapping):
                    continue
                named = step.describe(dict(item)) or f"{step.noun.capitalize()} {number}"
                rows = _rows(journey.name, step.item_page.fields, item)
                if step.slug == "household" and perpetrator is not None and perpetrator["household"] == number - 1:
                    rows.append(("May harm the child", "Yes, the referrer thinks so"))
                sections.append(Section(f"{step.slug}-{number}", named, rows))
        elif step.slug != "danger":
            rows = _rows(journey.name, step.fields, answers)
            if rows:
                sections.append(Section(step.slug, title, rows))
    return sections


def _harm_section(answers: Mapping[str, Any]) -> Section | None:
    """Under 'Someone who may harm the child': 'Who: Dan Smith (mother's partner, lives with the child), born 3 May
    1990', from the household entry the referrer chose or as they typed it; or their answer ('No', 'Not known')."""
    words = perpetrator_words(answers)
    if words is None:
        answer = answers.get("alleged_perpetrator")
        if answer in (None, ""):
            return None
        return Section("harm", SECTION_WORDS["harm"], [
            ("Someone who may harm the child", answer_words(PERPETRATOR.field("alleged_perpetrator"), answer))])
    person = alleged_perpetrator(answers) or {}
    rows = [("Who", words)]
    if person.get("address"):
        rows.append(("Their address", str(person["address"])))
    if person.get("household") is not None:
        rows.append(("Where they are listed", "Parents, carers and household"))
    return Section("harm", SECTION_WORDS["harm"], rows)


def _other_children_section(answers: Mapping[str, Any]) -> Section | None:
    """One row per brother, sister or other child at home: 'Half-brother or half-sister, 7 (born 1 May 2019),
    Oakfield Primary'. They are household, not children the contact is about."""
    today = london_today()
    rows = []
    for item in answers.get("household_children") or []:
        if not isinstance(item, Mapping):
            continue
        born = date_words(item.get("date_of_birth"))
        age = f"{age_words(item['date_of_birth'], today)} (born {born})" if born else (
            f"aged {item['age']}" if item.get("age") else "age not known")
        relationship = _OTHER_CHILD_WORDS.get(item.get("relationship") or "") or \
            answer_words(OTHER_CHILD_PAGE.field("relationship"), item.get("relationship"))
        words = ", ".join(w for w in (relationship, age, item.get("school")) if w)
        rows.append((str(item.get("name") or "Name not known"), words))
    return Section("household_children", SECTION_WORDS["household_children"], rows) if rows else None


def _other_children_answer(answers: Mapping[str, Any]) -> Section | None:
    """'No' or 'Not known' to other children at home; a 'yes' is the list itself."""
    answer = answers.get("other_children")
    if answer in (None, "", "yes"):
        return None
    field = OTHER_CHILDREN_ASK.field("other_children")
    return Section("other-children", SECTION_WORDS["other-children"],
                   [(FIELD_WORDS["other_children"], answer_words(field, answer))])


_HOUSEHOLD_SECTIONS = {"harm": _harm_section, "harm-who": lambda answers: None,
                       "harm-person": lambda answers: None, "other-children": _other_children_answer,
                       "household_children": _other_children_section}


def collected_rows(journey: str, fields: Iterable[Field], answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a text or chat conversation has collected so far, as structured answers (labels in staff words)."""
    return _rows(journey, fields, answers)


# --- The summary at the head of a contact -----------------------------------------------------------------------
def child_line(child: Any, today: dt.date, *, dates: bool = True) -> str:
    """'Jayden Morris, 7 (born 1 May 2019)', 'Unborn baby (due 3 March 2027)' or 'Name not known, age not known';
    without `dates`, the name and age alone."""
    if child.unborn:
        due = date_words(child.due_date) if dates else ""
        return "Unborn baby" + (f" (due {due})" if due else "")
    name = " ".join(p for p in (child.first_name, child.last_name) if p) or "Name not known"
    born = date_words(child.date_of_birth) if dates else ""
    return f"{name}, {child_age_words(child, today)}" + (f" (born {born})" if born else "")


def headline(children: Sequence[Any], today: dt.date) -> str:
    """A contact's heading: 'Jayden Morris, 7', 'Jayden Morris, 7, and 2 more children' or 'Child not known yet'."""
    if not children:
        return "Child not known yet"
    first = child_line(children[0], today, dates=False)
    more = len(children) - 1
    return first + (f", and {more} more {'child' if more == 1 else 'children'}" if more else "")


def date_words(value: str | None) -> str:
    """An ISO date as a person writes it: "2016-03-04" -> "4 March 2016"; "" if it is no date."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return ""
    return f"{day.day} {day.strftime('%B %Y')}"


CONSENT_WORDS = {"given": "Given", "refused": "Refused", "not_sought": "Not asked"}
COVERS_WORDS = {"children": "the children", "parents": "the parents", "household": "the household"}
PARENTS_TOLD_WORDS = {"yes": "Yes", "no": "No", "not_known": "Not known", "dont_know": "Not known"}


def consent_words(consent: Any) -> str:
    """'Given by Sam Morris (parent), covering the children and the parents' or 'Refused: <why going ahead>'."""
    if consent is None:
        return "Not recorded"
    words = CONSENT_WORDS.get(consent.status, consent.status.replace("_", " ").capitalize())
    if consent.status == "given":
        if consent.given_by:
            words += f" by {consent.given_by}"
            if consent.given_by_relationship:
                words += f" ({consent.given_by_relationship.replace('_', ' ')})"
        if consent.relayed:
            words += " — passed on by the referrer, not yet confirmed with them"
        covers = [COVERS_WORDS.get(c, c) for c in consent.covers or []]
        if covers:
            words += ("; " if consent.relayed else ", ") + "covering " + " and ".join(covers)
    elif consent.without_consent_reason:
        words += f". Going ahead because: {consent.without_consent_reason}"
    return words


def parents_told(contact: Any) -> tuple[str | None, str, str | None]:
    """Whether the parents know, and who says so: (yes | no | None, whose record, why not). The practitioner's
    own record comes first, then the referral's answer; "not known" or no answer is None (someone must ask)."""
    if contact.parents_informed in ("yes", "no"):
        return contact.parents_informed, "the practitioner's record", contact.parents_informed_reason
    consent = contact.consent
    if consent is not None and consent.parents_told in ("yes", "no"):
        return consent.parents_told, "the referral", consent.parents_not_told_reason
    return None, "", None


NOT_SAFE = "Not safe to call or text. "


def feedback_plan(contact: Any) -> str:
    """What the contact page says while no feedback has been queued: whether the decision's feedback will reach
    the referrer and how, by the rule mash.outbox.queue_feedback keeps. Someone who said calling or texting is not
    safe is sent nothing, and staff are told the safe way they gave, so whoever must tell them acts on it."""
    professional = contact.referrer_type == "professional"
    if contact.referrer_anonymous:
        return "Nothing will be sent: the referrer asked to stay anonymous."
    if not professional and contact.safe_to_contact is not True:
        words = safe_contact_words(contact.answers or {})
        if words is None:
            return ("Nothing will be sent: the referrer was not asked whether it is safe to contact them. Before "
                    "you contact them yourself, find out whether it is safe.")
        way = words.removeprefix(NOT_SAFE)
        said = "Nothing will be sent: the referrer said it is not safe to call or text them."
        if way.startswith("Do not contact them"):
            return f"{said} {way}."
        if way == "No safe way given":
            return (f"{said} They gave no safe way to reach them: if they must hear the outcome, go through a "
                    f"professional who knows the family.")
        if way.startswith("Only through a professional"):
            return f"{said} To tell them the outcome, go only through the professional they named: " \
                   f"{way.partition(': ')[2] or 'a professional who knows the family'}."
        return f"{said} To tell them the outcome, use only the safe way they gave. {way}."
    if contact.referrer_email:
        return "None yet. Feedback is e-mailed to the referrer when a decision is signed off."
    if contact.referrer_phone and not professional:
        return "None yet. Feedback is texted to the referrer when a decision is signed off."
    return (f"Nothing will be sent: the referrer gave no e-mail address{'' if professional else ' or phone number'}."
            " If they must hear the outcome, contact them another way.")
