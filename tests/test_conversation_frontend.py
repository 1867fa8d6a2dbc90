"""The conversations workspace as a screen-reader user and a keyboard user meet it (issue 13): inbox rows told apart
by their links, the danger alert there without JavaScript, and the text counter counting what the server counts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import sms, takeover
from bot.models import Conversation
from forms.schema import CONTROL_RE, clean_text
from mash.clock import WorkingCalendar
from tests.bot_support import FakeParser, post_sms, use_parser
from tests.staff_support import create_staff, sign_in

STAFF_JS = Path(__file__).resolve().parent.parent / "portal" / "static" / "staff.mjs"
DANGER = "dad is drunk and throwing things at us im hiding in my room"


@pytest.fixture(autouse=True)
def office(monkeypatch):
    monkeypatch.setattr(WorkingCalendar, "is_office_hours", lambda self, moment: True)
    use_parser(monkeypatch, FakeParser())


def practitioner(app, db_session):
    user, secret = create_staff(db_session)
    client = app.test_client()
    sign_in(client, user, secret)
    return client


class Rows(HTMLParser):
    """Each inbox row's link text and tag text, as a screen reader has them (visually hidden words included)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "tr" and "data-conversation" in found:
            self.rows.append({"link": "", "tag": "", "tag_hidden": ""})
        elif self.rows and tag == "a":
            self._open.append("link")
        elif self.rows and tag == "strong" and "govuk-tag" in (found.get("class") or ""):
            self._open.append("tag")
            self.rows[-1]["tag_hidden"] = found.get("aria-hidden") or ""

    def handle_endtag(self, tag):
        if self._open and ((tag == "a" and self._open[-1] == "link") or (tag == "strong" and self._open[-1] == "tag")):
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            self.rows[-1][self._open[-1]] += data

    def parsed(self, html: str) -> list[dict[str, str]]:
        self.feed(html)
        return [{k: " ".join(v.split()) for k, v in row.items()} for row in self.rows]


def test_each_inbox_row_has_its_own_link_and_the_tag_does_not_repeat_it(app, client, db_session):
    # Two danger texts in the same minute, neither child known yet: alike in everything a link could say at first.
    post_sms(client, DANGER, sender="+447700900111")
    post_sms(client, DANGER, sender="+447700900222")
    post_sms(client, "can i talk to a real person please", sender="+447700900333")
    named = db_session.scalars(select(Conversation).order_by(Conversation.id)).first()
    named.state = {**(named.state or {}), "answers": {"first_name": "Amy"}, "facts": {"age": 6}}
    db_session.commit()
    staff = practitioner(app, db_session)

    for html in (staff.get("/staff/conversations").get_data(as_text=True),
                 staff.get("/staff/conversations/rows").get_data(as_text=True)):
        rows = Rows().parsed(html)
        links = [row["link"] for row in rows]
        assert len(rows) == 3 and len(set(links)) == 3, links
        assert any(link.startswith("Amy, aged 6, by text, last message at ") for link in links), links
        assert sum(link.startswith("Text conversation, last message at ") for link in links) == 2, links
        for row in rows:
            assert row["tag"], row  # danger and asking for a person are both tagged
            assert row["tag"] not in row["link"] and not row["link"].startswith("Danger"), row
            assert row["tag_hidden"] == "true", row  # the words beside it say the whole why, once
        # The why is read whole ("Danger now: ..."), once, beside the tag the eye sees.
        assert html.count('<span class="govuk-visually-hidden">Danger now: </span>') == 2


