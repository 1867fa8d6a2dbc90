"""Helpers for the browser tests: a live server in a thread, axe-core audits, and person-like form filling.

Nothing here is a test itself; tests/test_browser.py uses it.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# --- The live server ----------------------------------------------------------------------------------------
class LiveServer:
    """The real WSGI app on 127.0.0.1 and a free port, served from a background thread."""

    def __init__(self, app: Any, request_handler: type[WSGIRequestHandler] | None = None) -> None:
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True,
                                                   request_handler=request_handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


# --- axe-core ---------------------------------------------------------------------------------------------------
@dataclass
class Violation:
    rule: str
    impact: str
    url: str
    target: str
    help: str
    detail: str
    nodes: int


def is_known_govuk_issue(rule: str, node: dict) -> bool:
    """GOV.UK Frontend's radios script puts aria-expanded on a radio that reveals a follow-up question. axe
    flags it; the Design System keeps it on purpose (alphagov/govuk-frontend #979, #1280) because screen
    readers announce the reveal. Only that exact case is excused, and docs/accessibility.md says so."""
    summary = node.get("failureSummary") or ""
    return (rule == "aria-allowed-attr" and 'class="govuk-radios__input"' in node.get("html", "")
            and "aria-controls" in node.get("html", "") and "aria-expanded" in summary
            and all("aria-expanded" in line for line in summary.splitlines()[1:] if line.strip()))


@dataclass
class AxeAudit:
    """Every page a test visits is audited; violations are collected and asserted once, at the end."""

    base_url: str
    violations: list[Violation] = field(default_factory=list)
    audited: list[str] = field(default_factory=list)

    def __call__(self, page: Any, note: str = "") -> None:
        page.wait_for_load_state("load")
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        where = self._where(page.url, note)
        self.audited.append(where)
        for v in results["violations"]:
            v["nodes"] = [n for n in v["nodes"] if not is_known_govuk_issue(v["id"], n)]
            if not v["nodes"]:
                continue
            first = v["nodes"][0]["target"] if v["nodes"] else ["(document)"]
            summary = (v["nodes"][0].get("failureSummary") or "") if v["nodes"] else ""
            detail = "; ".join(line.strip() for line in summary.splitlines()[1:] if line.strip())
            self.violations.append(Violation(
                rule=v["id"], impact=v.get("impact") or "unknown", url=where,
                target=" ".join(str(t) for t in first), help=v.get("help", ""), detail=detail,
                nodes=len(v["nodes"]),
            ))

    def _where(self, url: str, note: str) -> str:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return f"{path} ({note})" if note else path

    def report(self) -> str:
        lines = [f"{len(self.violations)} axe-core WCAG 2.2 A/AA violation(s) on {len(self.audited)} audited page(s):"]
        for v in self.violations:
            lines.append(f"  - {v.rule} [{v.impact}] at {v.url}: {v.target}  ({v.help}: {v.detail}; "
                         f"{v.nodes} node(s))")
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert not self.violations, self.report()


# --- Filling forms as a person would --------------------------------------------------------------------------
def choose(scope: Any, question: str, answer: str) -> None:
    """Select a radio by its visible label, inside the fieldset whose legend is the question."""
    group = scope.get_by_role("group", name=question, exact=True)
    group.get_by_role("radio", name=answer, exact=True).first.check()


def tick(scope: Any, question: str, *answers: str) -> None:
    """Tick checkboxes by their visible labels, inside the question's fieldset."""
    group = scope.get_by_role("group", name=question, exact=True)
    for answer in answers:
        group.get_by_role("checkbox", name=answer, exact=True).check()


def fill(scope: Any, label: str, value: str) -> None:
    scope.get_by_label(label, exact=True).fill(value)


def fill_date(scope: Any, question: str, iso: str) -> None:
    """Type a date into the Day, Month and Year boxes of the question's fieldset."""
    day = dt.date.fromisoformat(iso)
    group = scope.get_by_role("group", name=question, exact=True)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def as_typed(e164: str) -> str:
    """A stored E.164 number as a person would type it (07700 900982)."""
    return phonenumbers.format_number(phonenumbers.parse(e164, "GB"), phonenumbers.PhoneNumberFormat.NATIONAL)


def path_of(url: str) -> str:
    return urlsplit(url).path
