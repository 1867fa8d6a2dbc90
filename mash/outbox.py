"""Feedback to referrers: written to an outbox in the decision's transaction, sent by the worker process.

Sends are retried with back-off; after the last attempt, or at once if the provider refuses the message
itself, a message is marked failed, and its state is shown on the contact. In development nothing leaves the
machine: the console says "would send" (no personal data) and the whole message is written to a file in the
instance folder.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from mash import audit
from mash.clock import DEFAULT_CALENDAR, WorkingCalendar
from mash.models import Contact, Decision, OutboxMessage
from mash.outcomes import OUTCOMES
from store.db import utcnow

BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
SEND_LEASE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class QuietHours:
    """The night, in the council's local time (the calendar's time zone, so British Summer Time is kept): an
    outcome message to a family or member of the public that falls due in it is held until it ends, so that no
    phone lights up with a decision at 3am where others in the house may see it. Professionals' feedback is
    not held. Nothing else waits for it: danger advice and replies in a live conversation go at once (they are
    not sent through this outbox). `starts == ends` means no quiet hours."""

    starts: dt.time = dt.time(21, 0)
    ends: dt.time = dt.time(8, 0)
    calendar: WorkingCalendar = field(default_factory=lambda: DEFAULT_CALENDAR)

    def length(self) -> dt.timedelta:
        day = dt.date(2000, 1, 3)
        span = dt.datetime.combine(day, self.ends) - dt.datetime.combine(day, self.starts)
        return span if span >= dt.timedelta(0) else span + dt.timedelta(days=1)

    def end_of(self, moment: dt.datetime) -> dt.datetime | None:
        """When the quiet hours that `moment` falls in end (in UTC), or None if it is not in them."""
        if self.starts == self.ends:
            return None
        local = moment.astimezone(self.calendar.tz)
        now, day = local.time(), local.date()
        if self.starts < self.ends:
            quiet = self.starts <= now < self.ends
        else:  # across midnight, as a night is
            quiet = now >= self.starts or now < self.ends
            if now >= self.starts:
                day += dt.timedelta(days=1)
        if not quiet:
            return None
        return dt.datetime.combine(day, self.ends, tzinfo=self.calendar.tz).astimezone(dt.UTC)


class Sender(Protocol):
    def send(self, message: OutboxMessage, reference: str) -> None: ...


class NotConfigured:
    """A channel with no transport set up outside development: the message fails visibly, never 'sent'."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: OutboxMessage, reference: str) -> None:
        raise RuntimeError(f"no {self.channel} transport is configured")


class ConsoleSender:
    """Development: never sends. One line with no personal data, and the full message in a file."""

    def __init__(self, folder: Path, echo=print) -> None:
        self.folder = folder
        self.echo = echo

    def send(self, message: OutboxMessage, reference: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{reference}-{message.id}.txt"
        path.write_text(f"To: {message.recipient}\nSubject: {message.subject or ''}\n\n{message.body}\n")
        path.chmod(0o600)
        self.echo(f"would send {message.channel} #{message.id} for {reference} (written to {path.name})")


class SmtpSender:
    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = True) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: OutboxMessage, reference: str) -> None:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.recipient, message.subject or reference
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(email)


class TwilioSender:
    def __init__(self, account_sid: str, auth_token: str, from_number: str) -> None:
        from twilio.rest import Client

        self.client = Client(account_sid, auth_token)
        self.from_number = from_number

    def send(self, message: OutboxMessage, reference: str) -> None:
        self.client.messages.create(to=message.recipient, from_=self.from_number, body=message.body)


class Undeliverable(Exception):
    """This recipient must not be sent to (they texted STOP): the message is withheld for good, not retried."""


class Rejected(Exception):
    """The provider refused the message itself (a bad address, a wrong template or key): sending it again
    would be refused again, so it fails at once, visibly, rather than being retried for hours."""

    def __init__(self, status: int) -> None:
        super().__init__(f"refused with HTTP {status}")
        self.status = status


