"""The Contact aggregate and the audit trail.

Personal data (names, dates of birth, addresses, phone numbers, e-mails, what was said) lives only in
Encrypted* columns; the `*_index` columns are keyed hashes so a child can be found without decrypting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.crypto import EncryptedJSON, EncryptedText
from store.db import Base, utcnow

CHANNELS = ("web", "sms", "chat", "police", "phone")
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


class Contact(Base):
    """Anything that reaches the front door and needs a practitioner's eyes."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # concern | early_help
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="new")
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decision_due_at: Mapped[dt.datetime]
    rag: Mapped[str] = mapped_column(String(5))
    risk_rank: Mapped[int] = mapped_column(Integer)  # 0 red, 1 amber, 2 green: the queue sorts on it
    safety_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    concern_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    referral_source: Mapped[str] = mapped_column(String(3))  # Children in Need ReferralSource code
    referrer_type: Mapped[str] = mapped_column(String(20))  # professional | public | family
    referrer_anonymous: Mapped[bool] = mapped_column(default=False)
    referrer_name: Mapped[str | None] = mapped_column(EncryptedText)
    referrer_phone: Mapped[str | None] = mapped_column(EncryptedText)
    referrer_email: Mapped[str | None] = mapped_column(EncryptedText)
    referrer_organisation: Mapped[str | None] = mapped_column(String(200))
    referrer_role: Mapped[str | None] = mapped_column(String(200))
    safe_to_contact: Mapped[bool | None]
    suggested_level: Mapped[int | None]
    suggested_level_reason: Mapped[str | None] = mapped_column(EncryptedText)
    concern_text: Mapped[str | None] = mapped_column(EncryptedText)
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)  # the whole validated referral
    journey: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    children: Mapped[list[Child]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                 order_by="Child.position")
    household: Mapped[list[HouseholdMember]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                            order_by="HouseholdMember.position")
    consent: Mapped[ConsentRecord | None] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                         uselist=False)

    __table_args__ = (Index("ix_contacts_queue", "risk_rank", "decision_due_at", "id"),)


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    unborn: Mapped[bool] = mapped_column(default=False)
    first_name: Mapped[str | None] = mapped_column(EncryptedText)
    last_name: Mapped[str | None] = mapped_column(EncryptedText)
    aliases: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)  # ISO date
    due_date: Mapped[str | None] = mapped_column(EncryptedText)
    gender: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(EncryptedText)
    postcode: Mapped[str | None] = mapped_column(EncryptedText)
    details: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)  # school, GP, language, needs
    # Blind indexes for repeat-referral matching: equal values hash equally under the index key.
    last_name_index: Mapped[str | None] = mapped_column(String(32), index=True)
    date_of_birth_index: Mapped[str | None] = mapped_column(String(32), index=True)
    postcode_index: Mapped[str | None] = mapped_column(String(32), index=True)

    contact: Mapped[Contact] = relationship(back_populates="children")


class HouseholdMember(Base):
    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    relationship_to_child: Mapped[str | None] = mapped_column(String(30))
    parental_responsibility: Mapped[str | None] = mapped_column(String(10))
    lives_with_child: Mapped[str | None] = mapped_column(String(10))
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(EncryptedText)
    alleged_perpetrator: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[Contact] = relationship(back_populates="household")


class ConsentRecord(Base):
    """Who agreed, for whom; or why the referral goes ahead without agreement, and on what lawful basis."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # given | refused | not_sought
    given_by: Mapped[str | None] = mapped_column(EncryptedText)
    given_by_relationship: Mapped[str | None] = mapped_column(String(30))
    covers: Mapped[list[str]] = mapped_column(JSON, default=list)
    parents_told: Mapped[str | None] = mapped_column(String(10))
    parents_not_told_reason: Mapped[str | None] = mapped_column(EncryptedText)
    without_consent_reason: Mapped[str | None] = mapped_column(EncryptedText)
    lawful_basis: Mapped[str] = mapped_column(String(200))
    special_category_basis: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="consent")


class AuditEvent(Base):
    """One step in a contact's life. Append-only (database triggers refuse UPDATE and DELETE) and
    hash-chained: each row's hash covers the row before it, so an edit anywhere breaks the chain."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[dt.datetime]
    event: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row that serialises audit writers: bumping it takes the write lock on every backend."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Counter(Base):
    """Named sequences, e.g. the yearly reference numbers FD-2026-000123."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
