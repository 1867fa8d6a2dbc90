"""Which way the worker sends: the console in development only; GOV.UK Notify when its key is set, SMTP and
Twilio otherwise."""

from __future__ import annotations

from pathlib import Path

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
from portal.config import Settings


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


def sender_from_config(config: Settings) -> Sender:
    """In development nothing leaves the machine. Elsewhere a channel with no settings fails its messages
    (visibly, on the contact) rather than pretending to send them or writing them to disk."""
    if config.development:
        return RespectingStop(ConsoleSender(Path(config.instance_path) / "outbox"))
    key = config.notify_api_key
    notify = NotifySender(key, email_template_id=config.notify_email_template_id,
                          sms_template_id=config.notify_sms_template_id,
                          base_url=config.notify_base_url) if key else None
    email: Sender
    if notify and notify.templates["email"]:
        email = notify
    elif config.smtp_host and config.smtp_from:
        email = SmtpSender(config.smtp_host, config.smtp_port, config.smtp_from,
                           config.smtp_username or None, config.smtp_password or None)
    else:
        email = NotConfigured("email")
    sms: Sender
    if notify and notify.templates["sms"]:
        sms = notify
    elif config.twilio_account_sid and config.twilio_number:
        sms = TwilioSender(config.twilio_account_sid, config.twilio_auth_token, config.twilio_number)
    else:
        sms = NotConfigured("SMS")
    return RoutingSender(email=email, sms=RespectingStop(sms))
