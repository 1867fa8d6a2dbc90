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


# --- a practitioner's texts in a conversation (bot.takeover): sent at once, by Twilio's REST API -----------------
class ConsoleTexts:
    """Development: nothing leaves the machine. One line with no personal data; the text in a file."""

    def __init__(self, folder: Path, echo=print) -> None:
        self.folder = folder
        self.echo = echo

    def send_sms(self, to: str, body: str, *, status_callback: str | None) -> str:
        import uuid

        sid = "console-" + uuid.uuid4().hex[:16]
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"text-{sid}.txt"
        path.write_text(f"To: {to}\n\n{body}\n")
        path.chmod(0o600)
        self.echo(f"would text a practitioner's reply {sid} (written to {path.name})")
        return sid


class TwilioTexts:
    """Twilio's REST API, with a short time-out: a hung request must not hold a practitioner's page (the worker
    retries what did not go). `base_url` points the client at a local fake in tests, never the network."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, *, base_url: str = "",
                 timeout: float = 5) -> None:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        if base_url:
            self.client.api.base_url = base_url.rstrip("/")
        self.from_number = from_number

    def send_sms(self, to: str, body: str, *, status_callback: str | None) -> str:
        kwargs = {"status_callback": status_callback} if status_callback else {}
        created = self.client.messages.create(to=to, from_=self.from_number, body=body, **kwargs)
        return str(created.sid or "")


class NoTexts:
    def send_sms(self, to: str, body: str, *, status_callback: str | None) -> str:
        raise RuntimeError("no text transport is configured (set TWILIO_*)")


def text_transport(config: Settings) -> ConsoleTexts | TwilioTexts | NoTexts:
    if config.development and not config.twilio_api_base_url:
        return ConsoleTexts(Path(config.instance_path) / "outbox")
    if config.twilio_account_sid and config.twilio_auth_token and config.twilio_number:
        return TwilioTexts(config.twilio_account_sid, config.twilio_auth_token, config.twilio_number,
                           base_url=config.twilio_api_base_url)
    return NoTexts()