def test_the_danger_alert_is_on_every_workspace_page_without_javascript(app, client, db_session, monkeypatch):
    staff = practitioner(app, db_session)
    calls = []
    counted = takeover.danger_waiting
    monkeypatch.setattr(takeover, "danger_waiting", lambda session: calls.append(1) or counted(session))

    page = staff.get("/staff/queue").get_data(as_text=True)
    assert re.search(r'<div class="app-danger-alert"[^>]*role="alert" hidden>', page)
    assert "waiting for a person" not in page

    post_sms(client, DANGER)
    conversation = db_session.scalars(select(Conversation)).one()
    calls.clear()
    page = staff.get("/staff/queue").get_data(as_text=True)
    assert len(calls) == 1
    alert = re.search(r'<div class="app-danger-alert"([^>]*)>(.*?)</div>', page, re.S)
    assert alert and " hidden" not in alert.group(1) and f'data-newest="{conversation.public_id}"' in alert.group(1)
    assert "A danger conversation is waiting for a person." in alert.group(2)
    assert f'href="/staff/conversations/{conversation.public_id}"' in alert.group(2)

    calls.clear()  # the fragments the script fetches do not count what they do not show
    staff.get("/staff/conversations/rows")
    staff.get(f"/staff/conversations/{conversation.public_id}/messages")
    assert calls == []

    post_sms(client, DANGER, sender="+447700900999")
    page = staff.get("/staff/conversations").get_data(as_text=True)
    assert "2 danger conversations are waiting for a person." in page


def _js_literal(name: str, source: str) -> str:
    found = re.search(rf"^const {name} = (?:new Set\()?(.*?)\)?$", source, re.M | re.S)
    assert found, name
    return found.group(1)


def test_the_counters_alphabets_are_bot_smss():
    source = STAFF_JS.read_text()
    assert set(json.loads(_js_literal("GSM_BASIC", source))) == sms.GSM_BASIC
    assert set(json.loads(_js_literal("GSM_EXTENDED", source))) == sms.GSM_EXTENDED
    table = re.search(r"^const LOOK_ALIKES = (\{.*?\n\})$", source, re.M | re.S)
    assert table and json.loads(table.group(1)) == sms._REPLACEMENTS
    control = re.search(r"^const CONTROL = /(.*)/gu$", source, re.M)
    assert control
    python_style = re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: "\\U" + m.group(1).zfill(8), control.group(1))
    assert python_style == CONTROL_RE.pattern


SAMPLES = [
    "Are you safe right now?",
    "x" * 160, "x" * 161, "x" * 612, "x" * 613,
    "Curly \u2018quotes\u2019 \u201cand\u201d dashes \u2013 and\u2026 ellipses\u00a0",
    "Braces {count} twice [and] ~ \\ ^ | \u20ac" * 5,
    "  spaces around, a tab\there, and a line\r\nbreak  ",
    "zero\u200bwidth and soft\u00adhyphen",
    "Dzie\u0144 dobry, jak si\u0119 masz?",
    "\u06a9\u06cc\u0627 \u0622\u067e \u0645\u062d\u0641\u0648\u0638 \u06c1\u06cc\u06ba\u061f" * 6,
    "Thanks \U0001f44d" * 30,
    "e\u0301te\u0301",  # NFC makes these é, which GSM-7 has
    "",
]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node (make setup installs GOV.UK Frontend with it)")
def test_the_counter_counts_what_the_server_counts():
    script = (f"import {{ measure, describeCount }} from {json.dumps(STAFF_JS.as_uri())};"
              f"const samples = {json.dumps(SAMPLES)};"
              "console.log(JSON.stringify(samples.map((s) => [measure(s), describeCount(measure(s), 4).text])))")
    out = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True)
    for sample, (counted, words) in zip(SAMPLES, json.loads(out.stdout), strict=True):
        _, encoding, units, parts = sms.measure(clean_text(sample, multiline=True))
        assert counted == {"encoding": encoding, "units": units, "parts": parts if units else 0}, sample
        if parts > takeover.MAX_SEGMENTS:
            assert words.startswith("You have ") and words.endswith(f"{parts} texts, 4 at most"), words
        elif units:
            assert words.startswith(f"{units} character") and ("in another alphabet" in words) == (encoding == "ucs2")
    counted, words = json.loads(out.stdout)[2]
    assert words == "161 characters: 2 texts of 4"
    assert json.loads(out.stdout)[4][1] == "You have 1 character too many: 5 texts, 4 at most"
