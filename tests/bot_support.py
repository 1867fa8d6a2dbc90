"""Signed Twilio requests and a stand-in for Rasa, for the webhook, chat and pipeline tests."""

from __future__ import annotations

import uuid
from typing import Any

from twilio.request_validator import RequestValidator

from bot.rasa_client import AssistantUnavailable

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


class FakeAssistant:
    """Answers like Rasa's REST channel; `down=True` behaves like Rasa stopped or too slow."""

    def __init__(self, replies: list[str] | None = None, *, down: bool = False) -> None:
        self.replies = replies if replies is not None else ["I'm sorry things are hard. What's your postcode?"]
        self.down = down
        self.calls: list[tuple[str, str, str]] = []

    def reply(self, sender: str, text: str, *, channel: str) -> list[str]:
        self.calls.append((sender, text, channel))
        if self.down:
            raise AssistantUnavailable("ReadTimeout")
        return list(self.replies)


def use_assistant(monkeypatch, assistant: FakeAssistant | None) -> None:
    from portal import conversation

    monkeypatch.setattr(conversation, "assistant", lambda: assistant)