class NotifySender:
    """GOV.UK Notify, as English councils send. One template per channel, whose body is `((body))` (and the
    e-mail's subject `((subject))`), so the wording stays ours (feedback_text) and Notify only carries it.

    Notify's `reference` names the message (the contact's reference and the outbox id, nothing personal).
    A retry first asks Notify for that reference: an attempt that timed out may have been accepted, and the
    referrer must not hear twice."""

    def __init__(self, api_key: str, *, email_template_id: str = "", sms_template_id: str = "",
                 base_url: str | None = None, timeout: float = 10) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        # Not thread-safe (one requests session): the worker makes a sender per job.
        self.client = (NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout) if base_url
                       else NotificationsAPIClient(api_key, timeout=timeout))
        self.templates = {"email": email_template_id, "sms": sms_template_id}

    def send(self, message: OutboxMessage, reference: str) -> None:
        from notifications_python_client.errors import HTTPError

        notify_reference = f"{reference}/feedback-{message.id}"
        try:
            if message.attempts > 1 and self.client.get_all_notifications(reference=notify_reference)["notifications"]:
                return  # the attempt that seemed to fail reached Notify, which is sending it
            personalisation = {"body": message.body}
            if message.channel == "email":
                self.client.send_email_notification(
                    email_address=message.recipient, template_id=self.templates["email"],
                    personalisation={**personalisation, "subject": message.subject or reference},
                    reference=notify_reference)
            else:
                self.client.send_sms_notification(phone_number=message.recipient, template_id=self.templates["sms"],
                                                  personalisation=personalisation, reference=notify_reference)
        except HTTPError as exc:
            # 4xx is about the message or our key: permanent. 429 (too many) and 5xx or no answer: try again.
            if 400 <= exc.status_code < 500 and exc.status_code != 429:
                raise Rejected(exc.status_code) from None
            raise


class RoutingSender:
    """E-mail to one sender, SMS to another."""

    def __init__(self, email: Sender, sms: Sender) -> None:
        self.by_channel = {"email": email, "sms": sms}

    def send(self, message: OutboxMessage, reference: str) -> None:
        self.by_channel[message.channel].send(message, reference)


def asked_for_own_family(contact: Contact) -> bool:
    """The referrer is the family itself (a parent or carer asking for help for their own family, or the young
    person themselves), not a third party such as a neighbour who may not be told about another family."""
    return (contact.referrer_type == "family" or contact.kind == "early_help"
            or (contact.referrer_type == "public" and (contact.answers or {}).get("referrer_relationship") == "self"))


def feedback_text(contact: Contact, decision: Decision) -> str:
    """What the referrer is told. A professional hears the outcome and next steps. A family or member of the
    public is never told of enquiries about a child: it could warn an abuser, or tell a neighbour about
    another family. A third party hears only that their message was acted on; a family who asked for help
    for themselves hears what happens next for them (the early help team, or that we will contact them if we
    need to), never the words "we cannot share details", which are for someone outside the family."""
    if contact.referrer_type == "professional":
        lines = [f"Thank you for your referral {contact.reference}.", f"Decision: {OUTCOMES[decision.outcome]}."]
        if decision.feedback_message:
            lines.append(decision.feedback_message)
    elif asked_for_own_family(contact):
        thanks = f"Thank you for asking for help ({contact.reference})."
        if decision.outcome == "early_help" and contact.parents_informed != "no":
            lines = [f"{thanks} Our early help team will contact you to talk about what could help."]
        elif decision.outcome == "nfa_advice":
            lines = [f"{thanks} We have read your request. We will not be contacting you about it. If things "
                     "change, or you need help, contact us again and quote your reference."]
        else:
            lines = [f"{thanks} We have read your request and decided what happens next. If we need to talk to "
                     "you, we will contact you in the way you told us is safe. If things change, contact us "
                     "again and quote your reference."]
    else:
        lines = [f"Thank you for contacting us ({contact.reference}). We have looked at what you told us and "
                 "decided what to do. We cannot share details."]
    lines.append("If a child is in immediate danger, call 999.")
    return "\n".join(lines)


def queue_feedback(session: Session, contact: Contact, decision: Decision, *, now: dt.datetime | None = None
                   ) -> OutboxMessage | None:
    """Professionals always hear back; others only if they gave a way to reach them and said it is safe."""
    now = now or utcnow()
    if contact.referrer_anonymous:
        return None
    professional = contact.referrer_type == "professional"
    if not professional and contact.safe_to_contact is not True:
        return None
    if contact.referrer_email:
        channel, recipient = "email", contact.referrer_email
    elif contact.referrer_phone and not professional:
        channel, recipient = "sms", contact.referrer_phone
    else:
        return None
    message = OutboxMessage(contact_id=contact.id, channel=channel, recipient=recipient,
                            subject=f"Your referral {contact.reference}", body=feedback_text(contact, decision),
                            status="pending", next_attempt_at=now, created_at=now)
    session.add(message)
    session.flush()
    audit.record(session, event="feedback.queued", actor="system", contact_id=contact.id, at=now,
                 details={"message_id": message.id, "channel": channel})
    return message


