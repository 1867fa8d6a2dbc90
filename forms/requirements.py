"""Which referral questions a council makes required, optional, or required of professionals only.

The schema (forms.referral) sets each field's default; a council may change a declared few with the
REFERRAL_FIELD_RULES setting ("ethnicity=required,religion=optional,child_views=professional"). `configure` is
called once at start-up by the app factory (the web journeys, the partner APIs and the text and chat dialogue
all run in it) and replaces the rules every channel reads through `Field.is_required` where it asks the field. The
fields here are a multi-agency referral's: only the web's report journey (and the partner API that submits it) asks
them. A professional who texts is offered that form's link, and a referral taken by text or chat records what its
shorter conversation asked (forms.conversation), which staff see as such. The danger question, who is referring and
consent are never configurable: those are the front door's own rules, not a council's choice.
"""

from __future__ import annotations

from collections.abc import Iterable

from forms.schema import When, set_required_rules

RULES: dict[str, bool | When] = {"required": True, "optional": False,
                                 "professional": When("referrer_type", ("professional",))}
# The fields a council may set, all of them in the report journey only (a name shared with the early-help
# journey, like the NHS number, would change that journey too).
CONFIGURABLE = frozenset({
    "ethnicity", "religion", "child_views", "medical_attention", "previous_involvement", "agencies_known",
    "agencies_involved", "how_known", "when_happened", "strengths", "actions_taken", "dsl_consulted",
})


def parse(entries: Iterable[str]) -> tuple[dict[str, bool | When], list[str]]:
    """Rules from "field=rule" entries, and a problem (naming the field or value) for each that cannot be used."""
    rules: dict[str, bool | When] = {}
    problems: list[str] = []
    for entry in entries:
        name, sep, rule = (part.strip() for part in entry.partition("="))
        if not sep or not name or not rule:
            problems.append(f"REFERRAL_FIELD_RULES: {entry!r} must be written field=rule, like ethnicity=required")
        elif name not in CONFIGURABLE:
            problems.append(f"REFERRAL_FIELD_RULES: {name!r} is not a question a council can set (one of "
                            f"{', '.join(sorted(CONFIGURABLE))})")
        elif rule not in RULES:
            problems.append(f"REFERRAL_FIELD_RULES: {name}={rule!r} must be required, optional or professional")
        elif name in rules:
            problems.append(f"REFERRAL_FIELD_RULES: {name!r} is set twice")
        else:
            rules[name] = RULES[rule]
    return rules, problems


def configure(entries: Iterable[str]) -> None:
    """Apply a council's rules to every channel (the schema's defaults for any field not named)."""
    rules, problems = parse(entries)
    if problems:
        raise ValueError("; ".join(problems))
    set_required_rules(rules)
