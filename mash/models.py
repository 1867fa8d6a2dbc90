"""The Contact aggregate and the audit trail.

Personal data (names, dates of birth, addresses, phone numbers, e-mails, what was said) lives only in
Encrypted* columns; the `*_index` columns are keyed hashes so a child can be found without decrypting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from mash.names import name_sound_index, phone_index
from store.crypto import EncryptedJSON, EncryptedText, keyring
from store.db import Base, utcnow

CHANNELS = ("web", "sms", "chat", "police", "phone")
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}
# Danger now (a channel's safety screen fired) outranks every other red: imminent risk first, as crisis text
# lines rank their queues (domain.md).
DANGER_NOW_RANK = -1


class Contact(Base):
    """Anything that reaches the front door and needs a practitioner's eyes."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # concern | early_help
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="new")
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    decision_due_at: Mapped[dt.datetime]
    rag: Mapped[str] = mapped_column(String(5))
    risk_rank: Mapped[int] = mapped_column(Integer)  # 0 red, 1 amber, 2 green: the queue sorts on it
    safety_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    concern_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The kinds of worry read from a conversation's own words (bot.report_worries) where none were chosen: shown to
    # staff as "from their words", never read by triage (its RAG, level and flags come from what was chosen).
    concern_categories_read: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    referral_source: Mapped[str] = mapped_column(String(3))  # Children in Need ReferralSource code
    referrer_type: Mapped[str] = mapped_column(String(20))  # professional | public | family
    referrer_anonymous: Mapped[bool] = mapped_column(default=False)
    referrer_name: Mapped[str | None] = mapped_column(EncryptedText)
    referrer_phone: Mapped[str | None] = mapped_column(EncryptedText)
    referrer_phone_index: Mapped[str | None] = mapped_column(String(32), index=True)  # mash.names.phone_index
    referrer_email: Mapped[str | None] = mapped_column(EncryptedText)
    referrer_organisation: Mapped[str | None] = mapped_column(EncryptedText)
    referrer_role: Mapped[str | None] = mapped_column(EncryptedText)
    safe_to_contact: Mapped[bool | None]
    suggested_level: Mapped[int | None]
    suggested_level_reason: Mapped[str | None] = mapped_column(EncryptedText)
    concern_text: Mapped[str | None] = mapped_column(EncryptedText)
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)  # the whole validated referral
    journey: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    # Screening, in the MASH.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    claim_expires_at: Mapped[dt.datetime | None]
    parents_informed: Mapped[str | None] = mapped_column(String(10))  # yes | no, as the practitioner records it
    parents_informed_reason: Mapped[str | None] = mapped_column(EncryptedText)
    history_acknowledged_at: Mapped[dt.datetime | None]
    history_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    closed_at: Mapped[dt.datetime | None]

    claimed_by: Mapped[StaffUser | None] = relationship(foreign_keys=[claimed_by_id])

    children: Mapped[list[Child]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                 order_by="Child.position")
    household: Mapped[list[HouseholdMember]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                            order_by="HouseholdMember.position")
    consent: Mapped[ConsentRecord | None] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                         uselist=False)
    checks: Mapped[list[AgencyCheck]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                     order_by="AgencyCheck.id")
    decisions: Mapped[list[Decision]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                     order_by="Decision.id")
    # The police notifications this contact carries (a triage meeting referred a child): read-only, for the page.
    notification_links: Mapped[list[ContactNotification]] = relationship(order_by="ContactNotification.id",
                                                                         viewonly=True)

    # Every edit says which version it started from; the UPDATE matches on it, so a concurrent edit fails
    # instead of silently overwriting (mash.claims.bump_version sets the new version).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    __table_args__ = (
        Index("ix_contacts_queue", "risk_rank", "decision_due_at", "id"),
        # The open queue only, in its own order: the queue page stays fast however many contacts are closed.
        Index("ix_contacts_open_queue", "risk_rank", "decision_due_at", "id",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        # Issue 15: the queue sorted by deadline or by waiting time, the dashboard's overdue count and the queue's
        # age (read from the index alone), and the colour counts under any filter (mash.queue, mash.stats).
        Index("ix_contacts_open_due", "decision_due_at", "id", "status",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        Index("ix_contacts_open_received", "received_at", "id",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        Index("ix_contacts_open_counts", "risk_rank", "channel", "kind", "status", "claimed_by_id",
              "claim_expires_at", "decision_due_at",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        Index("ix_contacts_received_channel", "received_at", "channel"),
        # Issue 15: "held by me" (or by a named colleague) in queue order, read from the index alone: the counting
        # index leads with the colour, so it walked every open contact of a colour to find one worker's few.
        Index("ix_contacts_open_holder", "claimed_by_id", "risk_rank", "decision_due_at", "id", "claim_expires_at",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
    )

    @validates("referrer_phone")
    def _index_phone(self, _key: str, value: str | None) -> str | None:
        """Whatever writes the referrer's phone (intake, a conversation, anonymity) keeps its index in step."""
        self.referrer_phone_index = phone_index(value)
        return value


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
    age_said: Mapped[str | None] = mapped_column(EncryptedText)  # by text or chat, with no date of birth: "4"
    gender: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(EncryptedText)
    postcode: Mapped[str | None] = mapped_column(EncryptedText)
    details: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)  # school, GP, language, needs
    # The consistent identifiers, validated by forms.identifiers: ten digits; thirteen capitals.
    nhs_number: Mapped[str | None] = mapped_column(EncryptedText)
    upn: Mapped[str | None] = mapped_column(EncryptedText)
    # Blind indexes for repeat-referral matching: equal values hash equally under the index key.
    first_name_index: Mapped[str | None] = mapped_column(String(32), index=True)
    last_name_index: Mapped[str | None] = mapped_column(String(32), index=True)
    date_of_birth_index: Mapped[str | None] = mapped_column(String(32), index=True)
    postcode_index: Mapped[str | None] = mapped_column(String(32), index=True)
    nhs_number_index: Mapped[str | None] = mapped_column(String(32), index=True)
    upn_index: Mapped[str | None] = mapped_column(String(32), index=True)
    name_sound_index: Mapped[str | None] = mapped_column(String(32), index=True)  # mash.names: for fuzzy search

    contact: Mapped[Contact] = relationship(back_populates="children")

    @validates("first_name", "last_name")
    def _index_sound(self, key: str, value: str | None) -> str | None:
        first, last = (value, self.last_name) if key == "first_name" else (self.first_name, value)
        self.name_sound_index = name_sound_index(first, last)
        return value


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
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_index: Mapped[str | None] = mapped_column(String(32), index=True)  # mash.names.phone_index
    alleged_perpetrator: Mapped[bool] = mapped_column(default=False)

    contact: Mapped[Contact] = relationship(back_populates="household")

    @validates("phone")
    def _index_phone(self, _key: str, value: str | None) -> str | None:
        self.phone_index = phone_index(value)
        return value


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
    # What the person said their agreement does not cover, in their words ("yes but not the school").
    limits: Mapped[str | None] = mapped_column(EncryptedText)
    # The referrer told us someone else agreed (a father about the mother): recorded, to be confirmed with them.
    relayed: Mapped[bool | None]
    lawful_basis: Mapped[str] = mapped_column(String(200))
    special_category_basis: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="consent")


class AuditEvent(Base):
    """One step in a contact's life. Append-only (database triggers refuse UPDATE and DELETE) and
    hash-chained: each row's hash covers the row before it, so an edit anywhere breaks the chain. The hash is
    an HMAC under the key `key_id` names (AUDIT_HMAC_KEYS); no key id means a plain SHA-256 from before the key."""

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
    key_id: Mapped[str | None] = mapped_column(String(40))


class AuditHead(Base):
    """The single row that serialises audit writers: bumping it, at commit, takes the write lock on every
    backend. `legacy_seq` is the last event written before the chain was keyed (migration 0012)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    legacy_seq: Mapped[int] = mapped_column(default=0, server_default="0")


class Counter(Base):
    """Named sequences, e.g. the yearly reference numbers FD-2026-000123."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class StaffUser(Base):
    """A MASH practitioner, manager or administrator. Passwords are argon2 hashes; every account has TOTP."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))  # practitioner | manager | admin
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str] = mapped_column(EncryptedText)
    totp_last_step: Mapped[int] = mapped_column(default=0)  # a code is accepted once only
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StaffSession(Base):
    """A signed-in member of staff, in the database store (mash/staff_sessions.py). The browser holds the random
    id; only its SHA-256 is kept, so a copy of this table opens nothing. Who and when, and nothing else."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]


class AgencyCheck(Base):
    """A check with a partner agency, as a task: who was asked there, when, by when it is due, chasing, and what
    came back (mash.screening)."""

    __tablename__ = "agency_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(30))
    question: Mapped[str] = mapped_column(EncryptedText)
    # The person asked at the agency, each optional: personal data, so encrypted.
    contact_name: Mapped[str | None] = mapped_column(EncryptedText)
    contact_role: Mapped[str | None] = mapped_column(EncryptedText)
    contact_details: Mapped[str | None] = mapped_column(EncryptedText)  # a phone number or an e-mail address
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    # When the answer is due: set when the check can be made (asked, or authorised), moved on by each chase.
    # None on a check awaiting authorisation, and on checks recorded before due times existed (migration 0021).
    due_at: Mapped[dt.datetime | None]
    chased_at: Mapped[dt.datetime | None]
    chased_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    chase_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    without_parents_knowledge: Mapped[bool] = mapped_column(default=False)
    # Why: "ticked" by the practitioner, or "record" (the record says the parents have not been told).
    without_knowledge_from: Mapped[str | None] = mapped_column(String(10))
    authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    authorised_at: Mapped[dt.datetime | None]
    authorisation_reason: Mapped[str | None] = mapped_column(EncryptedText)
    response: Mapped[str | None] = mapped_column(EncryptedText)
    responded_at: Mapped[dt.datetime | None]
    response_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    contact: Mapped[Contact] = relationship(back_populates="checks")
    requested_by: Mapped[StaffUser] = relationship(foreign_keys=[requested_by_id])
    authorised_by: Mapped[StaffUser | None] = relationship(foreign_keys=[authorised_by_id])
    chased_by: Mapped[StaffUser | None] = relationship(foreign_keys=[chased_by_id])
    response_recorded_by: Mapped[StaffUser | None] = relationship(foreign_keys=[response_recorded_by_id])

    @property
    def status(self) -> str:
        if self.response is not None:
            return "returned"
        if self.without_parents_knowledge and self.authorised_at is None:
            return "awaiting_authorisation"
        return "asked"


class RepeatMatch(Base):
    """An earlier contact that may be about the same child: a practitioner confirms or rejects it."""

    __tablename__ = "repeat_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    earlier_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    child_position: Mapped[int]
    earlier_child_position: Mapped[int]
    score: Mapped[int]
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="suggested")  # suggested | confirmed | rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[dt.datetime | None]

    earlier_contact: Mapped[Contact] = relationship(foreign_keys=[earlier_contact_id])


class Decision(Base):
    """What the MASH decided, why, and the manager's sign-off (or return with comments)."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(30))
    level: Mapped[int]
    rationale: Mapped[str] = mapped_column(EncryptedText)
    sharing_decision: Mapped[str] = mapped_column(String(20))  # share | do_not_share
    sharing_reason: Mapped[str] = mapped_column(EncryptedText)
    primary_need: Mapped[str] = mapped_column(String(3))  # CIN N0-N9
    nfa: Mapped[bool]
    justification: Mapped[str | None] = mapped_column(EncryptedText)
    feedback_message: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(20), default="awaiting_signoff")  # | signed_off | returned
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    reviewed_at: Mapped[dt.datetime | None]
    manager_comments: Mapped[str | None] = mapped_column(EncryptedText)

    contact: Mapped[Contact] = relationship(back_populates="decisions")
    decided_by: Mapped[StaffUser] = relationship(foreign_keys=[decided_by_id])
    reviewed_by: Mapped[StaffUser | None] = relationship(foreign_keys=[reviewed_by_id])


class StrategyDiscussion(Base):
    """Opened by a strategy-discussion decision: its own clock, and who took part, by agency."""

    __tablename__ = "strategy_discussions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_at: Mapped[dt.datetime]
    urgent: Mapped[bool] = mapped_column(default=False)
    held_at: Mapped[dt.datetime | None]
    attendees: Mapped[list[dict[str, str]]] = mapped_column(EncryptedJSON, default=list)  # [{agency, name, role}]
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class OutboxMessage(Base):
    """A message for a referrer, sent by the worker process; retried, and its state shown on the contact."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    # feedback (the outcome) | receipt (issue 16: "we have your referral", once per contact)
    kind: Mapped[str] = mapped_column(String(20), default="feedback", server_default="feedback")
    recipient: Mapped[str] = mapped_column(EncryptedText)
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


# --- Issue 6: police notifications, return home interviews, the out-of-hours handover ------------------------


class PolicePartner(Base):
    """A police force (or other partner system) allowed to post notifications. Only a hash of its token is kept."""

    __tablename__ = "police_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of a 256-bit random token
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]