def due_message_ids(session: Session, *, now: dt.datetime | None = None, batch: int = 20) -> list[int]:
    """Messages whose (next) attempt is due, oldest first; ids only, so a job queue never holds their text."""
    now = now or utcnow()
    return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.status.in_(("pending", "sending")),
                                                               OutboxMessage.next_attempt_at <= now)
                                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(batch)))


def send_due(session: Session, sender: Sender, *, now: dt.datetime | None = None, batch: int = 20,
             quiet: QuietHours | None = None) -> int:
    """Send what is due; each message is committed on its own, so one failure never blocks the rest."""
    now = now or utcnow()
    return sum(send_one(session, sender, message_id, now=now, quiet=quiet)
               for message_id in due_message_ids(session, now=now, batch=batch))


def hold_for_quiet_hours(session: Session, message_id: int, quiet: QuietHours, *, now: dt.datetime) -> bool:
    """Move a due outcome message to a family or member of the public on to the end of the quiet hours, if it
    is in them now; True if it was held. Its attempts are not counted: it has not been tried."""
    release = quiet.end_of(now)
    if release is None:
        return False
    found = session.execute(select(Contact.referrer_type, OutboxMessage.kind).join(
        OutboxMessage, OutboxMessage.contact_id == Contact.id).where(OutboxMessage.id == message_id)).first()
    # Only the outcome: a receipt answers what the person has just sent, so it goes at once, as they expect.
    if found is None or found.referrer_type == "professional" or found.kind != "feedback":
        return False
    held = cast("CursorResult[Any]", session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(("pending", "sending")),
               OutboxMessage.next_attempt_at <= now)
        .values(status="pending", next_attempt_at=release)
        .execution_options(synchronize_session=False)
    )).rowcount
    session.commit()  # it stays pending, due again when the quiet hours end
    return held == 1


def send_one(session: Session, sender: Sender, message_id: int, *, now: dt.datetime | None = None,
             quiet: QuietHours | None = None) -> bool:
    """Claim one message and send it; True if it went. A message not due, or claimed by another worker, is
    left alone, so the same job run twice (two workers, a duplicated tick) sends once. In `quiet` hours a
    message to a family or member of the public is held until they end (hold_for_quiet_hours)."""
    now = now or utcnow()
    if quiet is not None and hold_for_quiet_hours(session, message_id, quiet, now=now):
        return False
    # Take the message with one conditional UPDATE, so two workers never send it twice. A worker that
    # dies mid-send leaves it 'sending' with a lease; when the lease runs out another worker retries it.
    taken = cast("CursorResult[Any]", session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(("pending", "sending")),
               OutboxMessage.next_attempt_at <= now)
        .values(status="sending", next_attempt_at=now + SEND_LEASE, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )).rowcount
    session.commit()
    if taken != 1:
        return False
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    session.refresh(message)
    reference = session.scalar(select(Contact.reference).where(Contact.id == message.contact_id)) or "contact"
    sent = False
    try:
        sender.send(message, reference)
    except Undeliverable:
        message.status = "failed"
        message.last_error = "Undeliverable"
        audit.record(session, event="feedback.withheld", actor="system:worker", contact_id=message.contact_id,
                     at=now, reason="the recipient has asked not to be contacted this way",
                     details={"message_id": message.id, "channel": message.channel})
    except Exception as exc:  # any transport failure is retried; its type is kept, never its text
        message.last_error = f"Rejected ({exc.status})" if isinstance(exc, Rejected) else type(exc).__name__
        if isinstance(exc, Rejected) or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            audit.record(session, event="feedback.failed", actor="system:worker", contact_id=message.contact_id,
                         at=now, details={"message_id": message.id, "attempts": message.attempts,
                                          "error": message.last_error})
        else:
            message.status = "pending"
            message.next_attempt_at = now + BACKOFF[message.attempts - 1]
    else:
        message.status = "sent"
        message.sent_at = now
        message.last_error = None
        sent = True
        audit.record(session, event="feedback.sent", actor="system:worker", contact_id=message.contact_id,
                     at=now, details={"message_id": message.id, "channel": message.channel})
    session.commit()
    return sent
