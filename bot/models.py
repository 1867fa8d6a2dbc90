"""Conversations by text message and web chat: every message kept (encrypted), whatever happens next.

A conversation is found by a keyed hash of the phone number (or of the web chat's random token), never by
the number itself; the number is kept only encrypted, for the hand-off to the MASH and for replies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.crypto import EncryptedJSON, EncryptedText
from store.db import Base, utcnow

CONVERSATION_CHANNELS = ("sms", "chat")


def new_public_id() -> str:
    return uuid.uuid4().hex


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What Rasa and the web chat see: random, so a phone number never leaves the portal.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    channel: Mapped[str] = mapped_column(String(10))  # sms | chat
    sender_key: Mapped[str] = mapped_column(String(64))  # keyed hash of the phone number or chat token
    # E.164, SMS only; loaded (and decrypted) only when a contact or a text needs it, not on every message.
    phone: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Red once the safety screen fired: never closed or purged by the system (domain.md).
    danger: Mapped[bool] = mapped_column(default=False)
    danger_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    opted_out_at: Mapped[dt.datetime | None]  # STOP: no texts, the records stay
    # The person's latest answer to "is it safe to text you" (None: never asked). Kept here, not only in the
    # journey's answers, which a finished or declined journey clears: staff texts respect it (bot.takeover).
    safe_to_text: Mapped[bool | None]
    # Set while the conversation model could not answer, so staff know the bot missed some turns.
    assistant_missed: Mapped[int] = mapped_column(default=0)
    # When the worker last looked at a quiet conversation for a worry reported but never finished (bot.followup).
    followed_up_at: Mapped[dt.datetime | None]
    # Where the dialogue is (bot.dialogue): the journey, the question asked, the answers so far. Encrypted,
    # like every word a person wrote; `state_version` lets two deliveries racing on one conversation
    # never both win (the loser decides again on the winner's state).
    state: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    state_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # A person in the team has it (issue 13): one holder at a time, on a lease like a contact's claim
    # (bot.takeover). While `paused` the assistant does not answer; the screen still does.
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    hold_expires_at: Mapped[dt.datetime | None]
    paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Since when the person has waited for a person, and why (danger | asked_for_person | reply): cleared by a
    # practitioner's message. The inbox ranks on it; conversation_waits keeps each wait for the clock's figures.
    waiting_since: Mapped[dt.datetime | None]
    waiting_reason: Mapped[str | None] = mapped_column(String(20))
    # Ended by a practitioner, with a reason (never by the system while red). A new message opens it again.
    ended_at: Mapped[dt.datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(30))
    ended_note: Mapped[str | None] = mapped_column(EncryptedText)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    messages: Mapped[list[Message]] = relationship(back_populates="conversation", order_by="Message.id",
                                                   cascade="all, delete-orphan")
    contacts: Mapped[list[ConversationContact]] = relationship(back_populates="conversation",
                                                               cascade="all, delete-orphan")

    __table_args__ = (
        # A person's latest conversation, found without decrypting anything.
        Index("ix_conversations_sender", "channel", "sender_key", "last_message_at"),
        Index("ix_conversations_last_message_at", "last_message_at"),
        # The inbox: open conversations only.
        Index("ix_conversations_inbox", "ended_at", "danger", "paused", "waiting_since", "waiting_reason",
              "last_message_at", "id"),
    )


class Message(Base):
    __tablename__ = "conversation_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    text: Mapped[str | None] = mapped_column(EncryptedText)
    # Twilio's MessageSid (inbound) or the outbound message's sid: a retried delivery is stored once.
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("conversation_messages.id", ondelete="CASCADE"))
    # Only what a picture was, never the picture: {"count": 1, "types": ["image/jpeg"]}.
    media: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    danger_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # How the reply was made: screen | dialogue | fallback | keyword | rate_limited | media | opted_out
    handled_by: Mapped[str | None] = mapped_column(String(20))
    delivery_status: Mapped[str | None] = mapped_column(String(20))  # Twilio's status callback (outbound)
    truncated: Mapped[bool] = mapped_column(default=False)
    # A practitioner's message (handled_by "staff"): who wrote it, and its sending by Twilio's REST API,
    # retried by the worker when Twilio refuses or times out (bot.takeover).
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    send_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None]

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    __table_args__ = (
        Index("ix_conversation_messages_conversation", "conversation_id", "at"),
    )


class ConversationContact(Base):
    """Which MASH contacts a conversation became (a danger contact first, perhaps an early-help one later)."""

    __tablename__ = "conversation_contacts"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True, index=True)
    reason: Mapped[str] = mapped_column(String(20))  # danger | handoff | asked_for_person | flood | ...
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="contacts")


class ConversationWait(Base):
    """One wait for a person (danger, or someone asked for one) and when a practitioner first answered it:
    domain.md's 5-minute clock in office hours, and the dashboard's first-response times."""

    __tablename__ = "conversation_waits"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # danger | asked_for_person
    since: Mapped[dt.datetime]
    office_hours: Mapped[bool]
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class ReadyReply(Base):
    """A short reply a practitioner can send in one click; managers edit them. Written by staff for anyone:
    never personal data."""

    __tablename__ = "ready_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
