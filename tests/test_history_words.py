"""Every event the trail can record reads in words on a contact's history, never as a raw code like
"attachment.received" (a tester found two): each event name recorded anywhere in mash/, portal/ or bot/ has words."""

from __future__ import annotations

import ast
import pathlib

from mash.history import WORDS

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The events named by a pattern rather than spelled out: each value the pattern can take.
PATTERNS = {
    "f'conversation.{event}'": [f"conversation.{e}" for e in
                                ("taken", "staff_message", "handed_back", "passed", "ended", "contact_made")],
    "f'conversation.{reason}'": [f"conversation.{r}" for r in
                                 ("asked_for_person", "not_understood", "opted_out", "spooled", "flood")],
    "f'missing.interview_{step}'": [f"missing.interview_{s}" for s in
                                    ("offered", "accepted", "declined", "completed")],
    "f'{message.kind}.bounced'": ["feedback.bounced", "receipt.bounced"],
    "f'{message.kind}.undelivered'": ["feedback.undelivered", "receipt.undelivered"],
}


def recorded_events() -> tuple[set[str], set[str]]:
    """The event names passed to audit.record(event=...) or audit.Entry(...), and the patterns (f-strings)."""
    names: set[str] = set()
    patterns: set[str] = set()
    for folder in ("mash", "portal", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            module = ast.parse(path.read_text())
            # a module's constants (cin's AUDIT_EVENT = "export.cin"), for an event named by one
            constants = {target.id: node.value.value for node in module.body if isinstance(node, ast.Assign)
                         and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                         for target in node.targets if isinstance(target, ast.Name)}
            for node in ast.walk(module):
                if not isinstance(node, ast.Call):
                    continue
                values = [kw.value for kw in node.keywords if kw.arg == "event"]
                if ast.unparse(node.func).endswith("Entry") and node.args:
                    values.append(node.args[0])
                while values:
                    value = values.pop()
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        names.add(value.value)
                    elif isinstance(value, ast.Name) and value.id in constants:
                        names.add(constants[value.id])
                    elif isinstance(value, ast.JoinedStr):
                        patterns.add(ast.unparse(value))
                    elif isinstance(value, ast.IfExp):
                        values += [value.body, value.orelse]
    return names, patterns


def test_every_recorded_event_has_words():
    names, patterns = recorded_events()
    assert {"attachment.received", "receipt.queued", "contact.received", "repeat.rejected", "export.cin"} <= names
    assert patterns == set(PATTERNS), "a new event pattern: list what it can be in PATTERNS, and give it words"
    everything = names | {name for values in PATTERNS.values() for name in values}
    assert sorted(name for name in everything if name not in WORDS) == []


def test_how_a_contact_came_reads_as_words(db_session):
    import datetime as dt

    from mash.history import describe_events
    from mash.models import AuditEvent

    at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    events = [AuditEvent(seq=n, at=at, event="contact.received", actor="public:sms", contact_id=None,
                         details={"channel": channel, "rag": "red"})
              for n, channel in enumerate(("sms", "web", "phone", "pigeon"), start=1)]
    lines = [(line.what, line.detail) for line in describe_events(db_session, events)]
    assert lines == [("Received by text message", "rated RED"), ("Received through the web form", "rated RED"),
                     ("Received by phone (an out-of-hours call)", "rated RED"), ("Received", "by pigeon, rated RED")]


def test_what_the_referrer_says_is_urgent_comes_before_what_the_screen_was_unsure_of():
    """The live probe: a teacher's referral saying the child is not safe to go home showed in the queue as "Check
    now: a plea for help with fear" and "Check now: violence...", the teacher's own words seventh on the contact."""
    from mash.describe import ordered_flags, rank_reasons

    flags = ["check_now:violence_now", "level4_indicator", "not_safe_to_go_home", "police_flag_x",
             "needs_action_today"]
    assert rank_reasons(flags, "red")[0] == "The referrer says the child is not safe to go home today"
    assert ordered_flags(flags) == ["not_safe_to_go_home", "check_now:violence_now", "needs_action_today",
                                    "level4_indicator", "police_flag_x"]
    assert ordered_flags(["danger_now:violence_now", "not_safe_to_go_home"])[0] == "danger_now:violence_now"


def test_a_queue_row_keeps_the_screens_check_now_beside_what_the_referrer_says():
    """The final review: with both of the referrer's urgent answers and a check now for self-harm, a row of two
    reasons showed only the referrer's two; with a partner agency's answer overdue too, the check now fell off."""
    from mash.describe import CHECK_OVERDUE, row_reasons

    flags = ["not_safe_to_go_home", "needs_action_today", "check_now:suicide_self_harm"]
    row = row_reasons(flags, "red")
    assert row[0] == "The referrer says the child is not safe to go home today"
    assert len(row) == 2 and row[1].startswith("Check now")
    late = row_reasons(flags, "red", check_overdue=True)
    assert late[:2] == row and late[2] == CHECK_OVERDUE
    assert row_reasons(["level4_indicator"], "red", check_overdue=True)[1] == CHECK_OVERDUE


def test_the_contact_page_explains_check_now_once():
    """The live probe: each "Check now" reason repeated the screen's two sentences, three times on one contact."""
    from mash.describe import risk_words

    words = risk_words(["check_now:violence_now", "check_now:help_with_fear", "check_now:child_being_hurt",
                        "domestic_abuse"])
    assert sum("The screen was unsure" in w for w in words) == 1 and words[0].startswith("Check now")
    assert all(w.startswith("Check now") for w in words[:3])