class DomesticAbuseNotification(Base):
    """A police domestic abuse notification, triaged by risk before any practitioner works on it."""

    __tablename__ = "domestic_abuse_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sent twice, stored once: a reference is unique within its origin (partner:<id> for the API, csv for files).
    police_reference: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(40), default="csv", server_default="csv")
    content_index: Mapped[str | None] = mapped_column(String(32))  # keyed hash of what was sent: a resend compares
    source: Mapped[str] = mapped_column(String(40))  # api:<partner id> | csv:staff:<id>
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("police_partners.id"))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    occurred_at: Mapped[dt.datetime]
    address: Mapped[str | None] = mapped_column(EncryptedText)
    postcode: Mapped[str | None] = mapped_column(EncryptedText)
    household_index: Mapped[str | None] = mapped_column(String(32), index=True)  # whole address + postcode
    postcode_index: Mapped[str | None] = mapped_column(String(32), index=True)  # the postcode alone, for search
    adults: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON, default=list)  # [{name, role}]
    summary: Mapped[str | None] = mapped_column(EncryptedText)
    police_grade: Mapped[str] = mapped_column(String(10))  # standard | medium | high (DASH)
    dash_ticks: Mapped[int]
    children_present: Mapped[bool] = mapped_column(default=False)
    school_informed: Mapped[str] = mapped_column(String(10), default="unknown")  # yes | no | unknown (Encompass)
    # Triage, in the MASH.
    grade: Mapped[str] = mapped_column(String(10))  # the MASH's grade: the police grade until moved, with a reason
    rag: Mapped[str] = mapped_column(String(5))
    risk_rank: Mapped[int]
    due_at: Mapped[dt.datetime]
    household_count: Mapped[int] = mapped_column(default=1)  # notifications about the household in 12 months
    marac_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    routed_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    routed_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[str] = mapped_column(String(12), default="new")  # new | triaged
    triaged_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    children: Mapped[list[DomesticAbuseChild]] = relationship(
        back_populates="notification", cascade="all, delete-orphan", order_by="DomesticAbuseChild.position")
    routed_to: Mapped[StaffUser | None] = relationship(foreign_keys=[routed_to_id])
    # The contacts a triage meeting's decision made or joined: read-only, for the page.
    contact_links: Mapped[list[ContactNotification]] = relationship(order_by="ContactNotification.id",
                                                                    viewonly=True)

    __table_args__ = (
        # The open triage queue in its own order, as contacts have: page 100 costs what page 1 does.
        Index("ix_da_open_queue", "risk_rank", "due_at", "id",
              sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),
        UniqueConstraint("origin", "police_reference", name="uq_da_origin_reference"),
    )

    @validates("postcode")
    def _index_postcode(self, _key: str, value: str | None) -> str | None:
        """Search finds a notification by its postcode alone (portal.staff.lookup), whoever writes it."""
        self.postcode_index = keyring.blind_index("postcode", value) if value else None
        return value


