"""The portal's side of the conversation model: one HTTP call to Rasa's REST channel, with a hard deadline.

Rasa runs in its own Python (bot/rasa/, .venv-rasa) and process; if it is down or slower than the deadline the
caller falls back (bot.pipeline), so nothing here retries or waits longer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

_lock = threading.Lock()
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="rasa-client")
_shared: requests.Session | None = None


class AssistantUnavailable(Exception):
    """Rasa did not answer in time, or answered with something unusable. Carries no message text."""


@dataclass(frozen=True)
class RasaClient:
    url: str  # e.g. http://127.0.0.1:5005
    timeout: float = 3.0
    auth_token: str = ""  # for Rasa's HTTP API (`rasa run --auth-token`); the REST channel needs none

    def reply(self, sender: str, text: str, *, channel: str) -> list[str]:
        """Send one message; return the texts Rasa answered with (maybe none), or raise AssistantUnavailable
        once the deadline has passed. requests' timeouts bound each socket read, not the whole answer, so a
        server that trickles its reply is cut off by the clock here."""
        future = _pool.submit(self._reply, sender, text, channel)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            raise AssistantUnavailable("deadline passed") from None

    def _reply(self, sender: str, text: str, channel: str) -> list[str]:
        body = _json(lambda: _session().post(
            f"{self.url.rstrip('/')}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"channel": channel}},
            # Connect fast or not at all; the whole answer within the deadline.
            timeout=(min(1.0, self.timeout), self.timeout)), list)
        return [str(item["text"]) for item in body if isinstance(item, dict) and item.get("text")]

    def tracker(self, sender: str) -> dict:
        """The conversation as Rasa holds it (intents seen, slots filled): GET /conversations/<id>/tracker,
        which `rasa run --enable-api` serves."""
        return _json(lambda: _session().get(
            f"{self.url.rstrip('/')}/conversations/{sender}/tracker",
            params={"token": self.auth_token} if self.auth_token else None,
            timeout=(min(1.0, self.timeout), self.timeout * 3)), dict)


def _json(call: Callable[[], requests.Response], kind: type) -> Any:
    """The JSON body of a 200 answer of the expected kind, or AssistantUnavailable (naming only what went wrong)."""
    try:
        response = call()
    except requests.RequestException as exc:
        raise AssistantUnavailable(type(exc).__name__) from None
    if response.status_code != 200:
        raise AssistantUnavailable(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise AssistantUnavailable("not JSON") from None
    if not isinstance(body, kind):
        raise AssistantUnavailable(f"not a {kind.__name__}")
    return body


def _session() -> requests.Session:
    """One pool of keep-alive connections for the process: the web server starts a thread per request, so a
    per-thread session would open a new TCP connection to Rasa for every message."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = requests.Session()
            _shared.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=32))
            _shared.mount("https://", HTTPAdapter(pool_connections=4, pool_maxsize=32))
        return _shared
