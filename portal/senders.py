"""Which way the worker sends: the console in development only; SMTP and Twilio when configured."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mash.models import OutboxMessage
from mash.outbox import (
    ConsoleSender,
    NotConfigured,
    RoutingSender,
    Sender,
    SmtpSender,
    TwilioSender,
    Undeliverable,
)


class RespectingStop:
    """Texts only to numbers that have not texted STOP (domain.md: STOP withdraws consent to be texted)."""

    def __init__(self, inner: Sender) -> None:
        self.inner = inner

    def send(self, message: OutboxMessage, reference: str) -> None:
        from bot.conversations import opted_out
        from portal import db

        if message.channel == "sms" and opted_out(db.session(), message.recipient):
            raise Undeliverable()
        self.inner.send(message, reference)


def sender_from_config(config: Mapping[str, Any]) -> Sender:
    """In development nothing leaves the machine. Elsewhere a channel with no settings fails its messages
    (visibly, on the contact) rather than pretending to send them or writing them to disk."""
    if config.get("FRONTDOOR_ENV") == "development":
        return RespectingStop(ConsoleSender(Path(config["INSTANCE_PATH"]) / "outbox"))
    email: Sender = (SmtpSender(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 587), config["SMTP_FROM"],
                                config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD"))
                     if config.get("SMTP_HOST") and config.get("SMTP_FROM") else NotConfigured("email"))
    sms: Sender = (TwilioSender(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_NUMBER"])
                   if config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_NUMBER") else NotConfigured("SMS"))
    return RoutingSender(email=email, sms=RespectingStop(sms))