class DomesticAbuseChild(Base):
    """A child present at, or a witness to, a notified incident; blind indexes match households and open cases."""

    __tablename__ = "domestic_abuse_children"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("domestic_abuse_notifications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    first_name: Mapped[str | None] = mapped_column(EncryptedText)
    last_name: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)
    present: Mapped[bool] = mapped_column(default=True)
    witnessed: Mapped[bool] = mapped_column(default=False)
    first_name_index: Mapped[str | None] = mapped_column(String(32))
    last_name_index: Mapped[str | None] = mapped_column(String(32))
    date_of_birth_index: Mapped[str | None] = mapped_column(String(32), index=True)
    nhs_number: Mapped[str | None] = mapped_column(EncryptedText)  # ten digits, checked (forms.identifiers)
    upn: Mapped[str | None] = mapped_column(EncryptedText)
    nhs_number_index: Mapped[str | None] = mapped_column(String(32), index=True)  # mash.repeats.nhs_number_index
    upn_index: Mapped[str | None] = mapped_column(String(32), index=True)
    name_sound_index: Mapped[str | None] = mapped_column(String(32), index=True)  # mash.names: for fuzzy search

    # Operation Encompass: the child's school (from the notification, an earlier contact, or the MASH), and when the
    # MASH recorded the school as told, and who recorded it (mash.police.encompass).
    school: Mapped[str | None] = mapped_column(EncryptedText)
    school_source: Mapped[str | None] = mapped_column(String(20))  # notification | earlier_contact | staff
    school_told_at: Mapped[dt.datetime | None]
    school_told_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    school_told_recorded_at: Mapped[dt.datetime | None]

    notification: Mapped[DomesticAbuseNotification] = relationship(back_populates="children")
    school_told_recorded_by: Mapped[StaffUser | None] = relationship(foreign_keys=[school_told_recorded_by_id])

    @validates("first_name", "last_name")
    def _index_sound(self, key: str, value: str | None) -> str | None:
        """How the names sound, so search finds "Jaden Moris" here as it does on a contact's child."""
        first, last = (value, self.last_name) if key == "first_name" else (self.first_name, value)
        self.name_sound_index = name_sound_index(first, last)
        return value


