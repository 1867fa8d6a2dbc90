"""Keep personal data out of the logs: query strings (postcodes, search words) never reach a log line."""

from __future__ import annotations

import logging
import re

# From the "?" to the end of the text, keeping only a request line's closing " HTTP/1.1" (and the colour code
# Werkzeug may put after it). Werkzeug logs the query decoded, so it may hold quotes and spaces: nothing inside it
# can be trusted to mark where it ends.
QUERY = re.compile(r"\?.*?(?P<end>\s+HTTP/[\d.]+(?:\x1b\[[\d;]*m)?)?$", re.DOTALL)


def _redact(text: str) -> str:
    return QUERY.sub(lambda match: "?…" + (match.group("end") or ""), text)


class RedactQueryStrings(logging.Filter):
    """Drop everything from a '?' on in every argument of a log record; the access log keeps method, path and
    status."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            # What a request brings is in the arguments; the format string is the code's own (cutting it at a
            # "?" would leave placeholders without their arguments).
            record.args = tuple(_redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = _redact(record.msg)
        return True


def install() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug.filters):
        werkzeug.addFilter(RedactQueryStrings())
