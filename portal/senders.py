"""Which way the worker sends: the console in development only; GOV.UK Notify when its key is set, SMTP and
Twilio otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mash.models import OutboxMessage
from mash.outbox import (
    ConsoleSender,
    NotConfigured,
    NotifySender,
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
    key = config.get("NOTIFY_API_KEY")
    notify = NotifySender(key, email_template_id=config.get("NOTIFY_EMAIL_TEMPLATE_ID") or "",
                          sms_template_id=config.get("NOTIFY_SMS_TEMPLATE_ID") or "",
                          base_url=config.get("NOTIFY_BASE_URL")) if key else None
    email: Sender
    if notify and notify.templates["email"]:
        email = notify
    elif config.get("SMTP_HOST") and config.get("SMTP_FROM"):
        email = SmtpSender(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 587), config["SMTP_FROM"],
                           config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD"))
    else:
        email = NotConfigured("email")
    sms: Sender
    if notify and notify.templates["sms"]:
        sms = notify
    elif config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_NUMBER"):
        sms = TwilioSender(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_NUMBER"])
    else:
        sms = NotConfigured("SMS")
    return RoutingSender(email=email, sms=RespectingStop(sms))