class GradeChange(Base):
    """The MASH moved a police grade up or down: always with a reason (domain.md)."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("domestic_abuse_notifications.id", ondelete="CASCADE"), index=True)
    from_grade: Mapped[str] = mapped_column(String(10))
    to_grade: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(EncryptedText)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TriageMeeting(Base):
    """The daily domestic abuse triage: who attended by agency, and a decision for each child."""

    __tablename__ = "triage_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("domestic_abuse_notifications.id", ondelete="CASCADE"), index=True)
    held_at: Mapped[dt.datetime]
    attendees: Mapped[list[dict[str, str]]] = mapped_column(EncryptedJSON, default=list)  # [{agency, name, role}]
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    police_attended: Mapped[bool] = mapped_column(default=False)
    # [{position, decision, consent, consent_by, note}]: early help always carries its consent consideration.
    child_decisions: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON, default=list)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ContactNotification(Base):
    """A contact that carries a police notification: made by the triage meeting's decision to refer a child to the
    MASH (or to hold a strategy discussion), or an open contact about the same child that the decision joined."""

    __tablename__ = "contact_notifications"
    __table_args__ = (UniqueConstraint("contact_id", "notification_id", name="uq_contact_notification"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("domestic_abuse_notifications.id", ondelete="CASCADE"), index=True)
    # [{position, decision}]: the notification's children this contact holds, and what the meeting decided.
    decisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created: Mapped[bool] = mapped_column(default=True)  # the decision made it (else: joined an open contact)
    linked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    contact: Mapped[Contact] = relationship(foreign_keys=[contact_id])
    notification: Mapped[DomesticAbuseNotification] = relationship(foreign_keys=[notification_id])


class MissingEpisode(Base):
    """A child reported missing by the police: when they went, and when they were found or came back."""

    __tablename__ = "missing_episodes"
    __table_args__ = (UniqueConstraint("origin", "police_reference", name="uq_missing_origin_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    police_reference: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(40), default="csv", server_default="csv")  # partner:<id> | csv
    content_index: Mapped[str | None] = mapped_column(String(32))  # what was sent, the return left out
    source: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("police_partners.id"))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_name: Mapped[str | None] = mapped_column(EncryptedText)
    last_name: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(EncryptedText)
    postcode: Mapped[str | None] = mapped_column(EncryptedText)
    summary: Mapped[str | None] = mapped_column(EncryptedText)
    postcode_index: Mapped[str | None] = mapped_column(String(32), index=True)  # the postcode alone, for search
    child_index: Mapped[str | None] = mapped_column(String(32), index=True)  # first + last name + date of birth
    # Each on its own too, as a contact's child's, so search finds an episode by a name alone or misspelt.
    first_name_index: Mapped[str | None] = mapped_column(String(32), index=True)
    last_name_index: Mapped[str | None] = mapped_column(String(32), index=True)
    date_of_birth_index: Mapped[str | None] = mapped_column(String(32), index=True)
    name_sound_index: Mapped[str | None] = mapped_column(String(32), index=True)
    nhs_number: Mapped[str | None] = mapped_column(EncryptedText)  # ten digits, checked (forms.identifiers)
    upn: Mapped[str | None] = mapped_column(EncryptedText)
    nhs_number_index: Mapped[str | None] = mapped_column(String(32), index=True)  # mash.repeats.nhs_number_index
    upn_index: Mapped[str | None] = mapped_column(String(32), index=True)
    went_missing_at: Mapped[dt.datetime]
    returned_at: Mapped[dt.datetime | None]
    return_kind: Mapped[str | None] = mapped_column(String(10))  # found | returned
    episodes_in_window: Mapped[int] = mapped_column(default=1)  # this child's episodes in the window, this included
    strategy_flag: Mapped[bool] = mapped_column(default=False)

    interview: Mapped[ReturnInterview | None] = relationship(back_populates="episode", uselist=False,
                                                             cascade="all, delete-orphan")

    @validates("first_name", "last_name", "date_of_birth")
    def _index_child(self, key: str, value: str | None) -> str | None:
        """The child's indexes follow the names and date of birth, whoever writes them (mash.missing)."""
        kind = {"first_name": "name", "last_name": "name", "date_of_birth": "dob"}[key]
        setattr(self, f"{key}_index", keyring.blind_index(kind, value) if value else None)
        first, last = (value, self.last_name) if key == "first_name" else \
            (self.first_name, value) if key == "last_name" else (self.first_name, self.last_name)
        self.name_sound_index = name_sound_index(first, last)
        return value

    @validates("postcode")
    def _index_postcode(self, _key: str, value: str | None) -> str | None:
        self.postcode_index = keyring.blind_index("postcode", value) if value else None
        return value


