"""The portal's side of language understanding: Rasa's `POST /model/parse`, behind its token, with a hard deadline.

Rasa runs in its own Python (bot/rasa/, .venv-rasa) and process and only reads a message (intent, entities);
the front door decides what to say (bot.dialogue). Parse is stateless, so several Rasa processes may serve one
portal: each call starts at the next URL in turn and fails over to the others within the same deadline. If
none answers in time the caller reads the message deterministically (bot.reader), so nothing waits on the
model and nothing here retries past the deadline.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from bot.reader import Reading

_lock = threading.Lock()
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="rasa-client")
_shared: requests.Session | None = None


class AssistantUnavailable(Exception):
    """No Rasa answered in time, or answered with something unusable. Carries no message text."""


@dataclass
class RasaParser:
    urls: Sequence[str]  # e.g. ["http://127.0.0.1:5005"]
    timeout: float = 3.0
    auth_token: str = ""  # `rasa run --enable-api --auth-token`: every call carries it
    _turns: Any = field(default_factory=itertools.count, repr=False)

    def parse(self, text: str) -> Reading:
        """The model's reading of `text`, or AssistantUnavailable once the deadline has passed."""
        return self.start(text).result()

    def start(self, text: str) -> Pending:
        """Ask now, read the answer later: the portal stores the message while Rasa reads it. requests'
        timeouts bound each socket read, not the whole answer, so a server that trickles its reply is cut
        off by the clock (Pending.result)."""
        if not self.urls:
            raise AssistantUnavailable("no Rasa configured")
        deadline = time.monotonic() + self.timeout
        return Pending(_pool.submit(self._parse, text, deadline), deadline)

    def _parse(self, text: str, deadline: float) -> Reading:
        start = next(self._turns) % len(self.urls)
        order = [*self.urls[start:], *self.urls[:start]]
        failure = "no answer"
        for url in order:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                response = _session().post(f"{url.rstrip('/')}/model/parse", params={"token": self.auth_token},
                                           json={"text": text}, timeout=(min(1.0, left), left))
                return _reading(_json(response))
            except requests.RequestException as exc:
                failure = type(exc).__name__
            except AssistantUnavailable as exc:
                failure = str(exc)  # the next process may still answer
        raise AssistantUnavailable(failure)


@dataclass(frozen=True)
class Pending:
    """A parse under way, with the deadline it must keep."""

    future: Future[Reading]
    deadline: float

    def result(self) -> Reading:
        try:
            return self.future.result(timeout=max(0.0, self.deadline - time.monotonic()))
        except FutureTimeout:
            self.future.cancel()
            raise AssistantUnavailable("deadline passed") from None


def _json(response: requests.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise AssistantUnavailable(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise AssistantUnavailable("not JSON") from None
    if not isinstance(body, dict):
        raise AssistantUnavailable("not an object")
    return body


def _reading(body: dict[str, Any]) -> Reading:
    found = body.get("intent")
    intent: dict[str, Any] = found if isinstance(found, dict) else {}
    name = intent.get("name") if isinstance(intent.get("name"), str) else None
    try:
        confidence = float(intent.get("confidence") or 0.0)
    except (TypeError, ValueError):
        confidence = 0.0
    entities: dict[str, list[str]] = {}
    for entity in body.get("entities") or []:
        if isinstance(entity, dict) and isinstance(entity.get("entity"), str) and entity.get("value") is not None:
            entities.setdefault(entity["entity"], []).append(str(entity["value"]))
    return Reading(intent=name, confidence=confidence, entities=entities)


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
