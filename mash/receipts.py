"""A receipt for the referrer (issue 16, item 5): "we have your referral, its reference is ...", by e-mail.

Written to the outbox in the transaction that makes the contact, so it exists exactly when the contact does, and
once: a double-click that stores the referral once queues one receipt, and `queue_receipt` refuses a second for
the same contact. The worker sends it like feedback (mash.outbox), through GOV.UK Notify where configured.

What it says: the reference, what happens next in general terms, and the referrer's own name as they typed it,
nothing about the child or the family (an e-mail can be read over a shoulder, forwarded or mis-addressed).

A bounce: Notify reports a permanent failure to its delivery-status callback (portal/attachments.py,
POST /notify/status); `record_delivery` marks the message failed with the reason and audits it. The contact is
unaffected; staff see the failed receipt on the contact page with the other messages.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from mash import audit
from mash.models import Contact, OutboxMessage
from store.db import utcnow

RECEIPT = "receipt"
# Notify's statuses (https://docs.notifications.service.gov.uk/python.html#status-email): the ones that end it.
FAILED_STATUSES = {"permanent-failure": "Bounced (permanent-failure)",
                   "temporary-failure": "Not delivered (temporary-failure)",
                   "technical-failure": "Not delivered (technical-failure)"}
NOTIFY_REFERENCE = re.compile(r"^(?P<reference>[A-Z0-9/-]{1,30})/(?:feedback|receipt)-(?P<id>\d{1,12})$")


def receipt_text(contact: Contact) -> str:
    """The e-mail's body: the reference and the referrer's own name, nothing about the child or family."""
    greeting = f"Dear {contact.referrer_name}," if contact.referrer_name else "Hello,"
    kind = "request for help" if contact.kind == "early_help" else "referral"
    return "\n".join([
        greeting,
        "",
        f"We have received your {kind}. Your reference is {contact.reference}.",
        "Keep this reference: quote it if you call us about this "
        f"{kind}. We will not include any details of the {kind} in e-mails.",
        "A copy of what you sent can be printed from the confirmation page, straight after sending.",
        "If a child is in immediate danger, call 999.",
    ])


def should_receive(contact: Contact) -> bool:
    """Only someone who gave an e-mail address about themselves, and for whom an e-mail is safe: a
    professional always; a member of the public only if not anonymous and they said contacting them is safe."""
    if not contact.referrer_email or contact.referrer_anonymous:
        return False
    return contact.referrer_type == "professional" or contact.safe_to_contact is True


def queue_receipt(session: Session, contact: Contact, *, now: dt.datetime | None = None) -> OutboxMessage | None:
    """Queue the receipt in the caller's transaction (the contact's own). At most one per contact."""
    if not should_receive(contact):
        return None
    existing = session.scalar(select(OutboxMessage.id).where(OutboxMessage.contact_id == contact.id,
                                                             OutboxMessage.kind == RECEIPT))
    if existing is not None:
        return None
    now = now or utcnow()
    assert contact.referrer_email is not None
    message = OutboxMessage(contact_id=contact.id, kind=RECEIPT, channel="email", recipient=contact.referrer_email,
                            subject=f"We have received your referral {contact.reference}",
                            body=receipt_text(contact), status="pending", next_attempt_at=now, created_at=now)
    session.add(message)
    session.flush()
    audit.record(session, event="receipt.queued", actor="system", contact_id=contact.id, at=now,
                 details={"message_id": message.id})
    return message


def record_delivery(session: Session, notify_reference: str, status: str, *, now: dt.datetime | None = None) -> bool:
    """Notify's word on a message we sent (its callback). A failure marks the message failed, with the reason,
    and is audited; 'delivered' is noted. Unknown references and statuses are ignored (False), never an error:
    Notify retries a callback that fails, and nothing here should make it retry for ever."""
    match = NOTIFY_REFERENCE.fullmatch(notify_reference or "")
    if match is None:
        return False
    message = session.get(OutboxMessage, int(match["id"]))
    if message is None:
        return False
    reference = session.scalar(select(Contact.reference).where(Contact.id == message.contact_id))
    if reference != match["reference"]:
        return False
    now = now or utcnow()
    if status in FAILED_STATUSES:
        if message.status == "failed" and message.last_error == FAILED_STATUSES[status]:
            return True  # the same callback again
        message.status = "failed"
        message.last_error = FAILED_STATUSES[status]
        audit.record(session, event=f"{message.kind}.bounced" if status == "permanent-failure"
                     else f"{message.kind}.undelivered", actor="system:notify", contact_id=message.contact_id,
                     at=now, details={"message_id": message.id, "status": status})
        return True
    if status == "delivered":
        if message.status != "sent":
            message.status = "sent"
            message.sent_at = message.sent_at or now
        return True
    return False