class ReturnInterview(Base):
    """A return home interview: offered within 72 hours of the child's return, every episode."""

    __tablename__ = "return_interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("missing_episodes.id", ondelete="CASCADE"), unique=True)
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default="due")  # due | offered | accepted | declined | completed
    offered_at: Mapped[dt.datetime | None]
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    responded_at: Mapped[dt.datetime | None]
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    completed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    notes: Mapped[str | None] = mapped_column(EncryptedText)

    episode: Mapped[MissingEpisode] = relationship(back_populates="interview")
    offered_by: Mapped[StaffUser | None] = relationship(foreign_keys=[offered_by_id])
    responded_by: Mapped[StaffUser | None] = relationship(foreign_keys=[responded_by_id])
    completed_by: Mapped[StaffUser | None] = relationship(foreign_keys=[completed_by_id])


class Handover(Base):
    """What the emergency duty team hands the day team: in its queue by 09:00 the next working day."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(10))  # contact (arrived out of hours) | call (EDT recorded it)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    received_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime] = mapped_column(index=True)  # the next office opening
    caller: Mapped[str | None] = mapped_column(EncryptedText)
    child: Mapped[str | None] = mapped_column(EncryptedText)
    what_happened: Mapped[str | None] = mapped_column(EncryptedText)
    action_taken: Mapped[str | None] = mapped_column(EncryptedText)
    rationale: Mapped[str | None] = mapped_column(EncryptedText)
    day_team_actions: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | completed | acknowledged
    completed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    contact: Mapped[Contact | None] = relationship(foreign_keys=[contact_id])
    recorded_by: Mapped[StaffUser | None] = relationship(foreign_keys=[recorded_by_id])
    completed_by: Mapped[StaffUser | None] = relationship(foreign_keys=[completed_by_id])


# --- Issue 15, item 3: sharing the work (mash.casework) ----------------------------------------------------------


class CaseNote(Base):
    """A practitioner's dated, typed note on a contact. Never edited: the database refuses UPDATE and DELETE
    (migration 0022), so a mistake is put right by a later note that says which note it corrects."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # mash.casework.NOTE_KINDS
    text: Mapped[str] = mapped_column(EncryptedText)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    written_at: Mapped[dt.datetime]
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("case_notes.id"))
    passed_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))  # kind "passed": to whom

    written_by: Mapped[StaffUser] = relationship(foreign_keys=[written_by_id])
    passed_to: Mapped[StaffUser | None] = relationship(foreign_keys=[passed_to_id])


