"""Keep personal data out of the logs: query strings (postcodes, search words) never reach a log line."""

from __future__ import annotations

import logging
import re

QUERY = re.compile(r"\?[^\s\"']*")


class RedactQueryStrings(logging.Filter):
    """Strip '?...' from every argument of a log record; the access log keeps method, path and status."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = QUERY.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug.filters):
        werkzeug.addFilter(RedactQueryStrings())
