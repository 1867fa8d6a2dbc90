"""The portal's side of the conversation model: one HTTP call to Rasa's REST channel, with a hard deadline.

Rasa runs in its own Python (bot/rasa/, .venv-rasa) and process; if it is down or slower than the deadline the
caller falls back (bot.pipeline), so nothing here retries or waits longer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import requests

_local = threading.local()


class AssistantUnavailable(Exception):
    """Rasa did not answer in time, or answered with something unusable. Carries no message text."""


@dataclass(frozen=True)
class RasaClient:
    url: str  # e.g. http://127.0.0.1:5005
    timeout: float = 3.0

    def reply(self, sender: str, text: str, *, channel: str) -> list[str]:
        """Send one message; return the texts Rasa answered with (maybe none)."""
        try:
            response = _session().post(
                f"{self.url.rstrip('/')}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": {"channel": channel}},
                # Connect fast or not at all; the whole answer within the deadline.
                timeout=(min(1.0, self.timeout), self.timeout),
            )
        except requests.RequestException as exc:
            raise AssistantUnavailable(type(exc).__name__) from None
        if response.status_code != 200:
            raise AssistantUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise AssistantUnavailable("not JSON") from None
        if not isinstance(body, list):
            raise AssistantUnavailable("not a list")
        return [str(item["text"]) for item in body if isinstance(item, dict) and item.get("text")]


def _session() -> requests.Session:
    # One keep-alive connection per thread: a new TCP connection per message would cost more than the portal.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session