class HouseholdLink(Base):
    """Two contacts about one household, linked (or later unlinked) by a practitioner. Append-only like the notes:
    each row is one act, and the latest row for a pair says whether they are linked now."""

    __tablename__ = "household_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The pair in order (contact_id < other_contact_id), so a link made from either side is the same pair.
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    other_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    linked: Mapped[bool]  # True: linked; False: unlinked
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    by_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[dt.datetime]

    by: Mapped[StaffUser] = relationship(foreign_keys=[by_id])


class Attachment(Base):
    """A body map or a document sent with a referral (issue 16). The bytes are not in this row: they are in a file
    under the instance folder (mash.attachments), encrypted with a key of their own, which is kept here encrypted
    with the field-encryption keys. While the referral is a draft the file belongs to the draft, and deleting the
    draft deletes the row and so the only key that reads the file; sending ties it to the contact in the same
    transaction as the contact is made."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # document | body_map (drawn: JSON marks; or an uploaded image)
    content_type: Mapped[str] = mapped_column(String(80))  # what the content is, as sniffed, never as declared
    size: Mapped[int]
    blob_name: Mapped[str] = mapped_column(String(64), unique=True)  # a random file name, nothing personal
    data_key: Mapped[str] = mapped_column(EncryptedText)  # the file's own AES-256-GCM key, encrypted
    filename: Mapped[str | None] = mapped_column(EncryptedText)  # as the referrer's computer named it
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
