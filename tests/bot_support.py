"""Signed Twilio requests and a stand-in for Rasa's parse, for the webhook, chat and pipeline tests."""

from __future__ import annotations

import uuid
from typing import Any

from twilio.request_validator import RequestValidator

from bot.rasa_client import AssistantUnavailable
from bot.reader import Reading

PUBLIC = "https://frontdoor.example.org"
ACCOUNT = "AC" + "0" * 32
TOKEN = "test-twilio-auth-token"
OUR_NUMBER = "+447700900000"
PARENT = "+447700900123"


def sms_params(body: str | None = "hello", *, sender: str = PARENT, sid: str | None = None, **extra: str) -> dict:
    params = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": sender,
              "To": OUR_NUMBER, "NumMedia": "0", **extra}
    if body is not None:
        params["Body"] = body
    return params


def signed(params: dict[str, Any], path: str = "/sms/inbound", token: str = TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(f"{PUBLIC}{path}", params)}


def post_sms(client, body: str | None = "hello", **kwargs: Any):
    params = sms_params(body, **kwargs)
    return client.post("/sms/inbound", data=params, headers=signed(params))


class FakeParser:
    """Answers like Rasa's /model/parse; `down=True` behaves like Rasa stopped or too slow."""

    def __init__(self, intent: str | None = None, confidence: float = 0.95, *, down: bool = False,
                 entities: dict[str, list[str]] | None = None) -> None:
        self.intent, self.confidence, self.down = intent, confidence, down
        self.entities = entities or {}
        self.calls: list[str] = []

    def parse(self, text: str) -> Reading:
        self.calls.append(text)
        if self.down:
            raise AssistantUnavailable("ReadTimeout")
        return Reading(self.intent, self.confidence if self.intent else 0.0, dict(self.entities))


def use_parser(monkeypatch, parser: FakeParser | None) -> None:
    from portal import conversation

    monkeypatch.setattr(conversation, "parser", lambda: parser)
